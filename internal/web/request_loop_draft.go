package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
)

// loopSkip: POST /requests/{id}/loop/{draft}/skip keeps one person out of the send.
func (ui *Web) loopSkip(w http.ResponseWriter, r *http.Request) error {
	return ui.loopMark(w, r, ui.Loop.Skip, func(who string) string { return "Skipped: " + who + " will not be emailed." })
}

// loopUnskip: POST /requests/{id}/loop/{draft}/unskip makes a skipped draft sendable.
func (ui *Web) loopUnskip(w http.ResponseWriter, r *http.Request) error {
	return ui.loopMark(w, r, ui.Loop.Unskip, func(who string) string { return who + " is back in the send." })
}

// loopMark changes the draft of the path with mark and returns to it, saying so with
// the flash said makes of the person's name.
func (ui *Web) loopMark(w http.ResponseWriter, r *http.Request, mark func(ctx context.Context, id string) error, said func(who string) string) error {
	d, err := ui.loopDraft(r)
	if err != nil {
		return err
	}
	if err := mark(r.Context(), d.ID); err != nil {
		return loopStateErr(err)
	}
	ui.setFlash(w, said(draftWho(d.Name, d.Email)))
	return seeOther(w, r, loopURL(d.RequestID, d.ID))
}

// loopEdit: POST /requests/{id}/loop/{draft}/edit replaces one draft's subject and
// body. A rejected edit is shown back as typed.
func (ui *Web) loopEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := ui.loopDraft(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	f := loopEditForm{Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Errors: map[string]string{}}
	err = ui.Loop.Edit(r.Context(), d.ID, f.Subject, f.Body)
	var te *errs.FieldError
	switch {
	case err == nil:
		ui.setFlash(w, "Email to "+draftWho(d.Name, d.Email)+" saved.")
		return seeOther(w, r, loopURL(d.RequestID, d.ID))
	case errors.As(err, &te):
		if strings.TrimSpace(f.Subject) == "" {
			f.Errors["subject"] = "Enter a subject."
		}
		if strings.TrimSpace(f.Body) == "" {
			f.Errors["body"] = "Enter the text of the email."
		}
		if len(f.Errors) == 0 {
			f.Errors["subject"] = te.Msg
		}
	default:
		return loopStateErr(err)
	}
	req, err := ui.getRequest(r, d.RequestID)
	if err != nil {
		return err
	}
	data, err := ui.loadLoop(r, req, d.ID)
	if err != nil {
		return err
	}
	data.Edit = f
	return ui.render(w, r, http.StatusUnprocessableEntity, "request_loop", "Close the loop: "+req.Title, "requests", data)
}

func draftWho(name, email string) string {
	if name != "" {
		return name
	}
	if email != "" {
		return email
	}
	return "this person"
}
