package app

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
)

// addGoalJobs checks every usage goal once a day, after the day's roll-ups: a goal
// whose check day passed unmet logs goal.missed, and the next health sync's
// goal_missed signal tasks the account's owner.
func (a *App) addGoalJobs() {
	a.Jobs.Add(jobs.Job{Name: "goal-check", Help: "records whether each customer reached the goal they signed up for; a missed one tasks the owner",
		Schedule: jobs.DailyAt(0, 30, time.UTC), Lease: 30 * time.Minute,
		Run: func(ctx context.Context, _ string) error {
			n, err := a.Store.CheckGoals(ctx, a.Store.Now())
			if n > 0 {
				a.Log.Info("goals missed", "count", n)
			}
			return err
		}})
}
