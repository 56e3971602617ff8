package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func usageEvents(at time.Time, ids ...string) []store.UsageEvent {
	out := make([]store.UsageEvent, len(ids))
	for i, id := range ids {
		out[i] = store.UsageEvent{MessageID: id, Type: "track", Event: "E", UserID: "u", Timestamp: at, ReceivedAt: at, Payload: []byte(`{}`)}
	}
	return out
}

// TestUsageDedupWindow: a messageId is refused again for at least one window (and at
// most two), within a commit too; the prune keeps exactly what can still match.
func TestUsageDedupWindow(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 4, 10, 23, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) { // one hour before a bucket edge
		ctx := context.Background()
		const window = 24 * time.Hour
		commit := func(ids ...string) (stored int) {
			t.Helper()
			outs, err := s.CommitUsage(ctx, usageEvents(clock.Now(), ids...), window)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range outs {
				if !o.Duplicate {
					stored++
				}
			}
			return stored
		}
		if n := commit("a", "b", "a"); n != 2 {
			t.Fatalf("first commit stored %d, want 2 (a twice in one commit)", n)
		}
		for _, tc := range []struct {
			after time.Duration
			ids   []string
			want  int
		}{
			{time.Minute, []string{"a", "c"}, 1},    // same bucket
			{2 * time.Hour, []string{"b", "d"}, 1},  // next bucket: b is found in the previous one
			{23 * time.Hour, []string{"a", "e"}, 1}, // just under one window after a
			{24 * time.Hour, []string{"c", "f"}, 1}, // one window after c, still caught
			{50 * time.Hour, []string{"a", "b"}, 2}, // two windows on: forgotten
			{50*time.Hour + time.Minute, []string{"a"}, 0},
		} {
			clock.Set(time.Date(2026, 4, 10, 23, 0, 0, 0, time.UTC).Add(tc.after))
			if n := commit(tc.ids...); n != tc.want {
				t.Errorf("+%s %v: stored %d, want %d", tc.after, tc.ids, n, tc.want)
			}
		}
		st, err := s.UsageStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != 2+1+1+1+1+2 {
			t.Errorf("%+v, want 8 events", st)
		}
		// Two days later the ids of 10 and 11 April's buckets cannot match any more.
		clock.Set(time.Date(2026, 4, 14, 1, 0, 0, 0, time.UTC))
		n, err := s.PruneUsageDedup(ctx, window)
		if err != nil || n == 0 {
			t.Fatalf("dedup prune: %d %v", n, err)
		}
		if got := commit("c"); got != 1 {
			t.Errorf("after the prune c is new again: stored %d", got)
		}
	})
}

// TestUsageDedupFromLastSeen: the window runs from when an id was last seen, so a
// client that keeps resending within each window never stores it twice.
func TestUsageDedupFromLastSeen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const window = 24 * time.Hour
		day1 := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			at   time.Time
			want int
		}{
			{day1, 1},                                  // first seen
			{day1.Add(23 * time.Hour), 0},              // next bucket: found in the previous one
			{day1.Add(46 * time.Hour), 0},              // two buckets on: seen 23 hours ago
			{day1.Add(46*time.Hour + 49*time.Hour), 1}, // two windows after it was last seen
		} {
			s.Now = func() time.Time { return tc.at }
			outs, err := s.CommitUsage(ctx, usageEvents(tc.at, "x", "y"+tc.at.Format(time.RFC3339)), window)
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != 2 || outs[1].Duplicate {
				t.Fatalf("at %s: %+v, want the new id stored", tc.at, outs)
			}
			if got := map[bool]int{true: 0, false: 1}[outs[0].Duplicate]; got != tc.want {
				t.Errorf("at %s: x stored %d times, want %d", tc.at, got, tc.want)
			}
		}
	})
}

// TestUsageDedupAcrossInstances: two instances on one database (on PostgreSQL, two
// app servers) commit the same ids at the same time, in groups that overlap: each id
// is stored once, and every id is answered as stored by exactly one of them.
func TestUsageDedupAcrossInstances(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, d)
		instances := [2]*store.Store{storetest.OpenMigrated(t, dsn), storetest.OpenDSN(t, dsn)}
		now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
		const ids, group, rounds = 300, 100, 6
		var wg sync.WaitGroup
		var stored [2][ids]int
		for n, s := range instances {
			s.Now = func() time.Time { return now }
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < rounds; r++ {
					// Each round sends a window of 100 ids that slides by 50, so
					// consecutive groups and the other instance's groups overlap.
					from := (r*50 + n*25) % (ids - group)
					names := make([]string, group)
					for k := range names {
						names[k] = "id-" + strconv.Itoa(from+k)
					}
					outs, err := s.CommitUsage(ctx, usageEvents(now, names...), 24*time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					for k, o := range outs {
						if !o.Duplicate {
							stored[n][from+k]++
						}
					}
				}
			}()
		}
		wg.Wait()
		st, err := instances[1].UsageStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != st.MessageIDs {
			t.Errorf("%d events for %d messageIds: some stored twice", st.Events, st.MessageIDs)
		}
		answered := 0
		for i := 0; i < ids; i++ {
			if n := stored[0][i] + stored[1][i]; n > 1 {
				t.Errorf("id-%d answered as stored %d times", i, n)
			} else {
				answered += n
			}
		}
		if answered != st.Events || answered == 0 {
			t.Errorf("%d answered as stored, %d stored", answered, st.Events)
		}
	})
}

// TestUsageRetention: PruneUsage deletes events received before the cutoff, however
// far back they go, and nothing after it.
func TestUsageRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		var evs []store.UsageEvent
		for i, d := range []time.Duration{0, 90 * time.Minute, 30 * 24 * time.Hour, 399 * 24 * time.Hour, 401 * 24 * time.Hour} {
			evs = append(evs, usageEvents(base.Add(d), string(rune('a'+i)))...)
		}
		if err := s.InsertUsageRaw(ctx, evs); err != nil {
			t.Fatal(err)
		}
		// 31 days in: the first three (0, 90 min, 30 days) go, an hour-step at a time.
		n, err := s.PruneUsage(ctx, base.Add(31*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("pruned %d, want 3 (received at 0, 90 min and 30 days)", n)
		}
		acc, err := s.UsageAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := acc["d"]; !ok || len(acc) != 2 {
			t.Errorf("left %v, want d and e", acc)
		}
	})
}
