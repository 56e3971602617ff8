package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Domain events the store raises itself. Each is appended to the event log
// (eventlog.go) inside the same transaction as the change it reports, whether or not
// anyone listens; outbound webhooks are one consumer of the log (eventlog_webhooks.go).
const (
	EventFeedbackCreated      = "feedback.created"
	EventRequestStatusChanged = "request.status_changed"
	EventVoteCreated          = "vote.created"
)

// Events lists every event name a webhook endpoint can subscribe to.
var Events = []string{EventFeedbackCreated, EventRequestStatusChanged, EventVoteCreated}

// WebhookPayload is an outbox row of kind webhook. The body is fixed when the event
// is fanned out; the URL and secret are read at delivery time, so a rotated secret or
// a deactivated endpoint takes effect for queued deliveries too.
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
	// AccountID is the customer account the event concerns, when there is one: the
	// health, signal, task, goal, survey and cancellation events carry it only here.
	AccountID string `json:"account_id,omitempty"`
	Data      any    `json:"data"`
}

// StatusChange is the data of request.status_changed.
type StatusChange struct {
	Request  feedback.Request       `json:"request"`
	Previous feedback.RequestStatus `json:"previous_status"`
}

// Emit records event in the log in its own transaction (for events the store does not
// raise itself), then fans the log out to webhook endpoints at once rather than at
// the webhook job's next period. It reports how many deliveries that fan-out queued.
func (s *Store) Emit(ctx context.Context, event string, data any) (int, error) {
	if err := s.tx(ctx, func(q q) error {
		_, err := s.emit(ctx, q, event, data)
		return err
	}); err != nil {
		return 0, fmt.Errorf("store: emit: %w", err)
	}
	_, n, err := s.FanOutWebhooks(ctx, 0)
	return n, wrapf(err, "store: emit")
}

// emit appends event to the log in q's transaction, naming the account and subject
// the data is about. (The int is for the callers' `_, err :=`; it is always 0.)
func (s *Store) emit(ctx context.Context, q q, event string, data any) (int, error) {
	var account, subject string
	switch d := data.(type) {
	case feedback.Item:
		account, subject = d.AccountID, d.ID
	case StatusChange:
		subject = d.Request.ID
	case feedback.Vote:
		account, subject = d.AccountID, d.RequestID
	}
	return 0, wrapf(s.appendEvent(ctx, q, event, account, subject, data), "emit")
}
