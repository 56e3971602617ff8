package cancel

import (
	"cmp"
	"slices"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
)

// The churn-reasons report: per month (of the answer) and reason, how many
// cancellations and how much MRR they churned.
//
// A cancellation's churned MRR is the MRR lost by its account's churn movement
// (internal/revenue: the MRR going to zero) that belongs to it: the account's first
// churn movement from MatchBefore before the answer on, and before the window of the
// account's next answer (which claims the churns from then on). The host product may record the
// cancellation in billing just before it redirects to the survey (hence the week
// before), or only at the end of the paid period (hence no bound after). An answer
// whose account has not churned (yet) counts as a cancellation with no churned MRR,
// and gains it when the churn is recorded.

// MatchBefore is how long before an answer its churn movement may have been recorded.
const MatchBefore = 7 * 24 * time.Hour

// Answer is a cancellation as the report reads it.
type Answer struct {
	AccountID string
	At        time.Time
	Reason    string
	Currency  string // the account's currency, for an answer with no churn yet
}

// Churn is one churn movement: MRR is what was lost (positive).
type Churn struct {
	AccountID string
	At        time.Time
	MRR       int64
	Currency  string
}

// ReasonRow is one line of the report. Month is "" in the totals.
type ReasonRow struct {
	Month         string   `json:"month,omitempty"`
	Reason        string   `json:"reason"`
	Label         string   `json:"label"`
	Currency      string   `json:"currency"`
	Cancellations int      `json:"cancellations"`
	Churned       int      `json:"churned"` // of them, with a churn movement
	ChurnedMRR    int64    `json:"churned_mrr"`
	Share         *float64 `json:"share"` // of the month's (or range's) churned MRR in this currency; null when that is 0
}

// ReasonReport is the report over [From, To).
type ReasonReport struct {
	From        time.Time   `json:"from"`
	To          time.Time   `json:"to"`
	Currency    string      `json:"currency,omitempty"` // converted into; "" per currency
	Months      []ReasonRow `json:"months"`
	Totals      []ReasonRow `json:"totals"`
	Unconverted int         `json:"unconverted"` // answers left out: no rate for their currency
	Rule        string      `json:"rule"`
}

// Rule is the matching rule in words, shown with the report.
const Rule = "Each answer is counted in its month. Its churned MRR is the MRR lost by its account's first churn movement from 7 days before the answer on (and before the window of the account's next answer); an account that has not churned yet adds 0."

// Reasons computes the report. answers may include answers outside the range (the
// accounts' later ones bound the matching); churns are the accounts' churn movements.
func Reasons(answers []Answer, churns []Churn, from, to time.Time, set Settings, conv revenue.Conversion) ReasonReport {
	rep := ReasonReport{From: from, To: to, Currency: conv.Currency, Months: []ReasonRow{}, Totals: []ReasonRow{}, Rule: Rule}
	byAcct := map[string][]Churn{}
	for _, c := range churns {
		byAcct[c.AccountID] = append(byAcct[c.AccountID], c)
	}
	answersOf := map[string][]Answer{}
	for _, a := range answers {
		answersOf[a.AccountID] = append(answersOf[a.AccountID], a)
	}
	type key struct{ month, reason, currency string }
	months, totals := map[key]*ReasonRow{}, map[key]*ReasonRow{}
	add := func(m map[key]*ReasonRow, k key, churned bool, mrr int64) {
		r := m[k]
		if r == nil {
			r = &ReasonRow{Month: k.month, Reason: k.reason, Label: Label(set.Reasons, k.reason), Currency: k.currency}
			m[k] = r
		}
		r.Cancellations++
		if churned {
			r.Churned++
			r.ChurnedMRR += mrr
		}
	}
	for acct, as := range answersOf {
		slices.SortFunc(as, func(a, b Answer) int { return a.At.Compare(b.At) })
		cs := byAcct[acct]
		slices.SortFunc(cs, func(a, b Churn) int { return a.At.Compare(b.At) })
		used := make([]bool, len(cs))
		for i, a := range as {
			var next time.Time // the next answer's window start bounds this one's
			if i+1 < len(as) {
				next = as[i+1].At.Add(-MatchBefore)
			}
			var match *Churn
			for j := range cs {
				c := &cs[j]
				if used[j] || c.At.Before(a.At.Add(-MatchBefore)) {
					continue
				}
				if !next.IsZero() && !c.At.Before(next) {
					break // the next answer's
				}
				used[j], match = true, c
				break
			}
			if a.At.Before(from) || !a.At.Before(to) {
				continue
			}
			cur, mrr := a.Currency, int64(0)
			if match != nil {
				cur, mrr = match.Currency, match.MRR
			}
			if conv.Currency != "" {
				if match == nil {
					cur = conv.Currency
				} else if v, ok := conv.Convert(mrr, cur); ok {
					cur, mrr = conv.Currency, v
				} else {
					rep.Unconverted++
					continue
				}
			}
			month := revenue.Month.Label(a.At.UTC())
			add(months, key{month, a.Reason, cur}, match != nil, mrr)
			add(totals, key{"", a.Reason, cur}, match != nil, mrr)
		}
	}
	rep.Months = finish(months)
	rep.Totals = finish(totals)
	return rep
}

// finish sorts rows (month, currency, churned MRR descending, cancellations
// descending, reason) and fills each one's share of its month and currency.
func finish[K comparable](m map[K]*ReasonRow) []ReasonRow {
	out := make([]ReasonRow, 0, len(m))
	sum := map[[2]string]int64{}
	for _, r := range m {
		out = append(out, *r)
		sum[[2]string{r.Month, r.Currency}] += r.ChurnedMRR
	}
	for i := range out {
		if s := sum[[2]string{out[i].Month, out[i].Currency}]; s > 0 {
			v := float64(out[i].ChurnedMRR) / float64(s)
			out[i].Share = &v
		}
	}
	slices.SortFunc(out, func(a, b ReasonRow) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Currency, b.Currency), cmp.Compare(b.ChurnedMRR, a.ChurnedMRR),
			cmp.Compare(b.Cancellations, a.Cancellations), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}
