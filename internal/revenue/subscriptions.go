package revenue

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
)

// Subscription is one ChartMogul-style subscription period: the account pays MRR
// from Start (inclusive) until End (exclusive; zero while it runs on).
type Subscription struct {
	AccountExternalID string    `json:"account_external_id"`
	ID                string    `json:"subscription_id"`
	Plan              string    `json:"plan"`
	Start             time.Time `json:"start"`
	End               time.Time `json:"end"` // zero: still running
	MRR               int64     `json:"mrr"` // minor units per month, quantity included
	Quantity          int       `json:"quantity"`
	Currency          string    `json:"currency"`
}

// IntervalMonths is how many months each billing interval covers.
var IntervalMonths = map[string]int{"month": 1, "quarter": 3, "half-year": 6, "year": 12}

// MRRFromAmount normalises an amount billed every interval, per unit, to MRR:
// amount × quantity ÷ months, rounded to the minor unit.
func MRRFromAmount(amount int64, interval string, quantity int) (int64, error) {
	months, ok := IntervalMonths[interval]
	if !ok {
		return 0, errs.Invalidf("billing_interval", "billing interval must be month, quarter, half-year or year, not %q", interval)
	}
	if quantity < 1 {
		quantity = 1
	}
	v := math.Round(float64(amount) * float64(quantity) / float64(months))
	if v > float64(money.MaxAmount) {
		return 0, errs.Invalid("amount", "MRR from this amount is too large")
	}
	return int64(v), nil
}

// Check refuses a subscription that cannot be scheduled, naming the field.
func (s Subscription) Check() error {
	switch {
	case s.AccountExternalID == "":
		return errs.Invalid("account_external_id", "account external id is required")
	case s.ID == "":
		return errs.Invalid("subscription_id", "subscription id is required")
	case s.Start.IsZero():
		return errs.Invalid("start", "start date is required")
	case !s.End.IsZero() && !s.End.After(s.Start):
		return errs.Invalid("end", "end must be after start")
	case s.MRR < 0:
		return errs.Invalid("mrr", "MRR cannot be negative")
	case s.MRR > money.MaxAmount:
		return errs.Invalid("mrr", "MRR "+money.TooLarge(s.Currency))
	case !ValidCurrency(s.Currency):
		return ErrBadCurrency
	}
	return nil
}

// Point is the MRR an account has from At on.
type Point struct {
	At  time.Time
	MRR int64
}

// Schedule sums one account's subscriptions into the MRR it has over time: at every
// start or end the MRR becomes the sum of the subscriptions running then, so
// overlapping subscriptions add up and a gap falls to zero. Only changes are kept.
// The subscriptions must share one currency (an account bills in one).
func Schedule(subs []Subscription) ([]Point, error) {
	var cuts []time.Time
	for _, s := range subs {
		if s.Currency != subs[0].Currency {
			return nil, errs.About("currency", fmt.Errorf("%w: subscription %s is in %s, subscription %s in %s", ErrCurrencyMismatch, subs[0].ID, subs[0].Currency, s.ID, s.Currency))
		}
		cuts = append(cuts, s.Start)
		if !s.End.IsZero() {
			cuts = append(cuts, s.End)
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Before(cuts[j]) })
	var out []Point
	var prev int64
	for i, t := range cuts {
		if i > 0 && t.Equal(cuts[i-1]) {
			continue
		}
		var v int64
		for _, s := range subs {
			if !t.Before(s.Start) && (s.End.IsZero() || t.Before(s.End)) {
				v += s.MRR
			}
		}
		if v > money.MaxAmount {
			return nil, tooLarge("mrr", "the summed MRR of overlapping subscriptions", subs[0].Currency)
		}
		if v != prev {
			out = append(out, Point{At: t.UTC(), MRR: v})
			prev = v
		}
	}
	return out, nil
}

// Derive turns a schedule into movements by the "set MRR" rules, from an account with
// no revenue yet.
func Derive(points []Point, currency string) ([]Movement, error) {
	var st State
	var out []Movement
	for _, p := range points {
		m, ok, err := SetMRR(st, p.MRR, currency, p.At)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, m)
			st = st.Next(m)
		}
	}
	return out, nil
}
