package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
)

// Outbound webhook events. They are written to the outbox inside the same transaction
// as the change they report (a transactional outbox): an event exists exactly when its
// change committed, and a crash between the two cannot lose or invent one.
const (
	EventFeedbackCreated      = "feedback.created"
	EventRequestStatusChanged = "request.status_changed"
	EventVoteCreated          = "vote.created"
)

// Events lists every event name.
var Events = []string{EventFeedbackCreated, EventRequestStatusChanged, EventVoteCreated}

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

// StatusChange is the data of request.status_changed.
type StatusChange struct {
	Request  feedback.Request       `json:"request"`
	Previous feedback.RequestStatus `json:"previous_status"`
}

// Emit queues event to every active subscribed endpoint in its own transaction and
// reports how many deliveries it queued (for events the store does not raise itself).
func (s *Store) Emit(ctx context.Context, event string, data any) (n int, err error) {
	err = s.tx(ctx, func(q q) error {
		n, err = s.emit(ctx, q, event, data)
		return err
	})
	return n, err
}

func (s *Store) emit(ctx context.Context, q q, event string, data any) (int, error) {
	rows, err := q.query(ctx, `SELECT `+webhookCols+` FROM webhook_endpoints WHERE active = TRUE ORDER BY id`)
	if err != nil {
		return 0, err
	}
	var eps []WebhookEndpoint
	for rows.Next() {
		e, err := scanWebhook(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if e.Subscribed(event) {
			eps = append(eps, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	now := s.Now()
	for _, ep := range eps {
		delivery := id.NewAt(now) // one per endpoint: receivers de-duplicate on it
		body, err := json.Marshal(Envelope{ID: delivery, Event: event, CreatedAt: now, Data: data})
		if err != nil {
			return 0, err
		}
		raw, err := json.Marshal(WebhookPayload{EndpointID: ep.ID, Event: event, DeliveryID: delivery, Body: body})
		if err != nil {
			return 0, err
		}
		if err := s.insertOutbox(ctx, q, &OutboxItem{Kind: OutboxWebhook, Ref: ep.ID, Payload: raw}); err != nil {
			return 0, err
		}
	}
	return len(eps), nil
}
