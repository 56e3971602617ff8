// Package ingest is the Segment-compatible HTTP Tracking API (/v1/track, identify,
// group, page, screen, alias, batch, import): any Segment or RudderStack client sends
// product usage to closeloop by changing its endpoint. The write key is an API key
// with the ingest scope. Events are acknowledged only once committed; concurrent
// requests share a transaction (group commit); a full queue answers 429.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// Config tunes ingestion. Zero fields take the defaults.
type Config struct {
	DedupWindow time.Duration // messageIds are de-duplicated over at least this; default 24 h
	Retention   time.Duration // raw events are kept this long; default 400 days
	Linger      time.Duration // how long a group waits for more requests; default 2 ms
	MaxGroup    int           // events that close a group early; default 10,000
	MaxQueue    int           // payload bytes queued before 429; default 64 MB
	MaxReaders  int           // bodies being read and decoded at once; default 64
	AdmitWait   time.Duration // how long a request waits for a reader before 429; default 2 s
}

func (c *Config) defaults() {
	if c.DedupWindow <= 0 {
		c.DedupWindow = 24 * time.Hour
	}
	if c.Retention <= 0 {
		c.Retention = store.DefaultUsageRetention
	}
	if c.Linger <= 0 {
		c.Linger = 2 * time.Millisecond
	}
	if c.MaxGroup <= 0 {
		c.MaxGroup = 10_000
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = 64 << 20
	}
	if c.MaxReaders <= 0 {
		c.MaxReaders = 64
	}
	if c.AdmitWait <= 0 {
		c.AdmitWait = 2 * time.Second
	}
}

// ConfigFromEnv reads CLOSELOOP_USAGE_RETENTION_DAYS (default 400) and
// CLOSELOOP_USAGE_DEDUP_HOURS (default 24); a bad value is logged and the default used.
func ConfigFromEnv(log *slog.Logger) Config {
	var c Config
	read := func(name string, lo, hi int, unit time.Duration, dst *time.Duration) {
		v := os.Getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			log.Warn(fmt.Sprintf("%s must be a whole number from %d to %d; using the default", name, lo, hi), "value", v)
			return
		}
		*dst = time.Duration(n) * unit
	}
	read("CLOSELOOP_USAGE_RETENTION_DAYS", 1, 3650, 24*time.Hour, &c.Retention)
	read("CLOSELOOP_USAGE_DEDUP_HOURS", 24, 24*30, time.Hour, &c.DedupWindow)
	c.defaults()
	return c
}

// Service serves /v1/*.
type Service struct {
	store   *store.Store
	cfg     Config
	log     *slog.Logger
	c       *committer
	readers chan struct{}
	m       metrics
}

// New makes the service on a migrated store.
func New(s *store.Store, cfg Config, log *slog.Logger) *Service {
	cfg.defaults()
	sv := &Service{store: s, cfg: cfg, log: log, readers: make(chan struct{}, cfg.MaxReaders), m: newMetrics()}
	sv.c = &committer{
		commit: func(ctx context.Context, evs []store.UsageEvent) ([]store.UsageOutcome, error) {
			return s.CommitUsage(ctx, evs, cfg.DedupWindow)
		},
		linger: cfg.Linger, maxGroup: cfg.MaxGroup, maxBytes: cfg.MaxQueue,
		observe: func(n int, d time.Duration) {
			sv.m.groupSize.Observe(float64(n))
			sv.m.commitSeconds.Observe(d.Seconds())
		},
	}
	return sv
}

// Register mounts the API. Every route needs the ingest scope (admin keys have it too).
func (sv *Service) Register(rt *router.Router) {
	for _, kind := range []string{"track", "identify", "group", "page", "screen", "alias"} {
		rt.API("POST /v1/"+kind, auth.ScopeIngest, sv.handler(kind))
	}
	rt.API("POST /v1/batch", auth.ScopeIngest, sv.handler("batch"))
	rt.API("POST /v1/import", auth.ScopeIngest, sv.handler("batch")) // Segment's alias of batch
}

// Response is the 200 body. Segment answers {"success": true}; the counts and the
// per-message problems are closeloop's additions (clients ignore them).
type Response struct {
	Success    bool      `json:"success"`
	Accepted   int       `json:"accepted"`   // stored now
	Duplicates int       `json:"duplicates"` // seen before within the window; not stored again
	Problems   []Problem `json:"problems,omitempty"`
}

