package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Health history pruning keeps HistoryRetention days up to today: with days recorded
// on June 1 2025, December 18 2025 (200 days later) and October 14 2026 (500 days
// after June 1), the default 400 days keep everything from September 10 2025 on —
// the last two — and 91 days only the last.
func TestPruneHealthHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
		days := []time.Time{first, first.AddDate(0, 0, 200), first.AddDate(0, 0, 500)}
		for _, name := range []string{"One", "Two"} {
			storetest.Must(t, s.CreateAccount(ctx, &account.Account{Name: name, Tier: "standard"}))
		}
		for _, d := range days {
			if err := s.SyncHealth(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		recorded := func() []string {
			t.Helper()
			var out []string
			if err := s.EachHealthHistory(ctx, store.HealthHistoryFilter{}, func(r store.HealthHistoryRow) error {
				if r.AccountName == "One" {
					out = append(out, r.Day)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if got := fmt.Sprint(recorded()); got != "[2025-06-01 2025-12-18 2026-10-14]" {
			t.Fatalf("recorded %s", got)
		}
		now := days[2]
		if n, err := s.PruneHealthHistory(ctx, now); err != nil || n != 2 {
			t.Fatalf("pruned %d %v", n, err)
		}
		if got := fmt.Sprint(recorded()); got != "[2025-12-18 2026-10-14]" {
			t.Fatalf("after 400 days: %s", got)
		}
		hs, err := s.HealthSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hs.HistoryDays = 91
		if err := s.PutHealthSettings(ctx, hs); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PruneHealthHistory(ctx, now); err != nil || n != 2 {
			t.Fatalf("pruned %d %v", n, err)
		}
		if got := fmt.Sprint(recorded()); got != "[2026-10-14]" {
			t.Fatalf("after 91 days: %s", got)
		}
	})
}
