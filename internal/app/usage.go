package app

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
)

// addUsageJobs keeps the daily usage roll-ups within seconds of the events, so an
// account page rarely has anything to recount before it answers.
func (a *App) addUsageJobs() {
	a.Jobs.Add(jobs.Job{Name: "usage-rollup", Help: "recounts the daily usage of every (account, day) that new or newly attributed events changed",
		Schedule: jobs.Every(5 * time.Second), Lease: 5 * time.Minute,
		Run: func(ctx context.Context, _ string) error { return a.Store.SyncUsage(ctx) }})
}
