package api

import (
	"context"
	"io"
	"net/http"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// health is an account's health today as the API shows it: history always an array.
func (a *API) health(ctx context.Context, accountID string) (store.AccountHealth, error) {
	h, err := a.Store.AccountHealth(ctx, accountID, a.Store.Now())
	if h.History == nil {
		h.History = []store.HealthPoint{}
	}
	return h, err
}

// accountHealth answers a GET of an account's health, and a pulse set on it.
func (a *API) accountHealth(w http.ResponseWriter, r *http.Request) error {
	return getDocOf("account", a.Store.GetAccount, a.health)(w, r)
}

type pulseInput struct {
	Pulse int    `json:"pulse"` // 1–5; 0 clears it
	Note  string `json:"note"`
}

func (a *API) putHealthPulse(w http.ResponseWriter, r *http.Request) error {
	var in pulseInput
	o, err := decodeBody(w, r, &in)
	if err != nil {
		return err
	}
	if !o.has("pulse") {
		return router.FieldErr("pulse", "is required: 1 to 5, or 0 to clear")
	}
	id := r.PathValue("id")
	if err := a.Store.SetHealthPulse(r.Context(), id, memberOf(r), in.Pulse, in.Note); err != nil {
		return err
	}
	return a.accountHealth(w, r)
}

// healthHistoryCSV exports the recorded days (every account's, or one's) as CSV:
// each day's score and each component's score, weight and contribution.
func (a *API) healthHistoryCSV(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "from", "to")
	if err != nil {
		return err
	}
	f := store.HealthHistoryFilter{AccountID: p.str("account_id")}
	if f.From, err = p.date("from"); err != nil {
		return err
	}
	if f.To, err = p.date("to"); err != nil {
		return err
	}
	if f.AccountID != "" {
		if _, err := a.Store.GetAccount(r.Context(), f.AccountID); err != nil {
			return notFound(err, "account")
		}
	}
	return writeCSV(w, "health-history.csv", func(out io.Writer) error {
		_, err := csvio.ExportHealthHistory(r.Context(), a.Store, out, f)
		return err
	})
}
