package billing_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/closeloop/closeloop/internal/billing"
)

// sub builds a subscription from JSON items the way Stripe sends them.
func sub(t *testing.T, status, items string, discounts string) billing.Subscription {
	t.Helper()
	var s billing.Subscription
	raw := `{"id":"sub_1","customer":"cus_1","status":"` + status + `","currency":"usd","items":{"data":` + items + `}` + discounts + `}`
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return s
}

func price(amount, interval string, count, qty int) string {
	return `{"quantity":` + formatInt(int64(qty)) + `,"price":{"unit_amount":` + amount + `,"currency":"usd","recurring":{"interval":"` + interval + `","interval_count":` + formatInt(int64(count)) + `}}}`
}

// MRR per month, worked by hand.
func TestMRRNormalisesPricesToAMonth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s      billing.Subscription
		want   int64
		reason string
	}{
		{"monthly", sub(t, "active", "["+price("2000", "month", 1, 1)+"]", ""), 2000, "$20 a month"},
		{"yearly", sub(t, "active", "["+price("120000", "year", 1, 1)+"]", ""), 10000, "$1,200 / 12"},
		{"quantity", sub(t, "active", "["+price("1500", "month", 1, 3)+"]", ""), 4500, "3 seats × $15"},
		{"quarterly", sub(t, "active", "["+price("9000", "month", 3, 1)+"]", ""), 3000, "$90 every 3 months"},
		{"weekly", sub(t, "active", "["+price("1000", "week", 1, 1)+"]", ""), 4333, "$10 × 52 / 12 = 43.333…"},
		{"daily", sub(t, "active", "["+price("100", "day", 1, 1)+"]", ""), 3042, "$1 × 365 / 12 = 30.416…"},
		{"two items", sub(t, "active", "["+price("2000", "month", 1, 1)+","+price("12000", "year", 1, 1)+"]", ""), 3000, "$20 + $120/12"},
		{"past due still bills", sub(t, "past_due", "["+price("2000", "month", 1, 1)+"]", ""), 2000, "owed, not lost"},
		{"trial", sub(t, "trialing", "["+price("2000", "month", 1, 1)+"]", ""), 0, "not paying yet"},
		{"cancelled", sub(t, "canceled", "["+price("2000", "month", 1, 1)+"]", ""), 0, ""},
		{"unpaid", sub(t, "unpaid", "["+price("2000", "month", 1, 1)+"]", ""), 0, ""},
		{"25% off forever", sub(t, "active", "["+price("2000", "month", 1, 1)+"]", `,"discounts":[{"coupon":{"percent_off":25,"duration":"forever"}}]`), 1500, ""},
		{"$5 off repeating", sub(t, "active", "["+price("2000", "month", 1, 1)+"]", `,"discount":{"coupon":{"amount_off":500,"currency":"usd","duration":"repeating"}}`), 1500, "legacy single discount"},
		{"once is not recurring", sub(t, "active", "["+price("2000", "month", 1, 1)+"]", `,"discounts":[{"coupon":{"percent_off":50,"duration":"once"}}]`), 2000, ""},
		{"unexpanded discount ids", sub(t, "active", "["+price("2000", "month", 1, 1)+"]", `,"discounts":["di_123"]`), 2000, "nothing to apply"},
		{"more off than the price", sub(t, "active", "["+price("2000", "month", 1, 1)+"]", `,"discounts":[{"coupon":{"amount_off":5000,"duration":"forever"}}]`), 0, "never negative"},
		{"legacy plan", sub(t, "active", `[{"quantity":2,"plan":{"amount":2500,"interval":"month","interval_count":1}}]`, ""), 5000, ""},
		{"decimal unit amount", sub(t, "active", `[{"quantity":1,"price":{"unit_amount":null,"unit_amount_decimal":"1999.5","recurring":{"interval":"month","interval_count":1}}}]`, ""), 2000, "rounded once"},
	} {
		got, err := billing.MRR(tc.s)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %d (%v), want %d (%s)", tc.name, got, err, tc.want, tc.reason)
		}
	}
	if _, err := billing.MRR(sub(t, "active", `[{"quantity":1,"price":{"unit_amount":100}}]`, "")); err == nil {
		t.Error("a one-off price has no MRR: want an error")
	}
}

// Stripe's own fixture subscription (stripe/openapi fixtures3.json): $20 a month.
func TestMRROfStripeFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/stripe/subscription.json")
	if err != nil {
		t.Fatal(err)
	}
	var s billing.Subscription
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if got, err := billing.MRR(s); err != nil || got != 2000 || s.Customer != "cus_QXg1o8vcGmoR32" {
		t.Fatalf("fixture: %d %v %q", got, err, s.Customer)
	}
}
