package jobs

import (
	"context"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

// Status is one job as the jobs page and `closeloop jobs list` show it: what this
// build registers (help, scope, schedule) joined with its row in the database (the
// last run of any instance, the next due time, waiting on-demand work).
type Status struct {
	store.JobState
	Help     string
	Scope    string
	Schedule string // "on demand" for a job without one
	// Known is false for a row no job of this build registers (one an older or newer
	// instance added): it is listed, but cannot be run from here.
	Known bool
	// OnDemandOnly jobs run only for queued keys; "run now" does not apply to them.
	OnDemandOnly bool
	Running      bool // an instance holds the lease now
}

// Never reports whether the job has no next due time (it runs only when asked).
func (s Status) Never() bool { return !s.NextRunAt.Before(never) }

// CanRunNow says whether an admin's "run now" means anything for the job.
func (s Status) CanRunNow() bool { return s.Known && !s.OnDemandOnly }

// Status lists every job registered here or recorded by any instance, by name.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	rows, err := r.Store.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	now := r.now()
	byName := map[string]*Status{}
	var out []*Status
	for _, row := range rows {
		st := &Status{JobState: row, Help: "(not registered by this build)"}
		st.Running = row.Owner != "" && row.LockedUntil.After(now)
		byName[row.Name] = st
		out = append(out, st)
	}
	for _, j := range r.Jobs() {
		st, ok := byName[j.Name]
		if !ok { // registered but not yet written (no instance started yet): due as Register would make it
			st = &Status{JobState: store.JobState{Name: j.Name, NextRunAt: never}}
			if j.Schedule != nil {
				st.NextRunAt = j.Schedule.First(now)
			}
			out = append(out, st)
		}
		st.Known, st.Help, st.Scope = true, j.Help, j.Scope.String()
		if j.Schedule != nil {
			st.Schedule = j.Schedule.String()
		} else {
			st.Schedule, st.OnDemandOnly = "on demand", j.Scope == Cluster
		}
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	res := make([]Status, len(out))
	for i, s := range out {
		res[i] = *s
	}
	return res, nil
}

// Duration is the last run's length rounded for reading.
func (s Status) Duration() time.Duration {
	if s.LastDuration < time.Second {
		return s.LastDuration.Round(time.Millisecond)
	}
	return s.LastDuration.Round(100 * time.Millisecond)
}
