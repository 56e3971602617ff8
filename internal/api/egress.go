package api

import (
	"context"
	"net/http"

	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/router"
)

// egressOut is the webhook egress setting as the API shows it: always an array.
func egressOut(e notify.EgressSettings) notify.EgressSettings {
	if e.AllowHosts == nil {
		e.AllowHosts = []string{}
	}
	return e
}

// egress is the webhook egress setting as the API shows it.
func (a *API) egress(ctx context.Context) (notify.EgressSettings, error) {
	e, err := notify.LoadEgress(ctx, a.Store)
	return egressOut(e), err
}

// putEgress replaces the list of internal hosts outbound webhooks may reach.
func (a *API) putEgress(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AllowHosts []string `json:"allow_hosts"`
	}
	o, err := decodeBody(w, r, &in)
	if err != nil {
		return err
	}
	if !o.has("allow_hosts") {
		return router.FieldErr("allow_hosts", "is required: the whole list of allowed hosts ([] for none)")
	}
	if len(in.AllowHosts) > 100 {
		return router.FieldErr("allow_hosts", "holds more than 100 hosts")
	}
	if err := notify.SaveEgress(r.Context(), a.Store, in.AllowHosts); err != nil {
		return err
	}
	e, err := a.egress(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}
