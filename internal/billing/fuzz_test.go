package billing_test

import (
	"testing"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Any signed body — Stripe's shapes bent every way — gets a 200 or a 4xx, never a
// 5xx or a panic.
func FuzzStripeHook(f *testing.F) {
	e := newHookEnv(f, storetest.Open(f, "sqlite"))
	for _, typ := range []string{"customer.created", "customer.subscription.updated", "invoice.paid", "invoice.payment_failed", "charge.succeeded"} {
		f.Add([]byte(`{"id":"evt_1","type":"` + typ + `","created":1772366400,"data":{"object":{"id":"x","customer":"cus_1","status":"active","items":{"data":[{"quantity":2,"price":{"unit_amount":100,"recurring":{"interval":"month","interval_count":0}}}]}}}}`))
	}
	f.Add([]byte(`{"id":"evt_2","type":"customer.subscription.created","created":1,"data":{"object":{"id":"s","customer":{"id":"cus_2"},"status":"active","items":{"data":[{"price":{"unit_amount_decimal":"1e400","recurring":{"interval":"year"}}}]},"discounts":[{"coupon":{"percent_off":-50,"duration":"forever"}}]}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		if code, msg := e.send(body, ""); code >= 500 {
			t.Fatalf("%d %s for %q", code, msg, body)
		}
	})
}
