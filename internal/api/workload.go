package api

import (
	"context"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/workload"
)

// workload is each member's book against the per-tier capacity of the configured tiers.
func (a *API) workload(ctx context.Context) (store.Workload, error) {
	return a.Store.Workload(ctx, a.Config.Tiers)
}

// putWorkloadSettings replaces the whole policy; a map left out is an empty one, so the
// stored document always has both.
func (a *API) putWorkloadSettings(ctx context.Context, in workload.Settings) error {
	if in.Capacity == nil {
		in.Capacity = map[string]workload.Capacity{}
	}
	if in.DefaultOwners == nil {
		in.DefaultOwners = map[string]string{}
	}
	return a.Store.PutWorkloadSettings(ctx, in)
}