func (sv *Service) handler(kind string) router.Handler {
	limit := MaxEventBytes
	if kind == "batch" {
		limit = MaxBatchBytes
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		if !jsonContentType(r.Header.Get("Content-Type")) {
			sv.m.refused.WithLabelValues("content_type").Inc()
			return &router.Error{Status: http.StatusUnsupportedMediaType, Field: "Content-Type",
				Msg: fmt.Sprintf("Content-Type %q is not supported: send application/json", r.Header.Get("Content-Type"))}
		}
		d, err := sv.decode(r, kind, limit)
		if errors.Is(err, errBusy) {
			return sv.busyErr()
		}
		if err != nil {
			return sv.refuse(err)
		}
		res := Response{Success: true, Problems: d.problems}
		for _, p := range d.problems {
			sv.m.events.WithLabelValues("invalid").Inc()
			sv.m.invalid.WithLabelValues(p.Field).Inc()
		}
		if len(d.events) > 0 {
			outs, err := sv.c.submit(r.Context(), d.events, d.bytes)
			if errors.Is(err, errBusy) {
				return sv.busyErr()
			}
			if err != nil {
				return &router.Error{Status: http.StatusInternalServerError, Msg: "the events could not be stored; send them again", Err: err}
			}
			for k, o := range outs {
				switch {
				case o.Duplicate:
					res.Duplicates++
				default:
					res.Accepted++
				}
				if o.Err != nil {
					p := Problem{Index: d.index[k], MessageID: d.events[k].MessageID, Error: o.Err.Error(), Stored: true}
					var fe *errs.FieldError
					if errors.As(o.Err, &fe) {
						p.Field, p.Error = fe.Field, fe.Msg
					}
					res.Problems = append(res.Problems, p)
					sv.m.identity.Inc()
				}
			}
			sv.m.events.WithLabelValues("stored").Add(float64(res.Accepted))
			sv.m.events.WithLabelValues("duplicate").Add(float64(res.Duplicates))
		}
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(res)
	}
}

func (sv *Service) refuse(err error) error {
	reason := "unparseable"
	if errors.Is(err, errTooLarge) {
		reason = "too_large"
	}
	sv.m.refused.WithLabelValues(reason).Inc()
	return &router.Error{Status: http.StatusBadRequest, Msg: err.Error()}
}

// retryAfter is what a 429 asks clients to wait, in seconds: one commit's worth of
// time is plenty, and whole seconds are all the header can say.
const retryAfter = 1

// busyErr is the 429 of a full queue or of no free reader slot; the router sends its
// RetryAfter as the Retry-After header.
func (sv *Service) busyErr() error {
	sv.m.refused.WithLabelValues("busy").Inc()
	return &router.Error{Status: http.StatusTooManyRequests, RetryAfter: retryAfter,
		Msg: fmt.Sprintf("ingestion is busy: retry after %d s", retryAfter)}
}

// decode reads and decodes the body holding a reader slot, which bounds the memory of
// bodies being parsed; the decoded events are then bounded by the committer's queue.
func (sv *Service) decode(r *http.Request, kind string, limit int) (decoded, error) {
	if !sv.admit(r.Context()) {
		return decoded{}, errBusy
	}
	defer sv.release()
	body, ok := r.Context().Value(bodyKey{}).([]byte)
	if !ok {
		var err error
		if body, err = readBody(r, limit); err != nil {
			return decoded{}, err
		}
	} else if len(body) > limit {
		return decoded{}, fmt.Errorf("%w: the body is larger than %d KB", errTooLarge, limit>>10)
	}
	d, _, err := decodeBody(kind, body, sv.store.Now())
	return d, err
}

// admit takes one of the reader slots that bound the memory of bodies in flight. A
// burst waits a little (its bodies are not read yet, so waiting costs no memory)
// before it is told to come back later.
func (sv *Service) admit(ctx context.Context) bool {
	select {
	case sv.readers <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(sv.cfg.AdmitWait)
	defer t.Stop()
	select {
	case sv.readers <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (sv *Service) release() { <-sv.readers }

// Collectors are the service's Prometheus metrics.
func (sv *Service) Collectors() []prometheus.Collector {
	held := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "closeloop_ingest_dedup_memory_ids",
		Help: "messageIds SQLite's de-duplication window holds in memory (0 on PostgreSQL)."},
		func() float64 { n, _ := sv.store.UsageDedupMemory(); return float64(n) })
	evicted := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "closeloop_ingest_dedup_evicted_total",
		Help: "messageIds forgotten before their window ended because the in-memory bound was reached: their resends are stored again."},
		func() float64 { _, n := sv.store.UsageDedupMemory(); return float64(n) })
	return append(sv.m.all(), held, evicted)
}
