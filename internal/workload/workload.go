// Package workload says how much each team member carries against what one CSM can
// carry per tier, in accounts and in ARR, and which member takes a tier's work when
// an account has no owner. It is pure: the store sums the books and keeps the
// settings.
//
// A member's load is the sum over tiers of their accounts (or ARR) in the tier over
// the tier's capacity, so each strategic account is 1/40 of a CSM and each standard
// one 1/200: a book of 20 strategic and 100 standard accounts is 0.5 + 0.5 = 100%.
// A member is over capacity when either load, accounts or ARR, is above 100%.
package workload

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
)

// Capacity is how much of one tier a full-time CSM can carry. Zero means no limit of
// that kind.
type Capacity struct {
	Accounts int   `json:"accounts"`
	ARR      int64 `json:"arr"` // minor units of the reporting currency
}

// Settings are the coverage policy an admin edits.
type Settings struct {
	Capacity map[string]Capacity `json:"capacity"` // by tier; a tier left out has no limit
	// DefaultOwners are, by tier, the member who gets the tasks of an account with no
	// owner (signals, missed goals); a tier left out leaves such tasks unowned.
	DefaultOwners map[string]string `json:"default_owners"`
}

// Defaults come from the published coverage ratios: a CSM carries 40–80 large
// accounts or 125–200 small ones, and $2–5M of ARR. We take the ends that match
// each tier's touch (strategic accounts are talked to several times a week, standard
// ones monthly): strategic 40 accounts or $5M, important 80 or $3M, standard 200 or
// $2M. ARR is in the reporting currency's minor units (USD unless ranking settings
// say otherwise); the amounts are read as that currency's units.
func Defaults() Settings {
	return Settings{
		Capacity: map[string]Capacity{
			"strategic": {Accounts: 40, ARR: 5_000_000_00},
			"important": {Accounts: 80, ARR: 3_000_000_00},
			"standard":  {Accounts: 200, ARR: 2_000_000_00},
		},
		DefaultOwners: map[string]string{},
	}
}

// Validate checks capacities are within bounds and default owners are known members
// (isMember says whether an id is an enabled member).
func (s Settings) Validate(isMember func(id string) bool) error {
	for _, t := range sortedKeys(s.Capacity) {
		c := s.Capacity[t]
		if c.Accounts < 0 || c.Accounts > 100_000 {
			return errs.Invalid("capacity."+t+".accounts", "must be from 0 (no limit) to 100,000")
		}
		if c.ARR < 0 || !money.InRange(c.ARR) {
			return errs.Invalid("capacity."+t+".arr", "must be from 0 (no limit) to "+money.TooLarge("USD"))
		}
	}
	for _, t := range sortedKeys(s.DefaultOwners) {
		if id := s.DefaultOwners[t]; id != "" && !isMember(id) {
			return errs.Invalid("default_owners."+t, "is not an enabled team member")
		}
	}
	return nil
}

// Book is one slice of an owner's accounts: those of a tier in a currency, with
// their MRR summed (minor units of Currency).
type Book struct {
	Owner    string // "" for accounts without an owner
	Tier     string
	Currency string
	Accounts int
	MRR      int64
}

// Convert turns minor units of a currency into the reporting currency's; false when
// there is no rate (such accounts count in accounts but not in ARR, and are reported).
type Convert func(minor int64, currency string) (int64, bool)

// TierLoad is an owner's accounts of one tier against the tier's capacity.
type TierLoad struct {
	Tier         string   `json:"tier"`
	Accounts     int      `json:"accounts"`
	ARR          int64    `json:"arr"`         // minor units of the reporting currency
	Unconverted  int      `json:"unconverted"` // accounts whose currency has no rate, left out of ARR
	Capacity     Capacity `json:"capacity"`
	AccountsLoad float64  `json:"accounts_load"` // Accounts / Capacity.Accounts; 0 with no limit
	ARRLoad      float64  `json:"arr_load"`
	Over         bool     `json:"over"`
}

// Load is one owner's workload.
type Load struct {
	Owner        string     `json:"owner_id"` // "" for the accounts nobody owns
	Accounts     int        `json:"accounts"`
	ARR          int64      `json:"arr"`
	Unconverted  int        `json:"unconverted"`
	AccountsLoad float64    `json:"accounts_load"` // the sum of the tiers' loads: 1 is one full CSM
	ARRLoad      float64    `json:"arr_load"`
	Over         bool       `json:"over"`
	Tiers        []TierLoad `json:"tiers"` // in the order of tiers, then any other tier by name
}

// Compute sums books into one Load per owner in owners (in that order, each listed
// even with no accounts), then one for "" (unowned) if any book has no owner or an
// owner not in owners. tiers orders the tiers.
func Compute(books []Book, owners, tiers []string, s Settings, conv Convert) []Load {
	index := map[string]int{}
	out := make([]Load, 0, len(owners)+1)
	for _, o := range owners {
		index[o] = len(out)
		out = append(out, Load{Owner: o})
	}
	order := map[string]int{}
	for i, t := range tiers {
		order[t] = i
	}
	for _, b := range books {
		i, ok := index[b.Owner]
		if !ok {
			if _, ok = index[""]; !ok {
				index[""] = len(out)
				out = append(out, Load{})
			}
			i = index[""]
		}
		l := &out[i]
		var tl *TierLoad
		for j := range l.Tiers {
			if l.Tiers[j].Tier == b.Tier {
				tl = &l.Tiers[j]
			}
		}
		if tl == nil {
			l.Tiers = append(l.Tiers, TierLoad{Tier: b.Tier, Capacity: s.Capacity[b.Tier]})
			tl = &l.Tiers[len(l.Tiers)-1]
		}
		tl.Accounts += b.Accounts
		if arr, ok := conv(12*b.MRR, b.Currency); ok {
			tl.ARR += arr
		} else if b.MRR != 0 {
			tl.Unconverted += b.Accounts
		}
	}
	for i := range out {
		l := &out[i]
		sort.SliceStable(l.Tiers, func(a, b int) bool {
			oa, okA := order[l.Tiers[a].Tier]
			ob, okB := order[l.Tiers[b].Tier]
			if okA != okB {
				return okA
			}
			if okA {
				return oa < ob
			}
			return l.Tiers[a].Tier < l.Tiers[b].Tier
		})
		for j := range l.Tiers {
			t := &l.Tiers[j]
			if t.Capacity.Accounts > 0 {
				t.AccountsLoad = float64(t.Accounts) / float64(t.Capacity.Accounts)
			}
			if t.Capacity.ARR > 0 {
				t.ARRLoad = float64(t.ARR) / float64(t.Capacity.ARR)
			}
			t.Over = t.AccountsLoad > 1 || t.ARRLoad > 1
			l.Accounts += t.Accounts
			l.ARR += t.ARR
			l.Unconverted += t.Unconverted
			l.AccountsLoad += t.AccountsLoad
			l.ARRLoad += t.ARRLoad
			t.AccountsLoad, t.ARRLoad = round4(t.AccountsLoad), round4(t.ARRLoad)
		}
		l.Over = l.AccountsLoad > 1+1e-9 || l.ARRLoad > 1+1e-9
		l.AccountsLoad, l.ARRLoad = round4(l.AccountsLoad), round4(l.ARRLoad)
	}
	return out
}

// Percent writes a load as a whole percentage ("125%").
func Percent(load float64) string { return fmt.Sprintf("%d%%", int(math.Round(load*100))) }

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
