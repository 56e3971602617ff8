package api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/router"
)

// FuzzBulkAccounts feeds arbitrary bodies to the bulk decoder: it must never panic,
// must refuse with a 400 that a client can act on, and must never accept more than
// the batch limit.
func FuzzBulkAccounts(f *testing.F) {
	for _, seed := range []string{
		`{"accounts": [{"external_id": "a", "name": "A", "mrr": 100, "currency": "USD"}]}`,
		`{"accounts": [{"external_id": "a", "icp_fit": null, "traits": {"x": [1, {"y": null}]}}]}`,
		`{"accounts": [{"external_id": "a", "mrr_effective_at": "2025-01-01T00:00:00Z", "mrr": 1}]}`,
		`{"accounts": [{"external_id": "a", "seats": "many"}]}`,
		`{"accounts": [null, 1, "x", []]}`,
		`{"accounts": null}`, `{"accounts": {}}`, `{"other": 1}`, `[]`, `null`, ``, `{`, `{"accounts": []} x`,
		"{\"accounts\": [{\"name\": \"\xff\"}]}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		patches, err := decodeBulkItems(body, "accounts", decodeAccountPatch)
		if err != nil {
			var e *router.Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Msg == "" {
				t.Fatalf("refusal is not a 400 with a message: %#v", err)
			}
			return
		}
		if len(patches) > maxBulk {
			t.Fatalf("accepted %d items", len(patches))
		}
		for _, p := range patches {
			if p.Currency != nil && p.MRR == nil {
				t.Fatalf("currency without mrr accepted: %+v", p)
			}
		}
	})
}
