package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/router"
)

// taskDone completes a task from the account page, as the signed-in member, and goes
// back to where the task was shown.
func (ui *Web) taskDone(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return router.Errorf(http.StatusRequestEntityTooLarge, "the form is too large: keep the note under 2,000 characters")
	}
	t, err := ui.Store.CompleteTask(r.Context(), r.PathValue("id"), router.From(r).Member.ID, strings.TrimSpace(r.PostFormValue("note")))
	if err != nil {
		return err
	}
	ui.setFlash(w, "Task done: "+t.Title+".")
	if r.PostFormValue("back") == "/today" { // the only other place tasks are worked from
		return seeOther(w, r, "/today")
	}
	return seeOther(w, r, "/accounts/"+url.PathEscape(t.AccountID)+"#health")
}

// taskSnooze: POST /tasks/{id}/snooze moves an open task to tomorrow (or a day past
// its due date), from Today.
func (ui *Web) taskSnooze(w http.ResponseWriter, r *http.Request) error {
	t, err := ui.Store.SnoozeTask(r.Context(), r.PathValue("id"), 1)
	if err != nil {
		return err
	}
	ui.setFlash(w, "Snoozed to "+t.DueDate+": "+t.Title+".")
	return seeOther(w, r, "/today")
}
