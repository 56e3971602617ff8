package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// storedIDs commits ids at now and returns those stored (not duplicates), in order.
func storedIDs(t *testing.T, s *store.Store, now time.Time, ids ...string) []string {
	t.Helper()
	s.Now = func() time.Time { return now }
	outs, err := s.CommitUsage(context.Background(), usageEvents(now, ids...), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, o := range outs {
		if !o.Duplicate {
			out = append(out, ids[i])
		}
	}
	return out
}

// TestUsageDedupAfterRestart: a store opened afresh on the database (a restart, or a
// second instance) knows the ids the first one committed, and the first learns the
// second's at its next commit: on SQLite the window's look-ups are served from memory,
// which must follow the usage_seen log, not what this process happened to write.
func TestUsageDedupAfterRestart(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			first := storetest.OpenDSN(t, dsn)
			if _, err := first.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
			if got := storedIDs(t, first, now, "a", "b"); !slices.Equal(got, []string{"a", "b"}) {
				t.Fatalf("first commit stored %v", got)
			}
			second := storetest.OpenDSN(t, dsn)
			if got := storedIDs(t, second, now.Add(time.Hour), "a", "c", "b"); !slices.Equal(got, []string{"c"}) {
				t.Errorf("after a restart stored %v, want only c", got)
			}
			if got := storedIDs(t, first, now.Add(2*time.Hour), "c", "d"); !slices.Equal(got, []string{"d"}) {
				t.Errorf("the first instance stored %v, want only d (c came from the second)", got)
			}
			// Next day's bucket: b is found in the previous one and recorded again, so a
			// third store opened two days after b was first seen still refuses it.
			if got := storedIDs(t, second, now.Add(25*time.Hour), "b"); len(got) != 0 {
				t.Errorf("a day on, stored %v, want b refused", got)
			}
			third := storetest.OpenDSN(t, dsn)
			if got := storedIDs(t, third, now.Add(48*time.Hour), "b", "a"); !slices.Equal(got, []string{"a"}) {
				t.Errorf("two days on, a fresh store stored %v, want a (last seen two days ago) and not b", got)
			}
		})
	}
}

// TestUsageDedupForgetsARolledBackCommit: ids of a commit that failed are not
// remembered, so the client's retry stores the events.
func TestUsageDedupForgetsARolledBackCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		refuse := map[string][]string{
			"sqlite": {`CREATE TRIGGER usage_refuse BEFORE INSERT ON usage_events WHEN NEW.message_id = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END`},
			"postgres": {
				`CREATE FUNCTION usage_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.message_id = 'boom' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER usage_refuse BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION usage_refuse()`,
			},
		}[s.Dialect()]
		for _, stmt := range refuse {
			storetest.Must(t, s.ExecRaw(ctx, stmt))
		}
		now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		if _, err := s.CommitUsage(ctx, usageEvents(now, "x", "boom"), 24*time.Hour); err == nil {
			t.Fatal("the refused commit succeeded")
		}
		storetest.Must(t, s.ExecRaw(ctx, `DROP TRIGGER usage_refuse`+map[string]string{"sqlite": "", "postgres": " ON usage_events"}[s.Dialect()]))
		if got := storedIDs(t, s, now, "x", "boom"); !slices.Equal(got, []string{"x", "boom"}) {
			t.Errorf("the retry stored %v, want both: the failed commit recorded nothing", got)
		}
		if got := storedIDs(t, s, now, "x", "boom"); len(got) != 0 {
			t.Errorf("a resend stored %v, want nothing", got)
		}
	})
}

// TestUsageDedupCarriesOverTheUpgrade: on SQLite, migration 0033 moves the ids that
// were in usage_dedup to the usage_seen log, so events resent just before and after
// the upgrade are still refused.
func TestUsageDedupCarriesOverTheUpgrade(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			old := storetest.OpenDSN(t, dsn)
			storetest.Must(t, old.MigrateBefore(ctx, "usage_seen"))
			now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
			bucket := now.UnixMilli() / (24 * time.Hour).Milliseconds()
			// What the old release's commit of a and b left: their rows and ids.
			storetest.Must(t, old.InsertUsageRaw(ctx, usageEvents(now, "a", "b")))
			for _, id := range []string{"a", "b"} {
				storetest.Must(t, old.ExecRaw(ctx, `INSERT INTO usage_dedup (bucket, message_id) VALUES (?, ?)`, bucket, id))
			}
			s := storetest.OpenDSN(t, dsn)
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if got := storedIDs(t, s, now.Add(time.Hour), "a", "b", "c"); !slices.Equal(got, []string{"c"}) {
				t.Errorf("after the upgrade stored %v, want only c", got)
			}
		})
	}
}

// TestUsageDedupMemoryBound: on SQLite the window's ids in memory stay under the bound;
// past it the oldest are forgotten, so their resend is stored again (a duplicate, the
// documented degradation), while recent ids are still refused. Nothing is refused
// that was not seen.
func TestUsageDedupMemoryBound(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	s.SetUsageDedupMaxIDs(25)
	now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
	var all []string
	for c := 0; c < 6; c++ {
		ids := make([]string, 10)
		for k := range ids {
			ids[k] = "m" + string(rune('a'+c)) + string(rune('0'+k))
		}
		if got := storedIDs(t, s, now, ids...); len(got) != 10 {
			t.Fatalf("commit %d stored %v, want all 10 new ids", c, got)
		}
		all = append(all, ids...)
		if held, _ := s.UsageDedupMemory(); held > 25 {
			t.Fatalf("after commit %d the window holds %d ids in memory, bound 25", c, held)
		}
	}
	held, evicted := s.UsageDedupMemory()
	if evicted == 0 || held+evicted != 60 {
		t.Errorf("held %d, evicted %d: want some evicted and the two to add up to the 60 ids", held, evicted)
	}
	if got := storedIDs(t, s, now, all[50:]...); len(got) != 0 {
		t.Errorf("the newest ids were stored again: %v", got)
	}
	if got := storedIDs(t, s, now, all[:10]...); len(got) != 10 {
		t.Errorf("the oldest, forgotten ids: stored %v, want all 10 again", got)
	}
}
