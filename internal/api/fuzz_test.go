package api

import (
	"testing"

	"github.com/closeloop/closeloop/internal/account"
)

// FuzzBulkAccounts feeds arbitrary bodies to the bulk decoder: it must never panic,
// must refuse with a 400 that a client can act on, and must never accept more than
// the batch limit.
func FuzzBulkAccounts(f *testing.F) {
	fuzzBulk(f, "accounts", decodeAccountPatch, []string{
		`{"accounts": [{"external_id": "a", "name": "A", "mrr": 100, "currency": "USD"}]}`,
		`{"accounts": [{"external_id": "a", "icp_fit": null, "traits": {"x": [1, {"y": null}]}}]}`,
		`{"accounts": [{"external_id": "a", "mrr_effective_at": "2025-01-01T00:00:00Z", "mrr": 1}]}`,
		`{"accounts": [{"external_id": "a", "seats": "many"}]}`,
		`{"accounts": [null, 1, "x", []]}`,
		`{"accounts": null}`, `{"accounts": {}}`, `{"other": 1}`, `[]`, `null`, ``, `{`, `{"accounts": []} x`,
		"{\"accounts\": [{\"name\": \"\xff\"}]}",
	}, func(t *testing.T, p account.AccountPatch) {
		if p.Currency != nil && p.MRR == nil {
			t.Fatalf("currency without mrr accepted: %+v", p)
		}
	})
}
