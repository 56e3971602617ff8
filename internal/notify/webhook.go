package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/store"
)

// Webhook events. Receivers subscribe an endpoint to some of them (or "*").
const (
	EventFeedbackCreated      = "feedback.created"
	EventRequestStatusChanged = "request.status_changed"
	EventVoteCreated          = "vote.created"
)

// Events lists every event an endpoint can subscribe to.
var Events = []string{EventFeedbackCreated, EventRequestStatusChanged, EventVoteCreated}

func knownEvent(e string) bool {
	for _, k := range Events {
		if k == e {
			return true
		}
	}
	return false
}

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

// WebhookPayload is an outbox row of kind webhook. The body is fixed when the event
// happens; the URL and secret are read at delivery time, so a rotated secret or a
// deactivated endpoint takes effect for queued deliveries too.
type WebhookPayload struct {
	EndpointID string          `json:"endpoint_id"`
	Event      string          `json:"event"`
	DeliveryID string          `json:"delivery_id"`
	Body       json.RawMessage `json:"body"`
}

// Envelope is the JSON body of every delivery.
type Envelope struct {
	ID        string    `json:"id"`
	Event     string    `json:"event"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// Emit queues one delivery of event to every active endpoint subscribed to it, in one
// transaction, and reports how many. data is the event's JSON object (see the typed
// helpers below). Call it after the change it reports has committed.
func Emit(ctx context.Context, st *store.Store, event string, data any) (int, error) {
	if !knownEvent(event) {
		return 0, fmt.Errorf("notify: unknown event %q", event)
	}
	eps, err := st.ListWebhookEndpoints(ctx)
	if err != nil {
		return 0, err
	}
	now := st.Now()
	var rows []*store.OutboxItem
	for _, ep := range eps {
		if !ep.Active || !ep.Subscribed(event) {
			continue
		}
		// One delivery id per endpoint: receivers de-duplicate on it.
		delivery := id.NewAt(now)
		body, err := json.Marshal(Envelope{ID: delivery, Event: event, CreatedAt: now, Data: data})
		if err != nil {
			return 0, err
		}
		raw, err := json.Marshal(WebhookPayload{EndpointID: ep.ID, Event: event, DeliveryID: delivery, Body: body})
		if err != nil {
			return 0, err
		}
		rows = append(rows, &store.OutboxItem{Kind: store.OutboxWebhook, Ref: ep.ID, Payload: raw})
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return len(rows), st.EnqueueOutbox(ctx, rows...)
}

// EmitFeedbackCreated reports a new feedback item (call when Capture says created).
func EmitFeedbackCreated(ctx context.Context, st *store.Store, it feedback.Item) (int, error) {
	return Emit(ctx, st, EventFeedbackCreated, it)
}

// StatusChange is the data of request.status_changed.
type StatusChange struct {
	Request  feedback.Request       `json:"request"`
	Previous feedback.RequestStatus `json:"previous_status"`
}

// EmitRequestStatusChanged reports a status change (call when UpdateRequest returns a
// previous status different from the new one).
func EmitRequestStatusChanged(ctx context.Context, st *store.Store, r feedback.Request, previous feedback.RequestStatus) (int, error) {
	if r.Status == previous {
		return 0, nil
	}
	return Emit(ctx, st, EventRequestStatusChanged, StatusChange{Request: r, Previous: previous})
}

// EmitVoteCreated reports a new vote (call when Vote says created).
func EmitVoteCreated(ctx context.Context, st *store.Store, v feedback.Vote) (int, error) {
	return Emit(ctx, st, EventVoteCreated, v)
}

// NewSecret makes an endpoint signing secret.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// ValidateEndpoint normalizes and checks an endpoint before it is stored: an http(s)
// URL with a host, known events (or "*"), at least one. Only admins manage endpoints;
// the URL may point inside the network, as a self-hosted integration often does.
func ValidateEndpoint(e *store.WebhookEndpoint) error {
	e.URL = strings.TrimSpace(e.URL)
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return &SettingsError{"url", "must be an http(s) URL without credentials"}
	}
	seen := map[string]bool{}
	var events []string
	for _, ev := range e.Events {
		ev = strings.TrimSpace(ev)
		if ev == "" || seen[ev] {
			continue
		}
		if ev != "*" && !knownEvent(ev) {
			return &SettingsError{"events", fmt.Sprintf("%q is not one of %s", ev, strings.Join(Events, ", "))}
		}
		seen[ev] = true
		events = append(events, ev)
	}
	if len(events) == 0 {
		return &SettingsError{"events", "choose at least one event"}
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
	if e.Secret == "" {
		e.Secret = NewSecret()
	}
	return st.CreateWebhookEndpoint(ctx, e)
}
