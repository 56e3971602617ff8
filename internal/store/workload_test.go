package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/workload"
)

// Workload sums each member's accounts per tier from the database (churned ones
// left out, EUR converted with the ranking rates), lists a member with no accounts,
// puts accounts nobody owns last, and the capacity setting decides who is over.
func TestWorkload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := &auth.Member{Email: "ann@example.com", Name: "Ann", Role: auth.RoleMember}
		ben := &auth.Member{Email: "ben@example.com", Name: "Ben", Role: auth.RoleMember}
		vic := &auth.Member{Email: "vic@example.com", Name: "Vic", Role: auth.RoleViewer}
		storetest.Members(t, s, ann, ben, vic)
		rk, err := s.RankSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rk.Rates = map[string]float64{"EUR": 1.5}
		if err := s.PutSetting(ctx, "ranking", rk); err != nil {
			t.Fatal(err)
		}
		add := func(name, tier, owner string, stage account.Stage, mrr int64, cur string) {
			t.Helper()
			a := &account.Account{Name: name, Tier: tier, OwnerID: owner, Stage: stage}
			storetest.Accounts(t, s, a)
			if mrr > 0 {
				if _, _, err := s.SetMRR(ctx, a.ID, mrr, cur, time.Now().Add(-time.Hour), ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		add("A1", "strategic", ann.ID, account.Active, 1000_00, "USD")
		add("A2", "strategic", ann.ID, account.AtRisk, 500_00, "EUR") // 750 USD
		add("A3", "standard", ann.ID, account.Active, 0, "")
		add("A4", "standard", ann.ID, account.Churned, 0, "") // churned: not counted
		add("N1", "standard", "", account.Active, 100_00, "USD")
		// Capacity: strategic 2 accounts or $20,000 ARR, standard 1 account.
		ws := workload.Settings{Capacity: map[string]workload.Capacity{"strategic": {Accounts: 2, ARR: 20_000_00}, "standard": {Accounts: 1}}}
		if err := s.PutWorkloadSettings(ctx, ws); err != nil {
			t.Fatal(err)
		}
		wl, err := s.Workload(ctx, []string{"strategic", "important", "standard"})
		if err != nil {
			t.Fatal(err)
		}
		if wl.Currency != "USD" || len(wl.Members) != 3 {
			t.Fatalf("workload: %+v", wl)
		}
		a, b, none := wl.Members[0], wl.Members[1], wl.Members[2]
		// Ann: strategic 2/2 = 1 + standard 1/1 = 1 → 200%, over; ARR (1000 + 750) × 12 = 21,000 of 20,000 = 1.05.
		if a.Name != "Ann" || a.Accounts != 3 || a.ARR != 21_000_00 || a.AccountsLoad != 2 || a.ARRLoad != 1.05 || !a.Over || len(a.Tiers) != 2 ||
			a.Tiers[0].Tier != "strategic" || a.Tiers[0].Accounts != 2 || a.Tiers[0].ARR != 21_000_00 || !a.Tiers[0].Over ||
			a.Tiers[1].Tier != "standard" || a.Tiers[1].Accounts != 1 || a.Tiers[1].Over {
			t.Fatalf("ann: %+v", a)
		}
		// Ben: nothing yet, listed; Vic, a viewer owning nothing, is not.
		if b.Name != "Ben" || b.Accounts != 0 || b.Over || len(b.Tiers) != 0 {
			t.Fatalf("ben: %+v", b)
		}
		if none.Owner != "" || none.Accounts != 1 || none.ARR != 1200_00 || none.AccountsLoad != 1 || none.Over {
			t.Fatalf("unowned: %+v", none)
		}
		// A default owner must be able to work tasks.
		var fe *errs.FieldError
		ws.DefaultOwners = map[string]string{"standard": vic.ID}
		if err := s.PutWorkloadSettings(ctx, ws); !errors.As(err, &fe) || fe.Field != "default_owners.standard" {
			t.Fatalf("viewer as default owner: %v", err)
		}
	})
}

