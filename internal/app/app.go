// Package app builds the running system from configuration: the store, the route
// table with the web UI and the JSON API, operational endpoints, and the HTTP server.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/closeloop/closeloop/internal/api"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/ingest"
	"github.com/closeloop/closeloop/internal/integration"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/surveymail"
	"github.com/closeloop/closeloop/internal/tagging"
	"github.com/closeloop/closeloop/internal/web"
)

// App is a configured closeloop.
type App struct {
	Config  config.Config
	Store   *store.Store
	Router  *router.Router
	Log     *slog.Logger
	Tagging *tagging.Service    // tag suggestions, retrained in the background by Serve
	Loop    *loop.Service       // close-the-loop emails
	Jobs    *jobs.Runner        // background work, started by Serve
	Surveys *surveymail.Service // survey emails and their response page
	handler http.Handler
}

// suggester adapts the tagging service to the web UI.
type suggester struct{ sv *tagging.Service }

func (s suggester) Suggest(ctx context.Context, text string, k int) ([]web.Suggestion, error) {
	ss, err := s.sv.Suggest(ctx, text, k)
	out := make([]web.Suggestion, len(ss))
	for i, x := range ss {
		out[i] = web.Suggestion{TagID: x.TagID, Score: x.Score}
	}
	return out, err
}

// NewLogger makes the process logger from config.
func NewLogger(cfg config.Config) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// New builds the app on an open store.
func New(cfg config.Config, s *store.Store, log *slog.Logger) *App {
	a := &App{Config: cfg, Store: s, Log: log}
	a.Tagging = tagging.New(s, log)
	a.Tagging.ModelPath = filepath.Join(cfg.DataDir, "suggest-model.bin")
	a.Loop = loop.New(s, cfg.BaseURL)
	a.Jobs = jobs.New(s, log)
	a.addSurveys()
	a.addJobs()
	w := web.New(web.Deps{Store: s, Config: cfg, Log: log, Suggest: suggester{a.Tagging}, Similar: suggester{a.Tagging}, Loop: a.Loop, Jobs: a.Jobs})
	ap := api.New(api.Deps{Store: s, Config: cfg, Log: log})
	ing := ingest.New(s, ingest.ConfigFromEnv(log), log)
	rt := router.New(router.Authenticator{Session: w.SessionMember, APIKey: ing.Authenticate(ap.Key)}, w.RenderError, api.RenderError, log)
	a.Router = rt
	rt.LimitReads(cfg.MaxReads)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(a.Jobs.Collectors()...)
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "closeloop_http_request_duration_seconds", Help: "HTTP request latency by route pattern and status.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "code"})
	reg.MustRegister(dur)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "closeloop_http_reads_waiting",
		Help: "Reads waiting for one of the CLOSELOOP_MAX_READS slots."}, func() float64 { return float64(rt.ReadsWaiting()) }))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "closeloop_http_reads_running",
		Help: "Reads holding one of the CLOSELOOP_MAX_READS slots."}, func() float64 { return float64(rt.ReadsRunning()) }))
	rt.Observe = func(route string, status int, d time.Duration) {
		dur.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
	}

	rt.Public("GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
		_, err := w.Write([]byte("ok\n"))
		return err
	})
	rt.Public("GET /readyz", a.ready)
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	rt.API("GET /metrics", auth.ScopeMetrics, func(w http.ResponseWriter, r *http.Request) error {
		metrics.ServeHTTP(w, r)
		return nil
	})
	w.Register(rt)
	ap.Register(rt)
	a.mountIngest(ing, rt, reg)
	ch := cfg.Channels
	integration.New(integration.Deps{Capture: CaptureFunc(s), Inbound: s, Buckets: s, Proxies: cfg.TrustedProxies, Members: MemberLookup(s), RawRetention: inboundRawRetention(log), Log: log, SlackBotToken: ch.SlackBotToken, Secrets: integration.Secrets{
		Intercom: ch.Intercom, Zendesk: ch.Zendesk, HelpScout: ch.HelpScout, Freshdesk: ch.Freshdesk, Slack: ch.Slack, Email: ch.Email,
	}}).Register(rt)
	portal.New(portal.Deps{Store: s, Config: cfg, Log: log}).Register(rt)
	rt.Public("POST /hooks/stripe", (&billing.Hook{Ledger: s, Secrets: cfg.Channels.Stripe, Log: log, Now: s.Now,
		Refused: auth.NewSharedLimiter("stripe-refused", 20, 3*time.Second, s, log), ClientIP: cfg.TrustedProxies.ClientIP}).Handle)
	// Close the loop: recipients unsubscribe from a link in the email (mail providers
	// also POST to it for one-click unsubscribe, without Origin headers).
	rt.Public("GET /unsubscribe/{token}", a.Loop.UnsubscribeHandler)
	rt.Public("POST /unsubscribe/{token}", a.Loop.UnsubscribeHandler)
	a.mountSurveys(rt)
	a.mountCancel(rt)
	// Unknown URLs: JSON 404 under the API, the UI's 404 page elsewhere.
	rt.Fallback("/api/", router.API)
	rt.Fallback("/", router.Web)

	// Every state-changing request from a browser must come from our own origin
	// (Sec-Fetch-Site / Origin checks). Requests without those headers — API clients,
	// webhooks, curl — are not browsers and carry no ambient cookies worth forging.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	a.handler = securityHeaders(cop.Handler(rt))
	return a
}

