package integration

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// storeCapture is the capture of a real store, as the app wires it.
func storeCapture(s *store.Store) CaptureFunc {
	return func(ctx context.Context, c feedback.Capture) (string, bool, error) {
		it, created, err := s.Capture(ctx, c)
		return it.ID, created, err
	}
}

// storeHarness serves the hooks on a real store: its capture, and its inbound log of
// raw and ignored deliveries.
func storeHarness(t *testing.T, s *store.Store, opts ...func(*Deps)) *harness {
	t.Helper()
	return newHarness(t, testSecrets, append([]func(*Deps){func(d *Deps) {
		d.Capture = storeCapture(s)
		d.Inbound = s
	}}, opts...)...)
}
