package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The daily usage roll-ups equal a rebuild after any history of events: attributed
// tracks, pages and screens on random days, events from users attributed later (an
// identify naming their company), identity calls (which are not activity) and prunes.
func TestUsageRollupsMatchRebuild(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		n := 0
		commit := func(evs ...store.UsageEvent) error {
			for i := range evs {
				n++
				evs[i].MessageID = fmt.Sprintf("m%d", n)
				evs[i].ReceivedAt = clock.Now()
				evs[i].Payload = []byte(`{}`)
			}
			_, err := s.CommitUsage(ctx, evs, 24*time.Hour)
			return err
		}
		groups := []string{"acme", "globex", "initech"}
		for _, g := range groups {
			if err := commit(store.UsageEvent{Type: "group", UserID: "founder-" + g, GroupID: g, Timestamp: clock.Now().AddDate(0, 0, -60), Traits: []byte(`{"name":"` + g + `"}`)}); err != nil {
				t.Fatal(err)
			}
		}
		names := []string{"Report Created", "Invite Sent", "Login"}
		store.CheckDerivation(t, s, "usage", 300, 25, clock.Now, func(step int, rng *rand.Rand) error {
			at := clock.Now().AddDate(0, 0, -rng.IntN(40)).Add(-time.Duration(rng.IntN(86400)) * time.Second)
			user := fmt.Sprintf("u%d", rng.IntN(12))
			switch op := rng.IntN(10); {
			case op < 5:
				return commit(store.UsageEvent{Type: "track", Event: names[rng.IntN(len(names))], UserID: user, GroupID: groups[rng.IntN(len(groups))], Timestamp: at})
			case op < 6:
				return commit(store.UsageEvent{Type: []string{"page", "screen"}[rng.IntN(2)], Event: "Home", AnonymousID: fmt.Sprintf("anon%d", rng.IntN(5)), GroupID: groups[0], Timestamp: at})
			case op < 8: // a user with no company yet: attributed when identified
				return commit(store.UsageEvent{Type: "track", Event: "Login", UserID: "late-" + user, Timestamp: at})
			case op < 9:
				return commit(store.UsageEvent{Type: "identify", UserID: "late-" + user, GroupID: groups[rng.IntN(len(groups))], Timestamp: at,
					Traits: []byte(`{"email":"` + user + `@example.com"}`)})
			default:
				_, err := s.PruneUsage(ctx, clock.Now().AddDate(0, 0, -35))
				return err
			}
		})
		u := usageOf(t, s, "acme", clock.Now(), 90)
		if len(u.Days) != 90 || u.Days[89].Day != "2026-06-15" || u.Events == 0 || u.ActiveUsers == 0 || len(u.TopEvents) == 0 || u.LastSeen == nil {
			t.Fatalf("acme's usage exercised nothing: %+v", u)
		}
		sum := 0
		for _, d := range u.Days {
			sum += d.Events
		}
		if sum != u.Events {
			t.Fatalf("days add to %d events, total says %d", sum, u.Events)
		}
	})
}

// Hand-worked: two users on one day, one of them twice and once on a page; a day
// with none; the identify call is not activity.
func TestAccountUsageFigures(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		var evs []store.UsageEvent
		add := func(typ, event, user string, at time.Time) {
			evs = append(evs, store.UsageEvent{MessageID: fmt.Sprintf("m%d", len(evs)), Type: typ, Event: event, UserID: user, GroupID: "acme",
				Timestamp: at, ReceivedAt: clock.Now(), Payload: []byte(`{}`)})
		}
		day1 := clock.Now().AddDate(0, 0, -2)
		add("group", "", "ann", day1)
		add("identify", "", "ann", day1)
		add("track", "Report Created", "ann", day1)
		add("track", "Report Created", "ann", day1.Add(time.Minute))
		add("page", "Pricing", "bob", day1.Add(2*time.Minute))
		add("track", "Invite Sent", "bob", clock.Now().Add(-time.Hour))
		if _, err := s.CommitUsage(ctx, evs, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		u := usageOf(t, s, "acme", clock.Now(), 3)
		want := []store.UsageDay{{"2026-06-13", 2, 3}, {"2026-06-14", 0, 0}, {"2026-06-15", 1, 1}}
		if fmt.Sprint(u.Days) != fmt.Sprint(want) || u.ActiveUsers != 2 || u.Events != 4 {
			t.Fatalf("days %+v (want %+v), %d users, %d events", u.Days, want, u.ActiveUsers, u.Events)
		}
		if fmt.Sprint(u.TopEvents) != "[{Report Created 2} {Invite Sent 1} {page 1}]" {
			t.Fatalf("top events: %v", u.TopEvents)
		}
		if u.LastSeen == nil || !u.LastSeen.Equal(clock.Now().Add(-time.Hour)) {
			t.Fatalf("last seen %v", u.LastSeen)
		}
	})
}

// usageOf reads the last days of usage of the account with external id ext, failing
// the test if it cannot.
func usageOf(t *testing.T, s *store.Store, ext string, now time.Time, days int) store.AccountUsage {
	t.Helper()
	ctx := context.Background()
	acct, err := s.GetAccountByExternalID(ctx, ext)
	storetest.Must(t, err)
	u, err := s.AccountUsage(ctx, acct.ID, now, days)
	storetest.Must(t, err)
	return u
}
