package app

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
)

// addHealthJobs keeps account health current: every minute for the accounts whose
// inputs changed (a touchpoint, a payment, usage), and once a day, just after
// midnight UTC, for every account, since the day itself moves the usage windows and
// the days since the last contact.
func (a *App) addHealthJobs() {
	run := func(ctx context.Context, _ string) error { return a.Store.SyncHealth(ctx, a.Store.Now()) }
	a.Jobs.Add(jobs.Job{Name: "health-sync", Help: "rescores the accounts whose health inputs changed (usage, touchpoints, feedback, payments, settings)",
		Schedule: jobs.Every(time.Minute), Lease: 10 * time.Minute, Run: run})
	a.Jobs.Add(jobs.Job{Name: "health-daily", Help: "rescores every account for the new day and records the day in the health history",
		Schedule: jobs.DailyAt(0, 15, time.UTC), Lease: 30 * time.Minute, Run: run})
	a.Jobs.Add(jobs.Job{Name: "health-prune", Help: "removes health history older than the retention in the health settings (default 400 days)",
		Schedule: jobs.DailyAt(3, 45, time.UTC), Lease: 30 * time.Minute, Run: func(ctx context.Context, _ string) error {
			n, err := a.Store.PruneHealthHistory(ctx, a.Store.Now())
			if n > 0 {
				a.Log.Info("old health history removed", "rows", n)
			}
			return err
		}})
}
