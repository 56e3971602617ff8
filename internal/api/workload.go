package api

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/workload"
)

// registerWorkload: each member's book against the per-tier capacity, and the
// coverage policy (capacity and the tiers' default owners).
func (a *API) registerWorkload(rt *router.Router) {
	rt.API("GET /api/v1/workload", auth.ScopeRead, a.getWorkload)
	rt.API("GET /api/v1/settings/workload", auth.ScopeRead, a.getWorkloadSettings)
	// Who gets unowned accounts' tasks is the team's policy.
	rt.API("PUT /api/v1/settings/workload", auth.ScopeAdmin, a.putWorkloadSettings)
}

func (a *API) getWorkload(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	wl, err := a.Store.Workload(r.Context(), a.Config.Tiers)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wl)
}

func (a *API) getWorkloadSettings(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	ws, err := a.Store.WorkloadSettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ws)
}

// putWorkloadSettings replaces the whole policy.
func (a *API) putWorkloadSettings(w http.ResponseWriter, r *http.Request) error {
	var in workload.Settings
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.Capacity == nil {
		in.Capacity = map[string]workload.Capacity{}
	}
	if in.DefaultOwners == nil {
		in.DefaultOwners = map[string]string{}
	}
	if err := a.Store.PutWorkloadSettings(r.Context(), in); err != nil {
		return err
	}
	return a.getWorkloadSettings(w, r)
}
