package store_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// switchRule turns the signal rule on or off in the stored health settings, as an
// admin does on the settings page, failing the test if it cannot.
func switchRule(t testing.TB, s *store.Store, rule string, on bool) {
	t.Helper()
	ctx := context.Background()
	hs, err := s.HealthSettings(ctx)
	storetest.Must(t, err)
	r := hs.Rules[rule]
	r.Enabled = on
	hs.Rules[rule] = r
	storetest.Must(t, s.PutHealthSettings(ctx, hs))
}
