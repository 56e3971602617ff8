package ingest

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	events        *prometheus.CounterVec // by outcome: stored, duplicate, invalid
	invalid       *prometheus.CounterVec // refused messages by field
	identity      prometheus.Counter     // identity changes refused (event kept)
	refused       *prometheus.CounterVec // whole requests by reason
	groupSize     prometheus.Histogram
	commitSeconds prometheus.Histogram
}

func newMetrics() metrics {
	return metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "closeloop_ingest_events_total",
			Help: "Usage messages received, by outcome (stored, duplicate, invalid)."}, []string{"outcome"}),
		invalid: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "closeloop_ingest_invalid_total",
			Help: "Usage messages refused (reported in the 200 body), by the field at fault."}, []string{"field"}),
		identity: prometheus.NewCounter(prometheus.CounterOpts{Name: "closeloop_ingest_identity_refused_total",
			Help: "identify/group/alias calls stored but not applied because the account rules refused them."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "closeloop_ingest_requests_refused_total",
			Help: "Ingest requests refused as a whole, by reason (too_large, unparseable, content_type, busy)."}, []string{"reason"}),
		groupSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "closeloop_ingest_commit_events",
			Help: "Events per group commit.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		commitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "closeloop_ingest_commit_seconds",
			Help: "Duration of one group commit.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}}),
	}
}

func (m metrics) all() []prometheus.Collector {
	return []prometheus.Collector{m.events, m.invalid, m.identity, m.refused, m.groupSize, m.commitSeconds}
}
