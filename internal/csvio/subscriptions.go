package csvio

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

// subscriptionColumns are the columns of a subscription import, ChartMogul-style. mrr
// is the subscription's monthly revenue in major units, quantity included; or amount
// (major units, per unit) with billing_interval, and MRR = amount × quantity ÷ months.
var subscriptionColumns = []string{"account_external_id", "subscription_id", "plan", "start", "end", "mrr", "amount",
	"billing_interval", "quantity", "currency"}

var knownSubscription = set(map[string]bool{}, subscriptionColumns)

// ParseSubscriptions reads a subscription CSV, checking every cell. lines[i] is the
// source line of subs[i].
func ParseSubscriptions(r io.Reader) (subs []revenue.Subscription, lines []int, err error) {
	t, err := readTable(r, knownSubscription, []string{"account_external_id", "subscription_id", "start", "currency"}, false)
	if e, ok := err.(*Error); ok && e.Line == 1 && strings.HasPrefix(e.Msg, "unknown column") {
		// readTable lists the account columns; name these instead.
		e.Msg = fmt.Sprintf("unknown column %q (known: %s)", e.Column, strings.Join(subscriptionColumns, ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	return parseRows(t, func(i int, fail rowFail) (revenue.Subscription, error) {
		var s revenue.Subscription
		var err error
		var ok bool
		if s.AccountExternalID, ok = t.cell(i, "account_external_id"); !ok {
			return s, fail("account_external_id", "is required")
		}
		if s.ID, ok = t.cell(i, "subscription_id"); !ok {
			return s, fail("subscription_id", "is required")
		}
		s.Plan, _ = t.cell(i, "plan")
		cur, ok := t.cell(i, "currency")
		s.Currency = strings.ToUpper(cur)
		if !ok || !revenue.ValidCurrency(s.Currency) {
			return s, fail("currency", "must be a three-letter ISO 4217 code such as USD")
		}
		v, ok := t.cell(i, "start")
		if !ok {
			return s, fail("start", "is required")
		}
		if s.Start, err = parseWhen(v); err != nil {
			return s, fail("start", "%v", err)
		}
		if v, ok := t.cell(i, "end"); ok {
			if s.End, err = parseWhen(v); err != nil {
				return s, fail("end", "%v", err)
			}
			if !s.End.After(s.Start) {
				return s, fail("end", "must be after start (%s)", v)
			}
		}
		s.Quantity = 1
		if v, ok := t.cell(i, "quantity"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1_000_000 {
				return s, fail("quantity", "must be a whole number from 1 to 1000000, not %q", v)
			}
			s.Quantity = n
		}
		mrr, hasMRR := t.cell(i, "mrr")
		amount, hasAmount := t.cell(i, "amount")
		switch {
		case hasMRR && hasAmount:
			return s, fail("amount", "give mrr or amount with billing_interval, not both")
		case hasMRR:
			if s.MRR, err = money.ParseMajor(mrr, s.Currency); err != nil || s.MRR < 0 {
				return s, fail("mrr", "must be an amount of at least 0 in %s, such as 99.50", s.Currency)
			}
		case hasAmount:
			a, err := money.ParseMajor(amount, s.Currency)
			if err != nil || a < 0 {
				return s, fail("amount", "must be an amount of at least 0 in %s, such as 1188.00", s.Currency)
			}
			iv, _ := t.cell(i, "billing_interval")
			iv = strings.ToLower(iv)
			if _, known := revenue.IntervalMonths[iv]; !known {
				return s, fail("billing_interval", "must be month, quarter, half-year or year with an amount, not %q", iv)
			}
			if s.MRR, err = revenue.MRRFromAmount(a, iv, s.Quantity); err != nil {
				return s, fail("amount", "the MRR of this amount %s", money.TooLarge(s.Currency))
			}
		default:
			return s, fail("mrr", "give mrr, or amount with billing_interval")
		}
		return s, nil
	})
}

// parseWhen reads a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time.
func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or an RFC 3339 time", v)
}

// ImportSubscriptions parses r and imports every row in one transaction; a problem
// names its line and column and nothing is written.
func ImportSubscriptions(ctx context.Context, s *store.Store, r io.Reader) (store.SubscriptionResult, error) {
	return importRows(ctx, r, ParseSubscriptions, s.ImportSubscriptions, func(f string) string { return f })
}
