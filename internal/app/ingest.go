package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/closeloop/closeloop/internal/ingest"
	"github.com/closeloop/closeloop/internal/router"
)

// mountIngest adds the Segment-compatible usage API (/v1/*, ingest scope), its
// metrics and its retention jobs.
func (a *App) mountIngest(ing *ingest.Service, rt *router.Router, reg *prometheus.Registry) {
	ing.Register(rt)
	reg.MustRegister(ing.Collectors()...)
	for _, j := range ing.Jobs() {
		a.Jobs.Add(j)
	}
}
