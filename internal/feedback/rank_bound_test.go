package feedback

import (
	"math"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/money"
)

// Ranking sums of in-range amounts are exact; figures beyond int64 (an extreme
// exchange rate, or data stored before amounts were bounded) are held at the limit
// and never wrap negative (issue 13: two accounts of 5e18 ranked at −8446744073709551616).
func TestRankSumsDoNotWrap(t *testing.T) {
	opts := DefaultRankOptions(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	at := opts.Now.AddDate(0, 0, -1)
	ev := []Evidence{{Subject: "r", AccountID: "a", At: at}, {Subject: "r", AccountID: "b", At: at}}
	top := func(accounts map[string]AccountFacts, o RankOptions) int64 { return Compute(ev, accounts, o)[0].MRR }

	atMax := map[string]AccountFacts{"a": {MRR: money.MaxAmount, Currency: "USD"}, "b": {MRR: money.MaxAmount, Currency: "USD"}}
	if got := top(atMax, opts); got != 2*money.MaxAmount {
		t.Errorf("two accounts at the bound: %d", got)
	}
	o := opts
	o.Rates = map[string]float64{"EUR": 1e300}
	huge := map[string]AccountFacts{"a": {MRR: 5e18, Currency: "USD"}, "b": {MRR: money.MaxAmount, Currency: "EUR"}}
	if got := top(huge, o); got != math.MaxInt64 {
		t.Errorf("an overflowing conversion: %d, want it held at MaxInt64", got)
	}
	if got := addSat(5e18, 5e18); got != math.MaxInt64 {
		t.Errorf("addSat(5e18, 5e18) = %d", got)
	}
	if got := addSat(math.MinInt64, -1); got != math.MinInt64 {
		t.Errorf("addSat(MinInt64, -1) = %d", got)
	}
	if got := addSat(5e18, -5e18); got != 0 {
		t.Errorf("addSat(5e18, -5e18) = %d", got)
	}
}

// A zero-decimal currency converts by its whole units, as the revenue metrics do: an
// account paying ¥150,000 a month at 0.0067 USD per yen counts $1,005.00 (100500
// cents), not $10.05 as when the rate was applied to yen as if they were cents.
func TestRankConvertsZeroDecimalCurrencies(t *testing.T) {
	opts := DefaultRankOptions(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	opts.Rates = map[string]float64{"JPY": 0.0067, "EUR": 1.08}
	at := opts.Now.AddDate(0, 0, -1)
	ev := []Evidence{{Subject: "r", AccountID: "a", At: at}, {Subject: "r", AccountID: "b", At: at}}
	accounts := map[string]AccountFacts{"a": {MRR: 150000, Currency: "JPY"}, "b": {MRR: 10000, Currency: "EUR"}}
	if got := Compute(ev, accounts, opts)[0].MRR; got != 100500+10800 {
		t.Errorf("MRR = %d cents, want %d", got, 100500+10800)
	}
}