// A tier's default owner gets the tasks of its accounts that have no owner: the
// signals' and a missed goal's; an owned account's tasks stay its owner's, and a
// tier without a default leaves them unowned.
func TestTierDefaultOwner(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		olga := &auth.Member{Email: "olga@example.com", Name: "Olga", Role: auth.RoleMember}
		pat := &auth.Member{Email: "pat@example.com", Name: "Pat", Role: auth.RoleMember}
		storetest.Members(t, s, olga, pat)
		ws := workload.Defaults()
		ws.DefaultOwners = map[string]string{"important": olga.ID}
		if err := s.PutWorkloadSettings(ctx, ws); err != nil {
			t.Fatal(err)
		}
		// Never contacted, so the cadence signal fires for each.
		orphan := &account.Account{Name: "Orphan", Tier: "important", SignupDate: "2026-01-01"}
		owned := &account.Account{Name: "Owned", Tier: "important", OwnerID: pat.ID}
		stray := &account.Account{Name: "Stray", Tier: "standard"}
		for _, a := range []*account.Account{orphan, owned, stray} {
			storetest.Accounts(t, s, a)
		}
		if err := s.SyncHealth(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		owners := func(signal string) map[string]string {
			t.Helper()
			ts, err := s.ListTasks(ctx, store.TaskFilter{Signal: signal, Status: "open"})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, tk := range ts {
				out[tk.AccountName] = tk.OwnerID
			}
			return out
		}
		got := owners("cadence")
		if got["Orphan"] != olga.ID || got["Owned"] != pat.ID || got["Stray"] != "" || len(got) != 3 {
			t.Fatalf("cadence task owners: %v (olga %s, pat %s)", got, olga.ID, pat.ID)
		}
		if err := s.SetGoal(ctx, orphan.ID, health.Goal{Event: "report.created", Min: 5, CheckDays: 30}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CheckGoals(ctx, clock.Now()); err != nil || n != 1 {
			t.Fatalf("goals missed: %d %v", n, err)
		}
		if err := s.SyncHealth(ctx, clock.Now()); err != nil { // the goal_missed rule fires
			t.Fatal(err)
		}
		if got := owners("goal_missed"); got["Orphan"] != olga.ID || len(got) != 1 {
			t.Fatalf("goal task owners: %v", got)
		}
	})
}

// A disabled member gets no new tasks: an account owned by one goes to its tier's
// default owner, and a disabled default owner leaves the task unassigned.
func TestDisabledMembersGetNoTasks(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		olga := &auth.Member{Email: "olga@example.com", Name: "Olga", Role: auth.RoleMember}
		gone := &auth.Member{Email: "gone@example.com", Name: "Gone", Role: auth.RoleMember}
		away := &auth.Member{Email: "away@example.com", Name: "Away", Role: auth.RoleMember}
		storetest.Members(t, s, olga, gone, away)
		ws := workload.Defaults()
		ws.DefaultOwners = map[string]string{"important": olga.ID, "standard": away.ID}
		if err := s.PutWorkloadSettings(ctx, ws); err != nil {
			t.Fatal(err)
		}
		for _, m := range []*auth.Member{gone, away} {
			m.Disabled = true
			if err := s.UpdateMember(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		// Never contacted, so the cadence signal fires for each.
		left := &account.Account{Name: "Left", Tier: "important", OwnerID: gone.ID}
		cover := &account.Account{Name: "Cover", Tier: "standard", OwnerID: gone.ID}
		for _, a := range []*account.Account{left, cover} {
			storetest.Accounts(t, s, a)
		}
		if err := s.SyncHealth(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		ts, err := s.ListTasks(ctx, store.TaskFilter{Signal: "cadence", Status: "open"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tk := range ts {
			got[tk.AccountName] = tk.OwnerID
		}
		if got["Left"] != olga.ID || got["Cover"] != "" || len(got) != 2 {
			t.Fatalf("cadence task owners: %v (olga %s, gone %s, away %s)", got, olga.ID, gone.ID, away.ID)
		}
	})
}
