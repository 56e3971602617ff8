package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

// Generated usage is about the size asked for, stops at each churn and fades before it,
// and lands in the daily roll-ups.
func TestGenerateUsageTellsChurnersApart(t *testing.T) {
	eachGenerated(t, demo.Options{Accounts: 80, Seed: 2, Now: storyDay}, func(t *testing.T, s *store.Store, _ demo.Summary) {
		ctx := context.Background()
		sum := generateUsage(t, s, demo.UsageOptions{Events: 30000, Seed: 2, Now: storyDay})
		if sum.Accounts < 60 || sum.Events < 15000 || sum.Events > 45000 {
			t.Fatalf("generated %+v, asked for about 30,000 events", sum)
		}
		page, err := s.ListAccounts(ctx, store.AccountFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		churners, fading := 0, 0
		for _, a := range page.Items {
			if a.Stage != account.Churned {
				continue
			}
			ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: a.ID, Kind: revenue.Churn, Limit: 1})
			if err != nil || len(ms) == 0 {
				continue
			}
			churned := ms[0].EffectiveAt
			if storyDay.Sub(churned) < 100*24*time.Hour || churned.Sub(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) < 200*24*time.Hour {
				continue // want a churn with history before it and quiet time after
			}
			after, err := s.AccountUsage(ctx, a.ID, storyDay, int(storyDay.Sub(churned).Hours()/24)-1)
			if err != nil {
				t.Fatal(err)
			}
			if after.Events != 0 {
				t.Errorf("%s used the product after churning on %s: %d events", a.Name, churned.Format(time.DateOnly), after.Events)
			}
			last30, err := s.AccountUsage(ctx, a.ID, churned, 30)
			if err != nil {
				t.Fatal(err)
			}
			earlier, err := s.AccountUsage(ctx, a.ID, churned.AddDate(0, 0, -120), 30)
			if err != nil {
				t.Fatal(err)
			}
			if earlier.Events == 0 {
				continue // signed up less than four months before churning
			}
			churners++
			if last30.Events < earlier.Events {
				fading++
			}
		}
		if churners == 0 {
			t.Fatal("no churned account to check: the generator's mix changed")
		}
		if fading*5 < churners*4 {
			t.Errorf("only %d of %d churned accounts used the product less in their last 30 days than four months before", fading, churners)
		}
	})
}
