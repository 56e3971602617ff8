package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
)

// touchpointNew logs a touchpoint from the account page. On success it redirects back
// (so a reload does not log it twice); on a validation error it shows the account page
// again with the typed text kept and the message next to the field.
func (ui *Web) touchpointNew(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return router.Errorf(http.StatusRequestEntityTooLarge, "the form is too large: keep the summary under 10,000 characters")
	}
	f := touchpointForm{
		Kind:      r.PostFormValue("kind"),
		Direction: r.PostFormValue("direction"),
		PersonID:  r.PostFormValue("person_id"),
		When:      strings.TrimSpace(r.PostFormValue("occurred_at")),
		Summary:   r.PostFormValue("summary"),
		Feedback:  r.PostFormValue("also_feedback") != "",
		Errors:    map[string]string{},
	}
	tp := account.Touchpoint{
		AccountID: id,
		PersonID:  f.PersonID,
		MemberID:  router.From(r).Member.ID,
		Kind:      account.TouchpointKind(f.Kind),
		Direction: account.Direction(f.Direction),
		Summary:   f.Summary,
	}
	if f.When != "" {
		t, ok := parseWhen(f.When)
		if !ok {
			f.Errors["occurred_at"] = "Enter a date and time such as 2026-03-02T14:30."
		}
		tp.OccurredAt = t
	}
	if len(f.Errors) == 0 {
		err := ui.Store.CreateTouchpoint(r.Context(), &tp)
		var fe *errs.FieldError
		switch {
		case err == nil && f.Feedback:
			if err := ui.touchpointFeedback(r, tp); err != nil {
				return err
			}
			ui.setFlash(w, "Touchpoint logged, and its summary logged as feedback.")
			return seeOther(w, r, "/accounts/"+url.PathEscape(id)+"#timeline")
		case err == nil:
			ui.setFlash(w, "Touchpoint logged.")
			return seeOther(w, r, "/accounts/"+url.PathEscape(id)+"#timeline")
		case errors.As(err, &fe) && fe.Field == "account_id":
			return router.NotFound("account")
		case errors.As(err, &fe):
			f.Errors[fe.Field] = fieldMsg(fe.Field, fe.Msg)
		default:
			return err
		}
	}
	d, err := ui.loadAccount(r, id, "")
	if err != nil {
		return err
	}
	d.Form = f
	return ui.render(w, r, http.StatusUnprocessableEntity, "account", d.A.Name, "accounts", d)
}

// touchpointSources is the feedback channel of each kind of touchpoint.
var touchpointSources = map[account.TouchpointKind]feedback.Source{
	account.Email: feedback.SourceEmail, account.Call: feedback.SourceCall, account.Meeting: feedback.SourceCall,
	account.Chat: feedback.SourceWeb, account.Note: feedback.SourceWeb,
}

// touchpointFeedback logs a touchpoint's summary as feedback from the same account
// and person ("also log as feedback"), through the one capture path.
func (ui *Web) touchpointFeedback(r *http.Request, tp account.Touchpoint) error {
	c := feedback.Capture{Text: tp.Summary, Source: touchpointSources[tp.Kind], AccountID: tp.AccountID,
		OccurredAt: tp.OccurredAt, SubmittedBy: tp.MemberID}
	if c.Source == "" {
		c.Source = feedback.SourceWeb
	}
	if tp.PersonID != "" {
		if p, err := ui.Store.GetPerson(r.Context(), tp.PersonID); err == nil && p.Email != "" {
			c.Email = p.Email
		}
	}
	_, _, err := ui.Store.Capture(r.Context(), c)
	return err
}

// fieldLabels are the form labels of domain field names, so a message next to a
// field reads "Summary is required." rather than "summary: is required".
var fieldLabels = map[string]string{
	"summary": "Summary", "kind": "Kind", "direction": "Direction", "occurred_at": "When", "person_id": "Person",
	"name": "Name", "external_id": "External ID", "domain": "Domain", "plan": "Plan", "seats": "Seats",
	"company_size": "Company size", "tier": "Tier", "icp_fit": "ICP fit", "stage": "Stage", "owner_id": "Owner",
	"signup_date": "Signup date", "goal": "Goal", "traits": "Traits", "email": "Email", "role": "Role",
	"password": "Password", "scopes": "Scopes", "text": "Text", "title": "Title", "description": "Description",
	"quarter": "Quarter", "strategic_score": "Strategic score", "status": "Status", "release_note": "Release note",
}

func fieldMsg(field, msg string) string {
	label := fieldLabels[field]
	if label == "" {
		label = field
	}
	msg = strings.TrimSpace(label + " " + msg)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
