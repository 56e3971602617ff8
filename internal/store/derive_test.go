package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The generic equivalence check must fail when the incremental path is broken: here a
// write whose marks are lost (as if its trigger were missing) and the day moving past a
// window with the roll-ups never told.
func TestDerivedDiffCatchesABrokenIncrementalPath(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		a := storetest.Account(t, s, account.Account{Name: "Acme", Tier: "strategic"})
		p := account.Person{Email: "ann@acme.com", AccountID: a.ID}
		storetest.Must(t, s.CreatePerson(ctx, &p))
		tag := storetest.Tag(t, s, store.Tag{Name: "Export"})
		it := storetest.Capture(t, s, feedback.Capture{Text: "csv export please", Source: feedback.SourceAPI, Email: p.Email, OccurredAt: clock.Now().Add(-time.Hour), Kind: feedback.FeatureRequest})
		if diff, err := s.DerivedDiff(ctx, "ranking", clock.Now()); err != nil || diff != "" {
			t.Fatalf("before any change: diff %q, err %v", diff, err)
		}
		if err := s.TagFeedback(ctx, it.ID, tag.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.DropMarks(ctx, "ranking"); err != nil {
			t.Fatal(err)
		}
		diff, err := s.DerivedDiff(ctx, "ranking", clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(diff, "rebuild only") || !strings.Contains(diff, tag.ID) {
			t.Fatalf("a lost mark went unnoticed: %q", diff)
		}
		// Rebuilt now; the item is in the last 30 days. Forty days on it is not, and the
		// sync that moves the day must recount it (rankRoll marks the units leaving).
		if diff, err := s.DerivedDiff(ctx, "ranking", clock.Now()); err != nil || diff != "" {
			t.Fatalf("after a rebuild: diff %q, err %v", diff, err)
		}
		later := clock.Now().AddDate(0, 0, 40)
		if err := s.SyncRank(ctx, later); err != nil {
			t.Fatal(err)
		}
		if diff, err := s.DerivedDiff(ctx, "ranking", later); err != nil || diff != "" {
			t.Fatalf("the day moving past the window: diff %q, err %v", diff, err)
		}
		rs, err := s.RankTags(ctx, store.RankFilter{LastDays: 30}, later)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 0 {
			t.Fatalf("last 30 days, forty days after the only item: %+v", rs)
		}
		rs, err = s.RankTags(ctx, store.RankFilter{LastDays: 90, Tier: "strategic"}, later)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Rank.Total != 1 || rs[0].TagID != tag.ID {
			t.Fatalf("last 90 days, strategic: %+v", rs)
		}
	})
}

// A rebuild reports its progress and ends with the roll-ups equal to the evidence.
func TestRebuildReportsProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
		tag := storetest.Tag(t, s, store.Tag{Name: "Billing"})
		for i := 0; i < 7; i++ {
			storetest.Capture(t, s, feedback.Capture{Text: "invoice", Source: feedback.SourceAPI, Email: "x@y.com", OccurredAt: now.AddDate(0, 0, -i), TagIDs: []string{tag.ID}})
		}
		var last store.RebuildProgress
		calls := 0
		if err := s.Rebuild(ctx, "ranking", now, func(p store.RebuildProgress) { last = p; calls++ }); err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last.Done != 7 || last.Total != 7 || last.Left() != 0 {
			t.Fatalf("progress: %d calls, last %+v", calls, last)
		}
		if err := s.Rebuild(ctx, "nonesuch", now, nil); err == nil || !strings.Contains(err.Error(), `"nonesuch"`) {
			t.Fatalf("unknown derivation: %v", err)
		}
		roll, raw, err := s.RankBothWays(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(roll[1]) != 1 || roll[1][0].Total != 7 || len(raw[1]) != 1 {
			t.Fatalf("after rebuild: roll %+v raw %+v", roll[1], raw[1])
		}
	})
}
