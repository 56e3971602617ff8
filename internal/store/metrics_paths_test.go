package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The revenue paths roll-up must always equal a reading of the raw movements,
// whatever happens in between: MRR set and movements added, subscriptions imported
// (which delete and rewrite an account's movements), accounts deleted (their
// movements go by cascade), a tier changed, and a full rebuild.
func TestRevenuePathsMatchRawMovements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(15, 13))
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		check := func(when string) {
			t.Helper()
			got, err := s.RevenueHistories(ctx)
			must(err)
			want, err := s.RevenueHistoriesRaw(ctx)
			must(err)
			if len(got) == 0 && len(want) == 0 {
				return
			}
			byID := func(hs []revenue.AccountHistory) []revenue.AccountHistory {
				hs = append([]revenue.AccountHistory(nil), hs...) // the result is shared: sort a copy
				sort.Slice(hs, func(i, j int) bool { return hs[i].ID < hs[j].ID })
				return hs
			}
			got, want = byID(got), byID(want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: roll-up %d accounts, raw %d:\n%+v\n%+v", when, len(got), len(want), got, want)
			}
		}
		check("empty")
		csm := auth.Member{Email: "csm@team.io", Name: "Casey", Role: auth.RoleMember}
		must(s.CreateMember(ctx, &csm))
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var ids []string
		for i := range 12 {
			a := account.Account{ExternalID: fmt.Sprintf("x%d", i), Name: fmt.Sprintf("A%d", i), Tier: "standard", SignupDate: "2025-12-01"}
			must(s.CreateAccount(ctx, &a))
			ids = append(ids, a.ID)
		}
		for step := range 120 {
			at = at.Add(time.Duration(1+rng.IntN(96)) * time.Hour)
			i := rng.IntN(len(ids))
			switch k := rng.IntN(20); {
			case k < 13:
				var mrr int64
				if rng.IntN(4) > 0 {
					mrr = int64(rng.IntN(20)) * 1000
				}
				// A refusal by the revenue rules (a movement before a derived one)
				// changes nothing; anything else is a failure.
				if _, _, err := s.SetMRR(ctx, ids[i], mrr, currencyOf(i), at, ""); err != nil {
					var fe *errs.FieldError
					if !errors.As(err, &fe) {
						t.Fatal(err)
					}
				}
			case k < 16:
				// Subscriptions replace the movements of an account that has only
				// subscription-derived ones (others are refused, which changes nothing).
				sub := revenue.Subscription{AccountExternalID: fmt.Sprintf("x%d", i), ID: fmt.Sprintf("s%d", rng.IntN(3)), Currency: currencyOf(i),
					MRR: int64(1+rng.IntN(9)) * 500, Start: at.AddDate(0, -rng.IntN(6), 0)}
				if rng.IntN(2) == 0 {
					sub.End = sub.Start.AddDate(0, 1+rng.IntN(4), 0)
				}
				var refused *errs.FieldError
				if _, err := s.ImportSubscriptions(ctx, []revenue.Subscription{sub}); err != nil && !errors.As(err, &refused) {
					t.Fatal(err)
				}
			case k < 17:
				must(s.DeleteAccount(ctx, ids[i]))
				a := account.Account{ExternalID: fmt.Sprintf("x%d", i), Name: fmt.Sprintf("A%d again", i), Tier: "important"}
				must(s.CreateAccount(ctx, &a))
				ids[i] = a.ID
			default:
				row, err := s.GetAccount(ctx, ids[i])
				must(err)
				row.Account.Tier = []string{"strategic", "important", "standard"}[rng.IntN(3)]
				row.Account.OwnerID = csm.ID
				must(s.UpdateAccount(ctx, &row.Account))
				// A renamed owner shows under the new name without re-derivation.
				csm.Name = fmt.Sprintf("Casey %d", step)
				must(s.UpdateMember(ctx, &csm))
			}
			if step%7 == 0 {
				check(fmt.Sprintf("step %d", step))
			}
		}
		check("end")
		must(s.Rebuild(ctx, "revenue", time.Now(), nil))
		check("after a rebuild")
	})
}

func currencyOf(i int) string {
	if i%3 == 0 {
		return "EUR"
	}
	return "USD"
}

// The derive engine's equivalence check: the paths kept incrementally equal a rebuild.
func TestRevenuePathsDerivation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []string
		for i := range 8 {
			a := storetest.Account(t, s, account.Account{ExternalID: fmt.Sprintf("d%d", i), Name: fmt.Sprintf("D%d", i), Tier: "standard"})
			ids = append(ids, a.ID)
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		store.CheckDerivation(t, s, "revenue", 150, 10, time.Now, func(step int, rng *rand.Rand) error {
			at = at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
			i := rng.IntN(len(ids))
			switch k := rng.IntN(10); {
			case k < 7:
				_, _, err := s.SetMRR(ctx, ids[i], int64(rng.IntN(6))*1000, currencyOf(i), at, "")
				return err
			case k < 8:
				if err := s.DeleteAccount(ctx, ids[i]); err != nil {
					return err
				}
				a := account.Account{ExternalID: fmt.Sprintf("d%d", i), Name: fmt.Sprintf("D%d again", i), Tier: "standard"}
				err := s.CreateAccount(ctx, &a)
				ids[i] = a.ID
				return err
			default:
				row, err := s.GetAccount(ctx, ids[i])
				if err != nil {
					return err
				}
				row.Account.Plan = fmt.Sprintf("plan-%d", rng.IntN(3))
				return s.UpdateAccount(ctx, &row.Account)
			}
		})
	})
}
