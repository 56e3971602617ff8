package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/errs"
)

// Settings → Cancellation (admins): the two option lists of the hosted cancellation
// survey, one "code: Label" a line. Codes are what answers and reports keep, so
// renaming a label is safe and removing a code leaves old answers under their code.

type cancelSettingsData struct {
	Reasons, Liked string
	Errors         map[string]string
}

func (ui *Web) cancelSettingsPage(w http.ResponseWriter, r *http.Request) error {
	set, err := ui.Store.CancellationSettings(r.Context())
	if err != nil {
		return err
	}
	d := cancelSettingsData{Reasons: cancel.FormatOptions(set.Reasons), Liked: cancel.FormatOptions(set.Liked), Errors: map[string]string{}}
	return ui.render(w, r, http.StatusOK, "settings_cancellation", "Cancellation survey settings", "settings", d)
}

// cancelSettingsSave: POST /settings/cancellation saves both lists, or shows the
// form again with what was typed and the list at fault.
func (ui *Web) cancelSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 32<<10); err != nil {
		return err
	}
	d := cancelSettingsData{Reasons: r.PostFormValue("reasons"), Liked: r.PostFormValue("liked"), Errors: map[string]string{}}
	var set cancel.Settings
	var err error
	for _, f := range []struct {
		name string
		text string
		dst  *[]cancel.Option
	}{{"reasons", d.Reasons, &set.Reasons}, {"liked", d.Liked, &set.Liked}} {
		var fe *errs.FieldError
		if *f.dst, err = cancel.ParseOptions(f.name, f.text); errors.As(err, &fe) {
			d.Errors[f.name] = fe.Msg
		} else if err != nil {
			return err
		}
	}
	if len(d.Errors) == 0 {
		if err := ui.Store.PutCancellationSettings(r.Context(), set); err != nil {
			return err
		}
		ui.setFlash(w, "Cancellation survey settings saved.")
		return seeOther(w, r, "/settings/cancellation")
	}
	return ui.render(w, r, http.StatusUnprocessableEntity, "settings_cancellation", "Cancellation survey settings", "settings", d)
}
