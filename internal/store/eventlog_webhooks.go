package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/closeloop/closeloop/internal/id"
)

// WebhookConsumer is the event-log consumer that turns events into webhook deliveries.
const WebhookConsumer = "webhooks"

// FanOutWebhooks takes the next batch (limit, default 100) of the log after the
// webhook consumer's checkpoint and queues one outbox delivery per event and active
// endpoint subscribed to it, in the transaction that advances the checkpoint: each
// event is fanned out exactly once. An endpoint receives only events that happened
// after it was created, so a fan-out that lags (the server was down) does not send a
// new endpoint older history. It reports the events read and the deliveries queued.
func (s *Store) FanOutWebhooks(ctx context.Context, limit int) (events, deliveries int, err error) {
	events, err = s.consumeTx(ctx, WebhookConsumer, limit, func(q q, evs []Event) error {
		deliveries = 0
		eps, err := activeEndpoints(ctx, q)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if !slices.Contains(Events, ev.Kind) {
				continue // an internal event no endpoint can subscribe to
			}
			for _, ep := range eps {
				if !ep.Subscribed(ev.Kind) || ep.CreatedAt.After(ev.At) {
					continue
				}
				delivery := id.NewAt(ev.At) // one per endpoint: receivers de-duplicate on it
				body, err := json.Marshal(Envelope{ID: delivery, Event: ev.Kind, CreatedAt: ev.At, AccountID: ev.AccountID, Data: ev.Data})
				if err != nil {
					return err
				}
				payload := WebhookPayload{EndpointID: ep.ID, Event: ev.Kind, DeliveryID: delivery, Body: body}
				if err := s.queueJSON(ctx, q, OutboxWebhook, ep.ID, payload); err != nil {
					return fmt.Errorf("queue delivery of event %d: %w", ev.Seq, err)
				}
				deliveries++
			}
		}
		return nil
	})
	return events, deliveries, wrapf(err, "store: fan out webhooks")
}

func activeEndpoints(ctx context.Context, q q) ([]WebhookEndpoint, error) {
	eps, err := collect(ctx, q, scanWebhook, `SELECT `+webhookCols+` FROM webhook_endpoints WHERE active = TRUE ORDER BY id`)
	return eps, wrapf(err, "active endpoints")
}
