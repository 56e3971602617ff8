package api

import (
	"io"
	"net/http"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// registerHealth: an account's health (not /accounts/{id}/health: Go's ServeMux finds
// that ambiguous with /accounts/by-external-id/{external_id}, as the usage API did),
// the owner's pulse, and the health and cadence policy.
func (a *API) registerHealth(rt *router.Router) {
	rt.API("GET /api/v1/health/accounts/{id}", auth.ScopeRead, a.accountHealth)
	rt.API("GET /api/v1/health/history", auth.ScopeRead, a.healthHistoryCSV)
	rt.API("PUT /api/v1/health/accounts/{id}/pulse", auth.ScopeWrite, a.putHealthPulse)
	rt.API("GET /api/v1/settings/health", auth.ScopeRead, a.getHealthSettings)
	// The weights and cadence decide which accounts the whole team sees as at risk.
	rt.API("PUT /api/v1/settings/health", auth.ScopeAdmin, a.putHealthSettings)
}

func (a *API) accountHealth(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := a.Store.GetAccount(r.Context(), id); err != nil {
		return notFound(err, "account")
	}
	h, err := a.Store.AccountHealth(r.Context(), id, a.Store.Now())
	if err != nil {
		return err
	}
	if h.History == nil {
		h.History = []store.HealthPoint{}
	}
	return writeJSON(w, http.StatusOK, h)
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

func (a *API) getHealthSettings(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	s, err := a.Store.HealthSettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

// putHealthSettings replaces the whole policy. Weight sets are kept by version: a
// client adds a new set and makes it active rather than editing the one in use, so
// the history keeps saying which weights each day was scored with.
func (a *API) putHealthSettings(w http.ResponseWriter, r *http.Request) error {
	var in health.Settings
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if err := a.Store.PutHealthSettings(r.Context(), in); err != nil {
		return err
	}
	return a.getHealthSettings(w, r)
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
