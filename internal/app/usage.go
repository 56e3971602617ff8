package app

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
)

// addDerivedJobs gives every derivation (store/derive.go: ranking, usage, revenue, …) a
// job that keeps it within seconds of its sources, so a read rarely has anything to
// recount before it answers. A new derivation gets its job without a line here.
func (a *App) addDerivedJobs() {
	have := map[string]bool{}
	for _, j := range a.Jobs.Jobs() {
		have[j.Name] = true
	}
	for _, d := range a.Store.Derivations() {
		name := d.Name
		if have[name+"-sync"] {
			continue
		}
		a.Jobs.Add(jobs.Job{Name: name + "-sync", Help: "brings the " + d.Help + " up to date with their sources",
			Schedule: jobs.Every(5 * time.Second), Lease: 5 * time.Minute,
			Run: func(ctx context.Context, _ string) error { return a.Store.SyncDerivation(ctx, name, a.Store.Now()) }})
	}
}
