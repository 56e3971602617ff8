package workload

import (
	"errors"
	"reflect"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

// eurToUSD converts EUR at 1.10 and knows no other currency but USD.
func eurToUSD(v int64, cur string) (int64, bool) {
	switch cur {
	case "USD":
		return v, true
	case "EUR":
		return v * 110 / 100, true
	}
	return 0, false
}

func TestCompute(t *testing.T) {
	s := Defaults() // strategic 40 / $5M, important 80 / $3M, standard 200 / $2M
	tiers := []string{"strategic", "important", "standard"}
	cases := []struct {
		name  string
		books []Book
		want  []Load
	}{
		{"an empty book is listed at 0%", nil, []Load{{Owner: "ann"}, {Owner: "ben"}}},
		{
			// 20 strategic = 20/40 = 0.5, 100 standard = 100/200 = 0.5: exactly 100%, not over.
			// ARR: 20 × $10,000 MRR × 12 = $2.4M of $5M = 0.48; standard $500 MRR × 100 × 12 = $600k of $2M = 0.3.
			"half and half is exactly full",
			[]Book{
				{Owner: "ann", Tier: "strategic", Currency: "USD", Accounts: 20, MRR: 20 * 10_000_00},
				{Owner: "ann", Tier: "standard", Currency: "USD", Accounts: 100, MRR: 100 * 500_00},
			},
			[]Load{{Owner: "ann", Accounts: 120, ARR: 3_000_000_00, AccountsLoad: 1, ARRLoad: 0.78, Tiers: []TierLoad{
				{Tier: "strategic", Accounts: 20, ARR: 2_400_000_00, Capacity: s.Capacity["strategic"], AccountsLoad: 0.5, ARRLoad: 0.48},
				{Tier: "standard", Accounts: 100, ARR: 600_000_00, Capacity: s.Capacity["standard"], AccountsLoad: 0.5, ARRLoad: 0.3},
			}}, {Owner: "ben"}},
		},
		{
			// Ben: 10 important accounts (10/80 = 0.125) worth $300k MRR = $3.6M ARR of $3M = 1.2: over
			// on ARR alone. The EUR slice converts at 1.10 (€10,000 MRR → $132,000 ARR); the GBP one has
			// no rate: counted in accounts, left out of ARR. A book whose owner is not listed is unowned.
			"over on ARR, with currencies",
			[]Book{
				{Owner: "ben", Tier: "important", Currency: "USD", Accounts: 8, MRR: 300_000_00 - 11_000_00},
				{Owner: "ben", Tier: "important", Currency: "EUR", Accounts: 1, MRR: 10_000_00},
				{Owner: "ben", Tier: "important", Currency: "GBP", Accounts: 1, MRR: 1_000_00},
				{Owner: "gone", Tier: "trial", Currency: "USD", Accounts: 3, MRR: 0},
				{Owner: "", Tier: "standard", Currency: "USD", Accounts: 2, MRR: 2 * 100_00},
			},
			[]Load{{Owner: "ann"}, {Owner: "ben", Accounts: 10, ARR: (289_000_00 + 11_000_00) * 12, Unconverted: 1, AccountsLoad: 0.125, ARRLoad: 1.2, Over: true,
				Tiers: []TierLoad{{Tier: "important", Accounts: 10, ARR: 3_600_000_00, Unconverted: 1, Capacity: s.Capacity["important"], AccountsLoad: 0.125, ARRLoad: 1.2, Over: true}}},
				// Unowned: standard 2/200 = 0.01, $2,400 of $2M = 0.0012; trial has no capacity.
				{Owner: "", Accounts: 5, ARR: 2_400_00, AccountsLoad: 0.01, ARRLoad: 0.0012, Tiers: []TierLoad{
					{Tier: "standard", Accounts: 2, ARR: 2_400_00, Capacity: s.Capacity["standard"], AccountsLoad: 0.01, ARRLoad: 0.0012},
					{Tier: "trial", Accounts: 3},
				}}},
		},
		{
			// 41 strategic accounts: 41/40 = 1.025, over in the tier and overall.
			"over on accounts",
			[]Book{{Owner: "ann", Tier: "strategic", Currency: "USD", Accounts: 41, MRR: 0}},
			[]Load{{Owner: "ann", Accounts: 41, AccountsLoad: 1.025, Over: true, Tiers: []TierLoad{
				{Tier: "strategic", Accounts: 41, Capacity: s.Capacity["strategic"], AccountsLoad: 1.025, Over: true}}}, {Owner: "ben"}},
		},
		{
			// No tier over, but the sum is: 30/40 + 40/80 = 0.75 + 0.5 = 1.25.
			"over in sum only",
			[]Book{{Owner: "ann", Tier: "important", Currency: "USD", Accounts: 40}, {Owner: "ann", Tier: "strategic", Currency: "USD", Accounts: 30}},
			[]Load{{Owner: "ann", Accounts: 70, AccountsLoad: 1.25, Over: true, Tiers: []TierLoad{
				{Tier: "strategic", Accounts: 30, Capacity: s.Capacity["strategic"], AccountsLoad: 0.75},
				{Tier: "important", Accounts: 40, Capacity: s.Capacity["important"], AccountsLoad: 0.5}}}, {Owner: "ben"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Compute(c.books, []string{"ann", "ben"}, tiers, s, eurToUSD)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for load, want := range map[float64]string{0: "0%", 1: "100%", 1.25: "125%", 0.0012: "0%", 0.78: "78%"} {
		if got := Percent(load); got != want {
			t.Errorf("Percent(%v) = %q, want %q", load, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	member := func(id string) bool { return id == "ann" }
	cases := []struct {
		s     Settings
		field string
	}{
		{Defaults(), ""},
		{Settings{Capacity: map[string]Capacity{"standard": {Accounts: -1}}}, "capacity.standard.accounts"},
		{Settings{Capacity: map[string]Capacity{"standard": {ARR: -5}}}, "capacity.standard.arr"},
		{Settings{DefaultOwners: map[string]string{"standard": "ann", "strategic": "zed"}}, "default_owners.strategic"},
		{Settings{DefaultOwners: map[string]string{"standard": ""}}, ""},
	}
	for _, c := range cases {
		err := c.s.Validate(member)
		var fe *errs.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.s, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%+v: got %v, want a refusal of %s", c.s, err, c.field)
		}
	}
}
