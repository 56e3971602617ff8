package api

import (
	"context"
	"net/http"

	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type playbookList struct {
	Items []playbook.Playbook `json:"items"`
}

func (a *API) playbooks(ctx context.Context) (playbookList, error) {
	ps, err := a.Store.ListPlaybooks(ctx)
	return playbookList{ps}, err
}

type playbookRunList struct {
	Items []store.PlaybookRun `json:"items"`
}

// playbookInput is what a client sends: the playbook without its id and times.
type playbookInput struct {
	Name    string          `json:"name"`
	Signals []string        `json:"signals"`
	Steps   []playbook.Step `json:"steps"`
}

type startPlaybookInput struct {
	PlaybookID string `json:"playbook_id"`
}

func (a *API) createPlaybook(w http.ResponseWriter, r *http.Request) error {
	var in playbookInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	p := playbook.Playbook{Name: in.Name, Signals: in.Signals, Steps: in.Steps}
	if err := a.Store.CreatePlaybook(r.Context(), &p); err != nil {
		return err
	}
	return created(w, "/api/v1/playbooks/"+p.ID, p)
}

func (a *API) getPlaybook(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	p, err := a.Store.GetPlaybook(r.Context(), r.PathValue("id"))
	return found(w, "playbook", p, err)
}

// listPlaybookRuns lists an account's runs (account_id is required: runs are read
// from the account they belong to).
func (a *API) listPlaybookRuns(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id")
	if err != nil {
		return err
	}
	acct := p.str("account_id")
	if acct == "" {
		return router.FieldErr("account_id", "is required")
	}
	if _, err := a.Store.GetAccount(r.Context(), acct); err != nil {
		return notFound(err, "account")
	}
	runs, err := a.Store.ListPlaybookRuns(r.Context(), acct)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, playbookRunList{runs})
}

// startPlaybook starts a playbook on the account for the key's creator.
func (a *API) startPlaybook(w http.ResponseWriter, r *http.Request) error {
	var in startPlaybookInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.PlaybookID == "" {
		return router.FieldErr("playbook_id", "is required")
	}
	run, err := a.Store.StartPlaybook(r.Context(), in.PlaybookID, r.PathValue("id"), memberOf(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, run)
}
