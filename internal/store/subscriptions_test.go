package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Random subscription histories imported through the store give the same metrics as
// the same MRR entered by hand, day by day, on twin accounts: the movements the
// import derives are the ones a person would record.
func TestImportedSubscriptionsMatchHandEnteredMovements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(3, 15))
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		imported, hand := map[string]bool{}, map[string]bool{}
		var subs []revenue.Subscription
		for i := range 10 {
			a := account.Account{ExternalID: fmt.Sprintf("imp%d", i), Name: fmt.Sprintf("Imported %d", i), Tier: "standard"}
			b := account.Account{ExternalID: fmt.Sprintf("hand%d", i), Name: fmt.Sprintf("By hand %d", i), Tier: "standard"}
			storetest.Accounts(t, s, &a)
			storetest.Accounts(t, s, &b)
			imported[a.ID], hand[b.ID] = true, true
			var mine []revenue.Subscription
			for k := range 1 + rng.IntN(4) {
				sub := revenue.Subscription{AccountExternalID: a.ExternalID, ID: fmt.Sprintf("s%d", k), Currency: "USD",
					MRR: int64(1+rng.IntN(20)) * 500, Start: base.AddDate(0, 0, rng.IntN(500))}
				if rng.IntN(3) > 0 {
					sub.End = sub.Start.AddDate(0, 0, 1+rng.IntN(200))
				}
				mine = append(mine, sub)
			}
			subs = append(subs, mine...)
			for d := 0; d < 800; d++ {
				day := base.AddDate(0, 0, d)
				var v int64
				for _, sub := range mine {
					if !day.Before(sub.Start) && (sub.End.IsZero() || day.Before(sub.End)) {
						v += sub.MRR
					}
				}
				if _, _, err := s.SetMRR(ctx, b.ID, v, "USD", day, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.ImportSubscriptions(ctx, subs); err != nil {
			t.Fatal(err)
		}
		hs, err := s.RevenueHistories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pick := func(keep map[string]bool) []revenue.AccountHistory {
			var out []revenue.AccountHistory
			for _, h := range hs {
				if keep[h.ID] {
					out = append(out, h)
				}
			}
			return out
		}
		for _, d := range []revenue.Definitions{revenue.DefaultDefinitions, {ChurnAtPeriodEnd: true}} {
			for _, iv := range []revenue.Interval{revenue.Month, revenue.Quarter} {
				o := revenue.Options{From: base, To: base.AddDate(3, 0, 0), Interval: iv, Defs: d}
				a, err1 := revenue.Metrics(pick(imported), o)
				b, err2 := revenue.Metrics(pick(hand), o)
				if err1 != nil || err2 != nil || len(a.Series) != 1 || len(b.Series) != 1 {
					t.Fatalf("%v %v %+v %+v", err1, err2, a.Series, b.Series)
				}
				for i, p := range a.Series[0].Periods {
					q := b.Series[0].Periods[i]
					if !reflect.DeepEqual(p, q) {
						t.Fatalf("%s %v: imported %+v\nby hand  %+v", iv, d, p, q)
					}
				}
				ca, _ := revenue.Cohorts(pick(imported), o.From, o.To, d, revenue.Conversion{})
				cb, _ := revenue.Cohorts(pick(hand), o.From, o.To, d, revenue.Conversion{})
				if !reflect.DeepEqual(ca, cb) {
					t.Fatalf("cohorts differ:\n%+v\n%+v", ca, cb)
				}
			}
		}
	})
}
