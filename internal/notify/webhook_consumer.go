package notify

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
)

// WebhookFanOutJob is outbound webhooks as a consumer of the domain event log: every
// period it turns the events after its checkpoint into outbox deliveries for the
// endpoints subscribed to them (store.FanOutWebhooks), until it has caught up; the
// outbox job then delivers them. One instance runs it at a time, though the
// checkpoint's row lock would keep two from fanning out the same event anyway.
func WebhookFanOutJob(st *store.Store, every time.Duration) jobs.Job {
	if every <= 0 {
		every = 2 * time.Second
	}
	return jobs.Job{Name: "webhook-fanout", Help: "turns new domain events into webhook deliveries for subscribed endpoints",
		Schedule: jobs.Every(every), Run: func(ctx context.Context, _ string) error {
			for ctx.Err() == nil {
				n, _, err := st.FanOutWebhooks(ctx, fanOutBatch)
				if err != nil || n < fanOutBatch {
					return err
				}
			}
			return nil
		}}
}

const fanOutBatch = 200
