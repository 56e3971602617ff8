package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// The account page's playbooks: the runs started on the account with their progress,
// and (for members) a form to start one by hand.

type accountPlaybooks struct {
	AccountID string
	Runs      []store.PlaybookRun
	Playbooks []playbook.Playbook // to start
}

func (ui *Web) loadAccountPlaybooks(ctx context.Context, accountID string) (accountPlaybooks, error) {
	d := accountPlaybooks{AccountID: accountID}
	var err error
	if d.Runs, err = ui.Store.ListPlaybookRuns(ctx, accountID); err != nil {
		return d, err
	}
	d.Playbooks, err = ui.Store.ListPlaybooks(ctx)
	return d, err
}

// accountPlaybookStart: POST /accounts/{id}/playbooks starts the chosen playbook.
// One already running on the account is said so, not started twice.
func (ui *Web) accountPlaybookStart(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := parseForm(w, r, 4<<10); err != nil {
		return err
	}
	pid := r.PostFormValue("playbook_id")
	if pid == "" {
		return errs.Invalid("playbook_id", "choose a playbook")
	}
	run, err := ui.Store.StartPlaybook(r.Context(), pid, id, router.From(r).Member.ID)
	var ce *errs.ConflictError
	switch {
	case errors.As(err, &ce):
		ui.setFlash(w, "That playbook is already running on this account.")
	case err != nil:
		return err
	default:
		ui.setFlash(w, "Playbook "+run.Name+" started: "+plural(run.Tasks, "task")+".")
	}
	return seeOther(w, r, "/accounts/"+url.PathEscape(id)+"#playbooks")
}
