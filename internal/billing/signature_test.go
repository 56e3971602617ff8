package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/billing"
	"github.com/stripe/stripe-go/v82/webhook"
)

// Signatures made by Stripe's own Go library verify, and ours verify with it; every
// way a header can be wrong is refused with its own error.
func TestVerifyAgainstStripeGo(t *testing.T) {
	payload := []byte(`{"id":"evt_1","type":"customer.created","created":1700000000,"data":{"object":{"id":"cus_1"}}}`)
	now := time.Unix(1700000100, 0)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_new", Timestamp: now.Add(-time.Minute)})
	if _, err := billing.Verify(signed.Header, payload, []string{"whsec_old", "whsec_new"}, now); err != nil {
		t.Fatalf("stripe-go's signature refused: %v (%s)", err, signed.Header)
	}
	ours := billing.Header(now, payload, "whsec_new")
	if err := webhook.ValidatePayloadIgnoringTolerance(payload, ours, "whsec_new"); err != nil {
		t.Fatalf("stripe-go refuses our header %s: %v", ours, err)
	}
	at := now.Add(-time.Minute).Unix()
	good := billing.Header(time.Unix(at, 0), payload, "whsec_new")
	for _, tc := range []struct {
		name, header string
		secrets      []string
		now          time.Time
		want         error
	}{
		{"good", good, []string{"whsec_new"}, now, nil},
		{"rotation: old secret first", good, []string{"whsec_old", "whsec_new"}, now, nil},
		{"one of several v1 matches", "t=" + itoa(at) + ",v1=" + zeros + "," + good[len("t="+itoa(at)+","):], []string{"whsec_new"}, now, nil},
		{"wrong secret", good, []string{"whsec_old"}, now, billing.ErrNoSignature},
		{"tampered body", billing.Header(time.Unix(at, 0), []byte(`{}`), "whsec_new"), []string{"whsec_new"}, now, billing.ErrNoSignature},
		{"five minutes and a second old", good, []string{"whsec_new"}, time.Unix(at+301, 0), billing.ErrStale},
		{"from the future", good, []string{"whsec_new"}, time.Unix(at-301, 0), billing.ErrStale},
		{"exactly at the tolerance", good, []string{"whsec_new"}, time.Unix(at+300, 0), nil},
		{"no header", "", []string{"whsec_new"}, now, billing.ErrNotSigned},
		{"no timestamp", "v1=" + zeros, []string{"whsec_new"}, now, billing.ErrBadHeader},
		{"v0 only", "t=" + itoa(at) + ",v0=" + zeros, []string{"whsec_new"}, now, billing.ErrBadHeader},
		{"not hex", "t=" + itoa(at) + ",v1=zz", []string{"whsec_new"}, now, billing.ErrBadHeader},
		{"bad timestamp", "t=soon,v1=" + zeros, []string{"whsec_new"}, now, billing.ErrBadHeader},
	} {
		_, err := billing.Verify(tc.header, payload, tc.secrets, tc.now)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

func itoa(n int64) string { return formatInt(n) }

func formatInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
