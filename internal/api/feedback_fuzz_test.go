package api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/router"
)

// FuzzCaptureBatch feeds arbitrary bodies to the feedback batch decoder: it must never
// panic, must refuse with a 400 that has a message, and must never let submitted_by in
// from a body or accept more than the batch limit.
func FuzzCaptureBatch(f *testing.F) {
	for _, seed := range []string{
		`{"items": [{"text": "a", "tag_ids": ["x"], "occurred_at": "2025-01-01"}]}`,
		`{"items": [{"text": "a", "submitted_by": "m1"}]}`,
		`{"items": [{"text": "a", "account_id": "x", "account_external_id": "y"}]}`,
		`{"items": [{"text": "a", "tag_ids": [""]}]}`,
		`{"items": [{"text": null}]}`, `{"items": [null]}`, `{"items": {}}`, `{}`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cs, err := decodeBulkItems(body, "items", decodeCapture)
		if err != nil {
			var e *router.Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Msg == "" {
				t.Fatalf("refusal is not a 400 with a message: %#v", err)
			}
			return
		}
		if len(cs) > maxBulk {
			t.Fatalf("accepted %d items", len(cs))
		}
		for _, c := range cs {
			if c.SubmittedBy != "" {
				t.Fatalf("submitted_by taken from the body: %+v", c)
			}
			if c.Source == "" {
				t.Fatalf("source not defaulted: %+v", c)
			}
		}
	})
}
