package billing

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/money"
)

// Event is the envelope of every Stripe webhook event.
type Event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"` // Unix seconds
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// At is when the event happened at Stripe.
func (e Event) At() time.Time { return time.Unix(e.Created, 0).UTC() }

// expandable is an id that Stripe sends either as a string or, expanded, as an object
// with an "id".
type expandable string

func (x *expandable) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*x = expandable(s)
		return nil
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*x = expandable(o.ID)
	return nil
}

// Customer is the part of a Stripe customer that matches it to an account.
type Customer struct {
	ID       string            `json:"id"`
	Email    string            `json:"email"`
	Name     string            `json:"name"`
	Metadata map[string]string `json:"metadata"`
}

// AccountKey is the documented metadata key naming the closeloop account (its
// external id, or its closeloop id) a Stripe customer is.
const AccountKey = "closeloop_account"

// Domain is the customer's email domain, lower-cased ("" without an email).
func (c Customer) Domain() string {
	_, d, ok := strings.Cut(c.Email, "@")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(d))
}

// Subscription is the part of a Stripe subscription that decides its MRR.
type Subscription struct {
	ID       string     `json:"id"`
	Customer expandable `json:"customer"`
	Status   string     `json:"status"`
	Currency string     `json:"currency"`
	Items    struct {
		Data []Item `json:"data"`
	} `json:"items"`
	Discount  *Discount  `json:"discount"`  // before API 2024-06: one discount
	Discounts []Discount `json:"discounts"` // since: a list (ids unless expanded; ids are skipped)
}

// Item is one subscription item: a price times a quantity.
type Item struct {
	Quantity *int64 `json:"quantity"`
	Price    *Price `json:"price"`
	Plan     *Plan  `json:"plan"` // the legacy shape of the same price
}

// Price is a recurring price.
type Price struct {
	UnitAmount        *int64 `json:"unit_amount"`
	UnitAmountDecimal string `json:"unit_amount_decimal"`
	Currency          string `json:"currency"`
	Recurring         *struct {
		Interval      string `json:"interval"`
		IntervalCount int64  `json:"interval_count"`
	} `json:"recurring"`
}

// Plan is the legacy form of a price.
type Plan struct {
	Amount        *int64 `json:"amount"`
	Interval      string `json:"interval"`
	IntervalCount int64  `json:"interval_count"`
}

// Discount is a coupon applied to a subscription.
type Discount struct {
	Coupon *struct {
		PercentOff *float64 `json:"percent_off"`
		AmountOff  *int64   `json:"amount_off"` // minor units off each invoice
		Currency   string   `json:"currency"`
		Duration   string   `json:"duration"` // once, repeating, forever
	} `json:"coupon"`
}

func (d *Discount) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' { // an unexpanded id: nothing to apply
		*d = Discount{}
		return nil
	}
	type plain Discount
	return json.Unmarshal(b, (*plain)(d))
}

// Billing says which statuses bill: ChartMogul counts active and past_due (still
// owed) and not trials, unpaid, incomplete or cancelled subscriptions.
func Billing(status string) bool { return status == "active" || status == "past_due" }

// ErrNotMonthly is a price whose interval cannot be put per month.
var ErrNotMonthly = errors.New("price has no recurring interval")

// MRR is the subscription's monthly recurring revenue in minor units of its currency:
// each item's unit amount × quantity normalised to a month (a year is 12 months, a
// week 12/52 of one, a day 12/365), less a "forever" or "repeating" coupon; 0 when the
// status does not bill. Amounts are rounded to the nearest minor unit once, at the end.
func MRR(s Subscription) (int64, error) {
	if !Billing(s.Status) {
		return 0, nil
	}
	var total float64
	for _, it := range s.Items.Data {
		amount, interval, count, err := it.terms()
		if err != nil {
			return 0, err
		}
		qty := int64(1)
		if it.Quantity != nil {
			qty = *it.Quantity
		}
		if count <= 0 {
			count = 1
		}
		var perMonth float64
		switch interval {
		case "month":
			perMonth = 1 / float64(count)
		case "year":
			perMonth = 1 / (12 * float64(count))
		case "week":
			perMonth = 52.0 / 12 / float64(count)
		case "day":
			perMonth = 365.0 / 12 / float64(count)
		default:
			return 0, fmt.Errorf("%w: %q", ErrNotMonthly, interval)
		}
		total += amount * float64(qty) * perMonth
	}
	discounts := s.Discounts
	if s.Discount != nil {
		discounts = append(discounts, *s.Discount)
	}
	for _, d := range discounts {
		c := d.Coupon
		if c == nil || c.Duration == "once" {
			continue // a one-off discount is not recurring revenue lost
		}
		if c.PercentOff != nil {
			total *= 1 - *c.PercentOff/100
		}
		if c.AmountOff != nil && (c.Currency == "" || strings.EqualFold(c.Currency, s.Currency)) {
			total -= float64(*c.AmountOff)
		}
	}
	if total < 0 {
		total = 0
	}
	r := math.Round(total)
	if r > float64(money.MaxAmount) {
		return 0, fmt.Errorf("subscription MRR %.0f is above the %d limit", r, int64(money.MaxAmount))
	}
	return int64(r), nil
}

// terms are the item's unit amount (minor units), interval and interval count.
func (it Item) terms() (float64, string, int64, error) {
	if p := it.Price; p != nil && p.Recurring != nil {
		var amount float64
		switch {
		case p.UnitAmount != nil:
			amount = float64(*p.UnitAmount)
		case p.UnitAmountDecimal != "":
			if _, err := fmt.Sscan(p.UnitAmountDecimal, &amount); err != nil {
				return 0, "", 0, fmt.Errorf("price unit_amount_decimal %q: %w", p.UnitAmountDecimal, err)
			}
		}
		return amount, p.Recurring.Interval, p.Recurring.IntervalCount, nil
	}
	if p := it.Plan; p != nil && p.Interval != "" {
		var amount float64
		if p.Amount != nil {
			amount = float64(*p.Amount)
		}
		return amount, p.Interval, p.IntervalCount, nil
	}
	return 0, "", 0, ErrNotMonthly
}

// Invoice is the part of a Stripe invoice that decides the payment state.
type Invoice struct {
	ID         string     `json:"id"`
	Customer   expandable `json:"customer"`
	AmountDue  int64      `json:"amount_due"`
	AmountPaid int64      `json:"amount_paid"`
	Currency   string     `json:"currency"`
}
