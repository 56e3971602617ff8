package cancel

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// lines renders rows as "month reason currency cancellations churned mrr share".
func lines(rows []ReasonRow) []string {
	var out []string
	for _, r := range rows {
		share := "-"
		if r.Share != nil {
			share = fmt.Sprintf("%.4f", *r.Share)
		}
		out = append(out, fmt.Sprintf("%s %s %s %d %d %d %s", r.Month, r.Reason, r.Currency, r.Cancellations, r.Churned, r.ChurnedMRR, share))
	}
	return out
}

// TestReasonsWeightsByChurnedMRR works a small book by hand over January and
// February 2026:
//
//	A USD too_expensive 01-05; churned 100.00 on 01-03 (within the week before)     → Jan, 10000
//	B USD too_expensive 01-20; churned 300.00 on 02-28 (end of the paid period)     → Jan, 30000
//	C USD missing_feature 01-10; still paying                                       → Jan, 0
//	D USD not_using 02-02; churned 01-10, 23 days before: not this answer's          → Feb, 0
//	E USD switched_competitor 01-15, churn 50.00 on 01-16; back, then too_expensive
//	      02-20 and churn 200.00 on 02-21: each answer its own churn                 → Jan 5000, Feb 20000
//	F EUR too_expensive 02-10, churn 90.00 the same day                             → Feb, EUR 9000
//	G USD too_expensive 2025-12-30, churn 01-02: answered before the range           → not counted
//	H USD other 03-01 00:00: the range ends before it                               → not counted
//	I GBP other 02-11, churn 5.00                                                   → Feb, GBP 500
//
// January USD: too_expensive 2 cancellations 40000 (40000/45000 = 0.8889 of the
// month), switched_competitor 1 and 5000 (0.1111), missing_feature 1 and nothing.
func TestReasonsWeightsByChurnedMRR(t *testing.T) {
	at := func(s string) time.Time { return day(s).Add(10 * time.Hour) }
	answers := []Answer{
		{"A", at("2026-01-05"), "too_expensive", "USD"},
		{"B", at("2026-01-20"), "too_expensive", "USD"},
		{"C", at("2026-01-10"), "missing_feature", "USD"},
		{"D", at("2026-02-02"), "not_using", "USD"},
		{"E", at("2026-01-15"), "switched_competitor", "USD"},
		{"E", at("2026-02-20"), "too_expensive", "USD"},
		{"F", at("2026-02-10"), "too_expensive", "EUR"},
		{"G", at("2025-12-30"), "too_expensive", "USD"},
		{"H", day("2026-03-01"), "other", "USD"},
		{"I", at("2026-02-11"), "other", "GBP"},
	}
	churns := []Churn{
		{"A", at("2026-01-03"), 10000, "USD"},
		{"B", at("2026-02-28"), 30000, "USD"},
		{"D", at("2026-01-10"), 7000, "USD"},
		{"E", at("2026-02-21"), 20000, "USD"}, // out of order on purpose
		{"E", at("2026-01-16"), 5000, "USD"},
		{"F", at("2026-02-10"), 9000, "EUR"},
		{"G", at("2026-01-02"), 8000, "USD"},
		{"I", at("2026-02-11"), 500, "GBP"},
	}
	from, to := day("2026-01-01"), day("2026-03-01")
	cases := []struct {
		name           string
		conv           revenue.Conversion
		months, totals []string
		unconverted    int
	}{{
		name: "per currency",
		months: []string{
			"2026-01 too_expensive USD 2 2 40000 0.8889",
			"2026-01 switched_competitor USD 1 1 5000 0.1111",
			"2026-01 missing_feature USD 1 0 0 0.0000",
			"2026-02 too_expensive EUR 1 1 9000 1.0000",
			"2026-02 other GBP 1 1 500 1.0000",
			"2026-02 too_expensive USD 1 1 20000 1.0000",
			"2026-02 not_using USD 1 0 0 0.0000",
		},
		totals: []string{
			" too_expensive EUR 1 1 9000 1.0000",
			" other GBP 1 1 500 1.0000",
			" too_expensive USD 3 3 60000 0.9231", // 60000 / 65000
			" switched_competitor USD 1 1 5000 0.0769",
			" missing_feature USD 1 0 0 0.0000",
			" not_using USD 1 0 0 0.0000",
		},
	}, {
		// Into USD at 1.10 per euro: F's 90.00 EUR is 99.00 USD; GBP has no rate, so I
		// is left out and counted.
		name: "converted", conv: revenue.Conversion{Currency: "USD", Rates: map[string]float64{"EUR": 1.1}},
		months: []string{
			"2026-01 too_expensive USD 2 2 40000 0.8889",
			"2026-01 switched_competitor USD 1 1 5000 0.1111",
			"2026-01 missing_feature USD 1 0 0 0.0000",
			"2026-02 too_expensive USD 2 2 29900 1.0000",
			"2026-02 not_using USD 1 0 0 0.0000",
		},
		totals: []string{
			" too_expensive USD 4 4 69900 0.9332", // 69900 / 74900
			" switched_competitor USD 1 1 5000 0.0668",
			" missing_feature USD 1 0 0 0.0000",
			" not_using USD 1 0 0 0.0000",
		},
		unconverted: 1,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Reasons(slices.Clone(answers), slices.Clone(churns), from, to, Defaults(), c.conv)
			if got := lines(rep.Months); !slices.Equal(got, c.months) {
				t.Errorf("months:\n got %q\nwant %q", got, c.months)
			}
			if got := lines(rep.Totals); !slices.Equal(got, c.totals) {
				t.Errorf("totals:\n got %q\nwant %q", got, c.totals)
			}
			if rep.Unconverted != c.unconverted {
				t.Errorf("unconverted %d, want %d", rep.Unconverted, c.unconverted)
			}
			if rep.Months[0].Label != "It's too expensive" {
				t.Errorf("label %q", rep.Months[0].Label)
			}
		})
	}
}
