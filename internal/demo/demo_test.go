package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestGenerateIsRealisticAndConsistent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sum, err := demo.Generate(ctx, s, demo.Options{Accounts: 300, Seed: 1, Now: today, BatchSize: 120})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Accounts != 300 || sum.People < 600 || sum.Contracts < 250 || sum.Movements < 300 || sum.Touchpoints < 500 {
			t.Fatalf("summary %+v", sum)
		}
		tiers := map[string]int{}
		stages := map[account.Stage]int{}
		renewalsAhead := map[int]int{} // months from today
		f := store.AccountFilter{Limit: 500}
		page, err := s.ListAccounts(ctx, f)
		if err != nil || page.Total != 300 {
			t.Fatalf("list: %v %d", err, page.Total)
		}
		for _, a := range page.Items {
			tiers[a.Tier]++
			stages[a.Stage]++
			if a.Stage == account.Churned && a.MRR != 0 {
				t.Fatalf("churned account with MRR: %+v", a.Account)
			}
			if a.RenewalDate != "" && a.Stage != account.Churned {
				r, _ := time.Parse("2006-01-02", a.RenewalDate)
				renewalsAhead[int(r.Sub(today).Hours()/24/30.5)]++
			}
			// The derived MRR equals the sum of the account's movements.
			ms, _ := s.ListMovements(ctx, store.MovementFilter{AccountID: a.ID, Limit: 1000})
			if got := revenue.MRROn(ms, today.AddDate(1, 0, 0)); got != a.MRR {
				t.Fatalf("%s: movements sum to %d, account says %d", a.Name, got, a.MRR)
			}
		}
		for _, tier := range []string{"strategic", "important", "standard"} {
			if tiers[tier] < 20 {
				t.Errorf("only %d %s accounts: %v", tiers[tier], tier, tiers)
			}
		}
		for _, st := range []account.Stage{account.Active, account.Churned, account.Trial, account.Onboarding, account.AtRisk} {
			if stages[st] == 0 {
				t.Errorf("no %s accounts: %v", st, stages)
			}
		}
		for m := 0; m < 12; m++ {
			if renewalsAhead[m] == 0 {
				t.Errorf("no renewals %d months ahead: %v", m, renewalsAhead)
			}
		}
		var kinds = map[revenue.Kind]int{}
		ms, _ := s.ListMovements(ctx, store.MovementFilter{Limit: 10000})
		for _, m := range ms {
			kinds[m.Kind]++
		}
		for _, k := range revenue.Kinds {
			if kinds[k] == 0 {
				t.Errorf("no %s movements: %v", k, kinds)
			}
		}
	})
}

func TestGenerateIsDeterministic(t *testing.T) {
	names := func() []string {
		s := storetest.Open(t, "sqlite")
		if _, err := demo.Generate(context.Background(), s, demo.Options{Accounts: 40, Seed: 7, Now: today}); err != nil {
			t.Fatal(err)
		}
		p, _ := s.ListAccounts(context.Background(), store.AccountFilter{Sort: "created", Limit: 100})
		var out []string
		for _, a := range p.Items {
			out = append(out, a.ID+a.Name+a.Plan+string(rune(a.MRR)))
		}
		return out
	}
	a, b := names(), names()
	if len(a) != 40 {
		t.Fatalf("%d accounts", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("run differs at %d: %q vs %q", i, a[i], b[i])
		}
	}
}
