package api

import (
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

// FuzzCaptureBatch feeds arbitrary bodies to the feedback batch decoder: it must never
// panic, must refuse with a 400 that has a message, and must never let submitted_by in
// from a body or accept more than the batch limit.
func FuzzCaptureBatch(f *testing.F) {
	fuzzBulk(f, "items", decodeCapture, []string{
		`{"items": [{"text": "a", "tag_ids": ["x"], "occurred_at": "2025-01-01"}]}`,
		`{"items": [{"text": "a", "submitted_by": "m1"}]}`,
		`{"items": [{"text": "a", "account_id": "x", "account_external_id": "y"}]}`,
		`{"items": [{"text": "a", "tag_ids": [""]}]}`,
		`{"items": [{"text": null}]}`, `{"items": [null]}`, `{"items": {}}`, `{}`, `[]`, ``,
	}, func(t *testing.T, c feedback.Capture) {
		if c.SubmittedBy != "" {
			t.Fatalf("submitted_by taken from the body: %+v", c)
		}
		if c.Source == "" {
			t.Fatalf("source not defaulted: %+v", c)
		}
	})
}
