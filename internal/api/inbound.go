package api

import (
	"context"

	"github.com/closeloop/closeloop/internal/store"
)

type pendingAccountOut struct {
	FeedbackID        string `json:"feedback_id"`
	Source            string `json:"source"`
	AccountExternalID string `json:"account_external_id"`
	CreatedAt         string `json:"created_at"`
}

// pendingAccounts are the inbound webhooks' admin view (issue 12): items a help desk
// sent naming an organization that is not an account yet. They are stored without the
// account and attached by the inbound-cleanup job once an account with that external
// id exists; until then an admin sees them here (and with `closeloop reparse --pending`).
func (a *API) pendingAccounts(ctx context.Context) ([]pendingAccountOut, error) {
	ps, err := a.Store.PendingAccounts(ctx, 1000)
	return mapAll(ps, func(p store.PendingAccount) pendingAccountOut {
		return pendingAccountOut{FeedbackID: p.FeedbackID, Source: p.Source, AccountExternalID: p.AccountExternalID,
			CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	}), err
}
