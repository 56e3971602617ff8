package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// today is the demo's "now" for the account, revenue, feedback and cancellation
// tests; storyDay is the one the health, usage and survey stories are told on.
var (
	today    = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	storyDay = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
)

// generate fills s with demo.Generate's accounts for opts, failing the test when they
// cannot be made.
func generate(t *testing.T, s *store.Store, opts demo.Options) demo.Summary {
	t.Helper()
	sum, err := demo.Generate(context.Background(), s, opts)
	storetest.Must(t, err)
	return sum
}

// eachGenerated runs fn as a subtest per dialect on a fresh store that generate has
// filled for opts, with the summary of what it made.
func eachGenerated(t *testing.T, opts demo.Options, fn func(t *testing.T, s *store.Store, sum demo.Summary)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fn(t, s, generate(t, s, opts))
	})
}

// generateUsage adds demo.GenerateUsage's events for opts to s, failing the test
// when they cannot be made.
func generateUsage(t *testing.T, s *store.Store, opts demo.UsageOptions) demo.UsageSummary {
	t.Helper()
	sum, err := demo.GenerateUsage(context.Background(), s, opts)
	storetest.Must(t, err)
	return sum
}
