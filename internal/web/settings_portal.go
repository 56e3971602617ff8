package web

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/router"
)

type portalForm struct {
	Name, Accent, Intro, SignInURL string
	Errors                         map[string]string
}

type portalData struct {
	F          portalForm
	SSOEnabled bool
	NewSecret  string // shown on the generate response only
}

// renderPortal: GET /settings/portal, the portal's branding and single sign-on.
func (ui *Web) renderPortal(w http.ResponseWriter, r *http.Request, status int, d portalData) error {
	ctx := r.Context()
	if d.F.Errors == nil {
		var s portal.Settings
		if _, err := ui.Store.GetSetting(ctx, portal.SettingsKey, &s); err != nil {
			return err
		}
		d.F = portalForm{Name: s.Name, Accent: s.Accent, Intro: s.Intro, SignInURL: s.SignInURL}
	}
	secret, err := portal.LoadSSOSecret(ctx, ui.Store)
	if err != nil {
		return err
	}
	d.SSOEnabled = secret != ""
	return ui.render(w, r, status, "settings_portal", "Customer portal", "settings", d)
}

// portalSave: POST /settings/portal stores the branding (blank fields take defaults).
func (ui *Web) portalSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 16<<10); err != nil {
		return err
	}
	v := r.PostForm
	f := portalForm{Name: v.Get("name"), Accent: v.Get("accent"), Intro: v.Get("intro"), SignInURL: v.Get("sign_in_url"), Errors: map[string]string{}}
	err := portal.SaveSettings(r.Context(), ui.Store, portal.Settings{Name: f.Name, Accent: f.Accent, Intro: f.Intro, SignInURL: f.SignInURL})
	if done, err := ui.saved(w, r, err, "Portal settings saved.", "/settings/portal", func(fe *errs.FieldError) {
		label := map[string]string{"name": "Name", "accent": "Accent colour", "intro": "Introduction", "sign_in_url": "Sign-in URL"}[fe.Field]
		if label == "" {
			label = fe.Field
		}
		f.Errors[fe.Field] = label + " " + fe.Msg + "."
	}); done {
		return err
	}
	return ui.renderPortal(w, r, http.StatusUnprocessableEntity, portalData{F: f})
}

// portalSSO: POST /settings/portal/sso with action=generate makes a new shared secret
// (replacing any old one) and shows it once; action=disable turns SSO off.
func (ui *Web) portalSSO(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 1<<10); err != nil {
		return err
	}
	ctx := r.Context()
	by := router.From(r).Member.ID
	switch r.PostFormValue("action") {
	case "generate":
		secret := portal.GenerateSSOSecret()
		if err := portal.SaveSSOSecret(ctx, ui.Store, secret); err != nil {
			return err
		}
		ui.Log.Info("portal sso secret generated", "by", by)
		return ui.renderPortal(w, r, http.StatusCreated, portalData{NewSecret: secret})
	case "disable":
		if err := portal.SaveSSOSecret(ctx, ui.Store, ""); err != nil {
			return err
		}
		ui.Log.Info("portal sso disabled", "by", by)
		ui.setFlash(w, "Single sign-on disabled: customers can browse the portal but not vote or submit.")
		return seeOther(w, r, "/settings/portal")
	}
	return router.Errorf(http.StatusBadRequest, "unknown action")
}
