package ingest

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
)

// Jobs are ingestion's background work: retention of raw events, and forgetting
// messageIds that have left the de-duplication window.
func (sv *Service) Jobs() []jobs.Job {
	return []jobs.Job{
		{Name: "usage-prune", Help: "removes raw usage events older than the retention (CLOSELOOP_USAGE_RETENTION_DAYS, default 400)",
			Schedule: jobs.DailyAt(4, 10, time.UTC), Lease: 10 * time.Minute,
			Run: func(ctx context.Context, _ string) error {
				n, err := sv.store.PruneUsage(ctx, sv.store.Now().Add(-sv.cfg.Retention))
				if n > 0 {
					sv.log.Info("old usage events removed", "count", n)
				}
				return err
			}},
		{Name: "usage-dedup-prune", Help: "forgets usage messageIds older than the de-duplication window",
			Schedule: jobs.Every(time.Hour),
			Run: func(ctx context.Context, _ string) error {
				_, err := sv.store.PruneUsageDedup(ctx, sv.cfg.DedupWindow)
				return err
			}},
	}
}
