package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

// Webhook events. Receivers subscribe an endpoint to some of them (or "*").
const (
	EventFeedbackCreated      = store.EventFeedbackCreated
	EventRequestStatusChanged = store.EventRequestStatusChanged
	EventVoteCreated          = store.EventVoteCreated
)

// Events lists every event an endpoint can subscribe to: the store's list, which each
// feature that raises one extends (health, signals and tasks, goals, surveys,
// cancellations), so subscribing and the fan-out never disagree.
var Events = store.Events

func knownEvent(e string) bool { return slices.Contains(Events, e) }

// Webhook delivery, for integrators (see docs/webhooks.md):
//
// Each delivery is an HTTP POST of a JSON body
//
//	{"id": "<delivery id>", "event": "request.status_changed", "created_at": "<RFC 3339>", "data": {…}}
//
// with the headers
//
//	Content-Type:          application/json
//	X-Closeloop-Event:     the event name
//	X-Closeloop-Delivery:  the delivery id (the same on every retry: use it to drop duplicates)
//	X-Closeloop-Timestamp: Unix seconds when this attempt was signed
//	X-Closeloop-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// Verify the signature over the raw body bytes before parsing them, compare in
// constant time, and refuse old timestamps to stop replays (VerifySignature does all
// three). Any 2xx answer is success; anything else, a timeout or a redirect is
// retried after 1m, 5m, 30m, 2h and 12h, then the delivery fails.
const (
	HeaderEvent     = "X-Closeloop-Event"
	HeaderDelivery  = "X-Closeloop-Delivery"
	HeaderTimestamp = "X-Closeloop-Timestamp"
	HeaderSignature = "X-Closeloop-Signature"
)

// Sign returns the X-Closeloop-Signature value for a body sent at timestamp.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// ErrBadSignature is returned by VerifySignature for any mismatch.
var ErrBadSignature = errors.New("webhook signature does not match")

// VerifySignature checks a delivery's signature headers against the raw body. maxAge
// bounds how old the timestamp may be (5 minutes is a good value; 0 skips the check).
// The signature header may hold several comma-separated values; one match is enough.
func VerifySignature(secret string, h http.Header, body []byte, maxAge time.Duration) error {
	ts, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: missing or bad %s", ErrBadSignature, HeaderTimestamp)
	}
	if maxAge > 0 {
		if age := time.Since(time.Unix(ts, 0)); age > maxAge || age < -maxAge {
			return fmt.Errorf("%w: timestamp outside the allowed window", ErrBadSignature)
		}
	}
	want := []byte(Sign(secret, ts, body))
	for _, got := range strings.Split(h.Get(HeaderSignature), ",") {
		if hmac.Equal([]byte(strings.TrimSpace(got)), want) {
			return nil
		}
	}
	return ErrBadSignature
}

// WebhookPayload and Envelope are the store's: the store writes webhook events in
// the transactions that cause them (a transactional outbox), the worker delivers them.
type (
	WebhookPayload = store.WebhookPayload
	Envelope       = store.Envelope
	StatusChange   = store.StatusChange
)

// Emit queues one delivery of event to every active endpoint subscribed to it and
// reports how many. feedback.created, request.status_changed and vote.created are
// raised by the store itself; Emit is for anything else.
func Emit(ctx context.Context, st *store.Store, event string, data any) (int, error) {
	if !knownEvent(event) {
		return 0, fmt.Errorf("notify: unknown event %q", event)
	}
	return st.Emit(ctx, event, data)
}

// NewSecret makes an endpoint signing secret.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// ValidateEndpoint normalizes and checks an endpoint before it is stored: an http(s)
// URL with a host, known events (or "*"), at least one. Where the URL may point is
// checked by CreateEndpoint and UpdateEndpoint (public addresses only, unless the
// host is allowed in EgressSettings), and again at every send.
func ValidateEndpoint(e *store.WebhookEndpoint) error {
	e.URL = strings.TrimSpace(e.URL)
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return errs.Invalid("url", "must be an http(s) URL without credentials")
	}
	seen := map[string]bool{}
	var events []string
	for _, ev := range e.Events {
		ev = strings.TrimSpace(ev)
		if ev == "" || seen[ev] {
			continue
		}
		if ev != "*" && !knownEvent(ev) {
			return errs.Invalidf("events", "%q is not one of %s", ev, strings.Join(Events, ", "))
		}
		seen[ev] = true
		events = append(events, ev)
	}
	if len(events) == 0 {
		return errs.Invalid("events", "choose at least one event")
	}
	e.Events = events
	e.Description = strings.TrimSpace(e.Description)
	return nil
}

// CreateEndpoint validates and stores an endpoint with a fresh secret, which it
// returns in e.Secret: show it once; it is never listed again.
func CreateEndpoint(ctx context.Context, st *store.Store, e *store.WebhookEndpoint) error {
	if err := ValidateEndpoint(e); err != nil {
		return err
	}
	if err := checkEndpointURL(ctx, st, nil, e.URL); err != nil {
		return err
	}
	if e.Secret == "" {
		e.Secret = NewSecret()
	}
	return st.CreateWebhookEndpoint(ctx, e)
}

// UpdateEndpoint validates and saves an endpoint's URL, events, description and
// active flag; its signing secret stays as it is. store.ErrNotFound when it is gone.
func UpdateEndpoint(ctx context.Context, st *store.Store, e *store.WebhookEndpoint) error {
	if err := ValidateEndpoint(e); err != nil {
		return err
	}
	if err := checkEndpointURL(ctx, st, nil, e.URL); err != nil {
		return err
	}
	e.Secret = "" // keep the stored one
	return st.UpdateWebhookEndpoint(ctx, e)
}
