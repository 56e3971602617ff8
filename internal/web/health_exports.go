package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// CSV exports of the health loop for the team (the API has the same under
// /api/v1/health/history and ?format=csv): an account's health history (or every
// account's), tasks, and the signals firing now.

func csvHeaders(w http.ResponseWriter, name string) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
}

func badQuery(field, msg string) error {
	return router.Errorf(http.StatusBadRequest, "%s: %s", field, msg)
}

// healthHistoryCSV: GET /export/health.csv[?account=ID&from=&to=].
func (ui *Web) healthHistoryCSV(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.HealthHistoryFilter{AccountID: q.Get("account"), From: q.Get("from"), To: q.Get("to")}
	for field, v := range map[string]string{"from": f.From, "to": f.To} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			return badQuery(field, "use a date such as 2026-01-31")
		}
	}
	name := "health-history.csv"
	if f.AccountID != "" {
		if _, err := ui.getAccount(r.Context(), f.AccountID); err != nil {
			return err
		}
		name = "health-history-" + f.AccountID + ".csv"
	}
	csvHeaders(w, name)
	_, err := csvio.ExportHealthHistory(r.Context(), ui.Store, w, f)
	return err
}

// tasksCSV: GET /export/tasks.csv[?owner=me|ID&status=open|done&account=ID].
func (ui *Web) tasksCSV(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.TaskFilter{AccountID: q.Get("account"), OwnerID: q.Get("owner"), Status: q.Get("status")}
	if f.OwnerID == "me" {
		f.OwnerID = router.From(r).Member.ID
	}
	if f.Status != "" && f.Status != "open" && f.Status != "done" {
		return badQuery("status", "must be open or done")
	}
	if s := q.Get("signal"); s != "" {
		if !slices.Contains(health.SignalRules, s) {
			return badQuery("signal", "is not a signal rule")
		}
		f.Signal = s
	}
	csvHeaders(w, "tasks.csv")
	_, err := csvio.ExportTasks(r.Context(), ui.Store, w, f)
	return err
}

// signalsCSV: GET /export/signals.csv[?account=ID].
func (ui *Web) signalsCSV(w http.ResponseWriter, r *http.Request) error {
	csvHeaders(w, "signals.csv")
	_, err := csvio.ExportSignals(r.Context(), ui.Store, w, r.URL.Query().Get("account"))
	return err
}
