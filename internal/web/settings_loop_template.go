package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/router"
)

type loopTemplateForm struct {
	Subject, Body string
	Errors        map[string]string
}

type loopTemplateData struct {
	F         loopTemplateForm
	IsDefault bool
	Fields    []struct{ Name, Help string }
}

// loopTemplateFields are what a template may use, as listed on the page.
var loopTemplateFields = []struct{ Name, Help string }{
	{"{{.FirstName}}", "first word of the person's name, or “there”"},
	{"{{.Name}}", "their full name"},
	{"{{.Quote}}", "their most recent words about the request (empty for people who only voted)"},
	{"{{.Channel}}", "where they said it: Intercom, a call with us, …"},
	{"{{.Date}}", "when they said it: March 4, 2026"},
	{"{{.RequestTitle}}", "the request's title"},
	{"{{.ReleaseNote}}", "the request's release note (may be empty)"},
	{"{{.UnsubscribeURL}}", "their personal unsubscribe link: required in the body"},
}

func (ui *Web) renderLoopTemplate(w http.ResponseWriter, r *http.Request, status int, f *loopTemplateForm) error {
	t, err := loop.LoadTemplate(r.Context(), ui.Store)
	if err != nil {
		return err
	}
	d := loopTemplateData{IsDefault: t == loop.DefaultTemplate, Fields: loopTemplateFields}
	if f != nil {
		d.F = *f
	} else {
		d.F = loopTemplateForm{Subject: t.Subject, Body: t.Body}
	}
	return ui.render(w, r, status, "settings_loop_template", "Close-the-loop email", "settings", d)
}

// loopTemplatePage: GET /settings/loop-template, the team's close-the-loop email.
func (ui *Web) loopTemplatePage(w http.ResponseWriter, r *http.Request) error {
	return ui.renderLoopTemplate(w, r, http.StatusOK, nil)
}

// loopTemplateSave: POST /settings/loop-template validates (the body must keep
// {{.UnsubscribeURL}}) and stores the template; reset=1 goes back to the default.
func (ui *Web) loopTemplateSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	ctx := r.Context()
	if r.PostFormValue("reset") != "" {
		if err := loop.ResetTemplate(ctx, ui.Store); err != nil {
			return err
		}
		ui.setFlash(w, "Back to the default template. Drafts already prepared take it when their page is opened again.")
		return seeOther(w, r, "/settings/loop-template")
	}
	f := loopTemplateForm{Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Errors: map[string]string{}}
	err := loop.SaveTemplate(ctx, ui.Store, loop.Template{Subject: f.Subject, Body: f.Body})
	var te *errs.FieldError
	switch {
	case err == nil:
		ui.Log.Info("loop template saved", "by", router.From(r).Member.ID)
		ui.setFlash(w, "Template saved. Drafts not yet sent take it when their page is opened again.")
		return seeOther(w, r, "/settings/loop-template")
	case errors.As(err, &te):
		label := "Subject"
		if te.Field == "body" {
			label = "Body"
		}
		f.Errors[te.Field] = label + " " + te.Msg + "."
	default:
		return err
	}
	return ui.renderLoopTemplate(w, r, http.StatusUnprocessableEntity, &f)
}
