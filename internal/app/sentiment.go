package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
)

// sentimentBackfillJob labels the items captured before sentiment existed (migration
// 0022), 500 per transaction until none is left; `closeloop jobs run
// sentiment-backfill` does it at once. Captures label their own items.
func sentimentBackfillJob(s *store.Store, log *slog.Logger) jobs.Job {
	return jobs.Job{Name: "sentiment-backfill", Help: "labels the sentiment of feedback items captured before sentiment existed",
		Schedule: jobs.Every(10 * time.Minute),
		Run: func(ctx context.Context, _ string) error {
			total := 0
			defer func() {
				if total > 0 {
					log.Info("feedback sentiment labelled", "count", total)
				}
			}()
			for {
				n, err := s.BackfillSentiment(ctx, 500)
				total += n
				if err != nil || n == 0 {
					return err
				}
			}
		}}
}
