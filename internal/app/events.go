package app

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
)

// addEventJobs registers the domain event log's consumers and its retention.
func (a *App) addEventJobs() {
	a.Jobs.Add(notify.WebhookFanOutJob(a.Store, 2*time.Second))
	a.Jobs.Add(notify.SlackJob(a.Store, a.Config.BaseURL, 5*time.Second))
	a.Jobs.Add(jobs.Job{Name: "event-prune", Help: "removes domain events older than 90 days that every consumer has handled",
		Schedule: jobs.DailyAt(3, 30, time.UTC), Run: func(ctx context.Context, _ string) error {
			n, err := a.Store.PruneEvents(ctx, a.Store.Now().Add(-store.EventRetention))
			if n > 0 {
				a.Log.Info("old domain events removed", "count", n)
			}
			return err
		}})
}
