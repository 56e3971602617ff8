package api

import (
	"io"
	"net/http"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type taskList struct {
	Items []store.Task `json:"items"`
}

func (a *API) listTasks(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "owner_id", "unowned", "status", "signal", "limit", "format")
	if err != nil {
		return err
	}
	csv, err := csvFormat(p)
	if err != nil {
		return err
	}
	f := store.TaskFilter{AccountID: p.str("account_id"), OwnerID: p.str("owner_id")}
	if f.Unowned, err = p.boolean("unowned"); err != nil {
		return err
	}
	if f.Unowned && f.OwnerID != "" {
		return router.FieldErr("unowned", "cannot be combined with owner_id")
	}
	if f.Status, err = p.oneOf("status", "open", "done"); err != nil {
		return err
	}
	if f.Signal, err = p.oneOf("signal", health.SignalRules...); err != nil {
		return err
	}
	if f.Limit, err = p.limit(100); err != nil {
		return err
	}
	if csv {
		return writeCSV(w, "tasks.csv", func(out io.Writer) error {
			_, err := csvio.ExportTasks(r.Context(), a.Store, out, f)
			return err
		})
	}
	ts, err := a.Store.ListTasks(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, taskList{ts})
}

type taskDoneInput struct {
	Note string `json:"note"`
}

// completeTask marks a task done by the key's creator.
func (a *API) completeTask(w http.ResponseWriter, r *http.Request) error {
	var in taskDoneInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	t, err := a.Store.CompleteTask(r.Context(), r.PathValue("id"), memberOf(r), in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

type signalList struct {
	Items []store.Signal `json:"items"`
}

func (a *API) listSignals(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "limit", "format")
	if err != nil {
		return err
	}
	csv, err := csvFormat(p)
	if err != nil {
		return err
	}
	limit, err := p.limit(100)
	if err != nil {
		return err
	}
	if csv {
		return writeCSV(w, "signals.csv", func(out io.Writer) error {
			_, err := csvio.ExportSignals(r.Context(), a.Store, out, p.str("account_id"))
			return err
		})
	}
	sigs, err := a.Store.ListSignals(r.Context(), p.str("account_id"), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, signalList{sigs})
}
