package api

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
)

// Inbound webhooks' admin view (issue 12): items a help desk sent naming an
// organization that is not an account yet. They are stored without the account and
// attached by the inbound-cleanup job once an account with that external id exists;
// until then an admin sees them here (and with `closeloop reparse --pending`).
func (a *API) registerInbound(rt *router.Router) {
	rt.API("GET /api/v1/inbound/pending-accounts", auth.ScopeAdmin, a.listPendingAccounts)
}

type pendingAccountOut struct {
	FeedbackID        string `json:"feedback_id"`
	Source            string `json:"source"`
	AccountExternalID string `json:"account_external_id"`
	CreatedAt         string `json:"created_at"`
}

func (a *API) listPendingAccounts(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	ps, err := a.Store.PendingAccounts(r.Context(), 1000)
	if err != nil {
		return err
	}
	out := make([]pendingAccountOut, len(ps))
	for i, p := range ps {
		out[i] = pendingAccountOut{FeedbackID: p.FeedbackID, Source: p.Source, AccountExternalID: p.AccountExternalID,
			CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}
