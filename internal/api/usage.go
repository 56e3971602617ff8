package api

import (
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/router"
)

// accountUsage: GET /api/v1/usage/accounts/{id}?days=N — the account's daily active
// users and events (every day of the range, zeros included), top events and last
// seen, from the daily roll-ups. (Not /accounts/{id}/usage: Go's ServeMux finds that
// ambiguous with /accounts/by-external-id/{external_id}.)
func (a *API) accountUsage(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "days")
	if err != nil {
		return err
	}
	days := 90
	if v := p.str("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 1 || days > 400 {
			return router.FieldErr("days", "must be a whole number from 1 to 400")
		}
	}
	id := r.PathValue("id")
	if _, err := a.Store.GetAccount(r.Context(), id); err != nil {
		return notFound(err, "account")
	}
	u, err := a.Store.AccountUsage(r.Context(), id, a.Store.Now(), days)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}
