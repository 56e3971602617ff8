// Package billing takes payment facts in from Stripe: subscriptions become MRR
// movements through the revenue rules, invoices the account's payment state.
package billing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a signature's timestamp may be from now: Stripe's own default.
const Tolerance = 300 * time.Second

// Signature errors, each a 400 to Stripe (it retries, and shows the answer in its
// dashboard).
var (
	ErrNotSigned   = errors.New("no Stripe-Signature header")
	ErrBadHeader   = errors.New("Stripe-Signature header has no t= timestamp or no v1= signature")
	ErrStale       = errors.New("Stripe-Signature timestamp is outside the 300 s tolerance")
	ErrNoSignature = errors.New("no v1 signature matches a configured secret")
)

// Verify checks a Stripe-Signature header ("t=…,v1=…[,v1=…][,v0=…]") against the
// payload: HMAC-SHA256 over "t.payload" with each secret (two during a rotation), hex
// encoded, any v1 matching; the timestamp within Tolerance of now. It returns the
// signed time.
func Verify(header string, payload []byte, secrets []string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(header) == "" {
		return time.Time{}, ErrNotSigned
	}
	var ts int64
	haveTS := false
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, ErrBadHeader
			}
			ts, haveTS = n, true
		case "v1":
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	if !haveTS || len(sigs) == 0 {
		return time.Time{}, ErrBadHeader
	}
	at := time.Unix(ts, 0)
	if d := now.Sub(at); d > Tolerance || d < -Tolerance {
		return at, ErrStale
	}
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		want := Sign(at, payload, secret)
		for _, s := range sigs {
			if hmac.Equal(s, want) {
				return at, nil
			}
		}
	}
	return at, ErrNoSignature
}

// Sign is the v1 signature of payload at time t: what Stripe sends, and what tests
// sign fixtures with.
func Sign(t time.Time, payload []byte, secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(t.Unix(), 10)))
	mac.Write([]byte("."))
	mac.Write(payload)
	return mac.Sum(nil)
}

// Header is a Stripe-Signature header for payload, as Stripe builds it.
func Header(t time.Time, payload []byte, secret string) string {
	return "t=" + strconv.FormatInt(t.Unix(), 10) + ",v1=" + hex.EncodeToString(Sign(t, payload, secret))
}
