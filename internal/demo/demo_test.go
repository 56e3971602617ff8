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

func TestGenerateIsRealisticAndConsistent(t *testing.T) {
	eachGenerated(t, demo.Options{Accounts: 300, Seed: 1, Now: today, BatchSize: 120}, func(t *testing.T, s *store.Store, sum demo.Summary) {
		ctx := context.Background()
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
			ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: a.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
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
		ms, err := s.ListMovements(ctx, store.MovementFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
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
		generate(t, s, demo.Options{Accounts: 40, Seed: 7, Now: today})
		p, err := s.ListAccounts(context.Background(), store.AccountFilter{Sort: "created", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
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

func TestGenerateVoC(t *testing.T) {
	eachGenerated(t, demo.Options{Accounts: 120, Seed: 3, Now: today}, func(t *testing.T, s *store.Store, _ demo.Summary) {
		ctx := context.Background()
		sum, err := demo.GenerateVoC(ctx, s, demo.VoCOptions{Tags: 200, Items: 1500, Requests: 40, Seed: 3, Now: today, BatchSize: 700})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Tags < 150 || sum.Items != 1500 || sum.Requests < 20 || sum.Links == 0 || sum.Votes == 0 || sum.Untriaged == 0 {
			t.Fatalf("summary %+v", sum)
		}
		if n, _ := s.CountFeedback(ctx, "new"); n != sum.Untriaged {
			t.Fatalf("untriaged %d, summary says %d", n, sum.Untriaged)
		}
		ranks, err := s.RankRequests(ctx, store.RankFilter{}, today)
		if err != nil || len(ranks) != sum.Requests {
			t.Fatalf("ranks %d err %v", len(ranks), err)
		}
		shippedYesterday := 0
		for _, r := range ranks {
			if r.Status == "shipped" && r.ShippedAt.Equal(today.AddDate(0, 0, -1)) && r.ReleaseNote != "" {
				shippedYesterday++
			}
		}
		if shippedYesterday == 0 || ranks[0].Rank.MRR == 0 || ranks[0].Rank.Accounts == 0 {
			t.Fatalf("no request ready to close the loop, or top request without revenue: %+v", ranks[0])
		}
		tags, err := s.RankTags(ctx, store.RankFilter{}, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) == 0 || tags[0].Rank.Total < 50 {
			t.Fatalf("tag ranking: %d tags, top %+v", len(tags), tags[0])
		}
		// A second run reuses the taxonomy and adds to it.
		if _, err := demo.GenerateVoC(ctx, s, demo.VoCOptions{Tags: 200, Items: 100, Requests: 5, Seed: 4, Now: today}); err != nil {
			t.Fatalf("second run: %v", err)
		}
	})
}
