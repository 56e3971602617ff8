package store_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The cadence policy, hand-worked (defaults: strategic 3 days, important 7,
// standard 30, any other tier 30; email, call, meeting and chat count, notes never):
// in touch exactly a cadence ago is on time, a day more is overdue. The accounts list
// filter and each account's health agree; changing which kinds count moves accounts.
func TestCadenceOverdue(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		s.Tiers = append(s.Tiers, "gold")
		type touch struct {
			kind account.TouchpointKind
			ago  int // days
		}
		cases := []struct {
			name, tier string
			touches    []touch
			overdue    bool
		}{
			{"strat-3", "strategic", []touch{{account.Email, 3}}, false},
			{"strat-4", "strategic", []touch{{account.Email, 4}}, true},
			{"imp-note", "important", []touch{{account.Note, 1}, {account.Call, 8}}, true},
			{"imp-chat", "important", []touch{{account.Chat, 7}}, false},
			{"std-never", "standard", nil, true},
			{"std-29", "standard", []touch{{account.Meeting, 29}}, false},
			{"gold-31", "gold", []touch{{account.Email, 31}}, true},
		}
		ids := map[string]string{}
		for _, c := range cases {
			a := &account.Account{Name: c.name, Tier: c.tier}
			storetest.Accounts(t, s, a)
			ids[a.ID] = c.name
			for _, tc := range c.touches {
				// Late in the day: only the day counts, not the hour.
				at := clock.Now().Truncate(24*time.Hour).AddDate(0, 0, -tc.ago).Add(23 * time.Hour)
				storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: a.ID, Kind: tc.kind, OccurredAt: at, Summary: "x"}))
			}
		}
		overdue := func() string {
			t.Helper()
			p, err := s.ListAccounts(ctx, store.AccountFilter{CadenceOverdue: true, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range p.Items {
				names = append(names, a.Name)
				h, err := s.AccountHealth(ctx, a.ID, clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				if !h.CadenceOverdue {
					t.Errorf("%s is overdue in the list, not in its health (%d days, cadence %d)", a.Name, h.DaysSinceContact, h.CadenceDays)
				}
			}
			sort.Strings(names)
			if len(names) != p.Total {
				t.Fatalf("total %d, %d items", p.Total, len(names))
			}
			return strings.Join(names, " ")
		}
		if got, want := overdue(), "gold-31 imp-note std-never strat-4"; got != want {
			t.Fatalf("overdue: %s, want %s", got, want)
		}
		for id, name := range ids {
			h, err := s.AccountHealth(ctx, id, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Contains("gold-31 imp-note std-never strat-4", name); h.CadenceOverdue != want {
				t.Errorf("%s: health says overdue %v (%d days, cadence %d)", name, h.CadenceOverdue, h.DaysSinceContact, h.CadenceDays)
			}
		}
		hs, err := s.HealthSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hs.ContactKinds = []string{"email", "call", "meeting"}
		hs.Cadence["gold"] = 60
		if err := s.PutHealthSettings(ctx, hs); err != nil {
			t.Fatal(err)
		}
		if got, want := overdue(), "imp-chat imp-note std-never strat-4"; got != want {
			t.Fatalf("with chat not counting and gold at 60 days: %s, want %s", got, want)
		}
	})
}

// A tier taken out of the saved cadences reads back without it (and so gets the
// default cadence), instead of coming back with its shipped value.
func TestCadenceRemovedTierStaysRemoved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hs, err := s.HealthSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hs.Cadence = map[string]int{"strategic": 2}
		hs.DefaultCadence = 45
		if err := s.PutHealthSettings(ctx, hs); err != nil {
			t.Fatal(err)
		}
		got, err := s.HealthSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Cadence) != 1 || got.Cadence["strategic"] != 2 || got.CadenceFor("important") != 45 {
			t.Fatalf("cadences read back: %v, important %d", got.Cadence, got.CadenceFor("important"))
		}
	})
}