// CaptureFunc adapts the store's capture to the inbound channels.
func CaptureFunc(s *store.Store) integration.CaptureFunc {
	return func(ctx context.Context, c feedback.Capture) (string, bool, error) {
		it, created, err := s.Capture(ctx, c)
		return it.ID, created, err
	}
}

func (s suggester) Similar(ctx context.Context, text, excludeID string, k int) (requests, items []web.SimilarMatch) {
	rs, is := s.sv.Similar(ctx, text, excludeID, k)
	conv := func(ms []tagging.Match) []web.SimilarMatch {
		out := make([]web.SimilarMatch, len(ms))
		for i, m := range ms {
			out[i] = web.SimilarMatch{ID: m.ID, RequestID: m.RequestID, Score: m.Score}
		}
		return out
	}
	return conv(rs), conv(is)
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

func (a *App) ready(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.Store.Ping(ctx); err != nil {
		return &router.Error{Status: http.StatusServiceUnavailable, Msg: "database unreachable", Err: err}
	}
	if n, err := a.Store.Pending(ctx); err != nil || n > 0 {
		return &router.Error{Status: http.StatusServiceUnavailable, Msg: fmt.Sprintf("%d migrations pending: run closeloop migrate", n), Err: err}
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.ServeHTTP(w, r)
	})
}

// Serve listens on cfg.Addr and runs the background jobs until ctx ends, then shuts
// down in order: stop accepting and drain in-flight requests, stop the jobs and wait
// for them. The caller closes the store after Serve returns.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (CLOSELOOP_ADDR): %w", a.Config.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if err := a.Tagging.LoadSaved(ctx); err != nil {
		a.Log.Warn("loading the saved tag suggestion model failed", "err", err)
	}
	// Jobs get their own context: they are stopped only after the last request has
	// been answered, and the store is closed (by the caller) only after they stop.
	jctx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	if err := a.Jobs.Start(jctx); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		a.Log.Info("shutting down: draining requests")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
		cancel()
	}
	a.Log.Info("shutting down: stopping background jobs")
	stopJobs()
	done := make(chan struct{})
	go func() { a.Jobs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(jobsShutdownWait):
		a.Log.Error("background jobs still running after shutdown wait; closing anyway", "wait", jobsShutdownWait)
	}
	return serveErr
}

// jobsShutdownWait bounds how long shutdown waits for running jobs: longer than one
// outbox send (60 s) so a message in flight is recorded, shorter than the 90 s a
// service manager usually allows before it kills the process.
const jobsShutdownWait = 75 * time.Second

// addJobs registers the app's background work.
func (a *App) addJobs() {
	a.Jobs.Add((&notify.Worker{Store: a.Store, Log: a.Log}).Job())
	a.Jobs.Add(a.Tagging.Job())
	a.Jobs.Add(inboundCleanupJob(a.Store, a.Log))
	a.Jobs.Add(sentimentBackfillJob(a.Store, a.Log))
	a.addEventJobs()
	a.addHealthJobs()
	a.addGoalJobs()
	a.addDigestJob()
	a.Jobs.Add(web.LimitsCleanupJob(a.Store, a.Log))
	a.Jobs.Add(jobs.Job{Name: "session-cleanup", Help: "removes expired sign-in sessions",
		Schedule: jobs.Every(time.Hour),
		Run: func(ctx context.Context, _ string) error {
			n, err := a.Store.DeleteExpiredSessions(ctx)
			if n > 0 {
				a.Log.Info("expired sessions removed", "count", n)
			}
			return err
		}})
	a.addDerivedJobs() // last: a derivation with a job of its own above keeps it
}
