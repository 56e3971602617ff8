// Package jobs runs closeloop's background work: named jobs that run on a schedule
// (every few seconds, daily at a time in the team's time zone) or on demand (coalesced
// by key). A cluster-wide job holds a lease row in the database while it runs, so that
// several instances on one PostgreSQL run each period once between them and one
// takes over within the lease time when the holder dies. A job that fails or panics
// is logged (a panic with its stack), recorded as failed, and runs again when next
// due. Every run is counted in Prometheus metrics and in the jobs table, which the
// jobs page and `closeloop jobs` read.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/closeloop/closeloop/internal/store"
)

// Scope says where a job runs.
type Scope int

const (
	// Cluster jobs run on one instance at a time, holding the job's lease.
	Cluster Scope = iota
	// Instance jobs run on every instance: they keep per-process state (the tag
	// suggestion model) or claim their own work row by row (the outbox).
	Instance
)

func (s Scope) String() string {
	if s == Instance {
		return "every instance"
	}
	return "one instance"
}

// Job is one named piece of background work.
type Job struct {
	Name string
	Help string // one line for the jobs page
	// Schedule makes the job periodic; nil makes it on-demand only (Enqueue).
	Schedule Schedule
	Scope    Scope
	// Lease is how long a cluster job's claim lasts without renewal (default 1
	// minute); a running job renews it every third of that, so only a dead
	// instance loses it. It bounds how long a crashed instance holds the job.
	Lease time.Duration
	// Run does the work; key is "" for a periodic run and the requested key for an
	// on-demand one. ctx ends at shutdown or when the lease is lost.
	Run func(ctx context.Context, key string) error
}

func (j *Job) lease() time.Duration {
	if j.Lease > 0 {
		return j.Lease
	}
	return time.Minute
}

// never is the due time of a job without a schedule: it runs only when asked.
var never = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrUnknownJob is returned for a name no job was registered under.
var ErrUnknownJob = errors.New("no such job")

// Runner runs registered jobs until its context ends.
type Runner struct {
	Store *store.Store
	Log   *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Poll is how often the runner looks for due work; default 1 second.
	Poll time.Duration
	// Owner names this instance in leases; default host-pid-random.
	Owner string

	mu      sync.Mutex
	jobs    map[string]*entry
	started bool
	wg      sync.WaitGroup
	runs    *prometheus.CounterVec
	last    *prometheus.GaugeVec
}

type entry struct {
	job       Job
	runMu     sync.Mutex    // one run of the job at a time in this process
	wake      chan struct{} // a local Request or Enqueue: look now
	lastLocal time.Time     // instance jobs: when this process last started it
	nextLocal time.Time
	done      chan struct{} // closed and replaced after every run, for Wait
}

// New makes a runner; register jobs with Add, then Start.
func New(st *store.Store, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	return &Runner{Store: st, Log: log, jobs: map[string]*entry{},
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "closeloop_job_runs_total", Help: "Background job runs by job and outcome."}, []string{"job", "outcome"}),
		last: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "closeloop_job_last_duration_seconds", Help: "How long each background job's last run took."}, []string{"job"}),
	}
}

// Collectors are the runner's Prometheus metrics, to register.
func (r *Runner) Collectors() []prometheus.Collector { return []prometheus.Collector{r.runs, r.last} }

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) poll() time.Duration {
	if r.Poll > 0 {
		return r.Poll
	}
	return time.Second
}

func (r *Runner) owner() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		r.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	return r.Owner
}

// Add registers a job. It panics on a duplicate name or a job without Run: both are
// programming errors found at start-up.
func (r *Runner) Add(j Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if j.Name == "" || j.Run == nil {
		panic("jobs: a job needs a name and a Run func")
	}
	if _, dup := r.jobs[j.Name]; dup {
		panic("jobs: job registered twice: " + j.Name)
	}
	if r.started {
		panic("jobs: Add after Start: " + j.Name)
	}
	r.jobs[j.Name] = &entry{job: j, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Jobs returns the registered jobs by name.
func (r *Runner) Jobs() []Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Job, 0, len(r.jobs))
	for _, e := range r.jobs {
		out = append(out, e.job)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return out
}

func (r *Runner) entry(name string) (*entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.jobs[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownJob, name)
	}
	return e, nil
}

// Register writes a row for every job into the database (due per its schedule) so
// that the jobs page and the CLI list them before they first run. Start calls it.
func (r *Runner) Register(ctx context.Context) error {
	now := r.now()
	for _, j := range r.Jobs() {
		var first time.Time
		if j.Schedule != nil {
			first = j.Schedule.First(now)
		} else {
			first = never
		}
		if err := r.Store.EnsureJob(ctx, j.Name, first); err != nil {
			return err
		}
	}
	return nil
}

// Start registers the jobs and runs them in the background until ctx ends; Wait then
// returns once every run in flight has finished.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.Register(ctx); err != nil {
		return err
	}
	r.owner()
	r.mu.Lock()
	r.started = true
	es := make([]*entry, 0, len(r.jobs))
	for _, e := range r.jobs {
		es = append(es, e)
	}
	r.mu.Unlock()
	for _, e := range es {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.loop(ctx, e)
		}()
	}
	return nil
}

// Wait blocks until every job loop has stopped (after Start's context ended).
func (r *Runner) Wait() { r.wg.Wait() }

// loop looks for due work for one job every Poll (or at once when woken) until ctx
// ends. A run in flight is never abandoned mid-way by the loop: it sees ctx end, and
// the loop waits for it to return.
func (r *Runner) loop(ctx context.Context, e *entry) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.wake:
		}
		r.tick(ctx, e)
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(r.poll())
	}
}

// tick does whatever is due for e now: its periodic run, then its queued keys.
func (r *Runner) tick(ctx context.Context, e *entry) {
	if ctx.Err() != nil {
		return
	}
	if e.job.Schedule != nil || e.job.Scope == Instance {
		if _, err := r.runPeriodic(ctx, e, false); err != nil && ctx.Err() == nil {
			r.Log.Warn("job scheduling failed", "job", e.job.Name, "err", err)
		}
	}
	if _, err := r.runQueued(ctx, e); err != nil && ctx.Err() == nil {
		r.Log.Warn("job queue failed", "job", e.job.Name, "err", err)
	}
}

// runPeriodic runs e once if it is due (or force) and this instance may: a cluster job
// when it wins the lease, an instance job on its own clock or an admin's request.
func (r *Runner) runPeriodic(ctx context.Context, e *entry, force bool) (bool, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	j := e.job
	now := r.now()
	if j.Scope == Instance {
		st, err := r.Store.GetJob(ctx, j.Name)
		if err != nil {
			return false, err
		}
		if e.nextLocal.IsZero() && j.Schedule != nil {
			e.nextLocal = j.Schedule.First(now)
		}
		due := force || st.RunRequestedAt.After(e.lastLocal) || (j.Schedule != nil && !now.Before(e.nextLocal))
		if !due {
			return false, nil
		}
		e.lastLocal = now
		if j.Schedule != nil {
			e.nextLocal = j.Schedule.Next(now)
		}
		r.execute(ctx, e, "", now, nil, func(ctx context.Context, run store.JobRun) error {
			run.Next = e.nextLocal
			return r.Store.FinishJob(ctx, run)
		})
		return true, nil
	}
	owner := r.owner()
	if force {
		if err := r.Store.RequestJobRun(ctx, j.Name, now); err != nil {
			return false, err
		}
	}
	won, err := r.Store.ClaimJob(ctx, j.Name, owner, now, j.lease())
	if err != nil || !won {
		return false, err
	}
	renew := func(ctx context.Context) (bool, error) {
		return r.Store.RenewJob(ctx, j.Name, owner, r.now().Add(j.lease()))
	}
	r.execute(ctx, e, "", now, renew, func(ctx context.Context, run store.JobRun) error {
		run.Leased = true
		if j.Schedule != nil {
			run.Next = j.Schedule.Next(run.Finished)
		} else {
			run.Next = never
		}
		return r.Store.FinishJob(ctx, run)
	})
	return true, nil
}

// runQueued runs every waiting on-demand key of e that this instance claims.
func (r *Runner) runQueued(ctx context.Context, e *entry) (int, error) {
	j := e.job
	owner := r.owner()
	n := 0
	for ctx.Err() == nil {
		claimed, err := r.Store.ClaimQueued(ctx, j.Name, owner, r.now(), j.lease(), 10)
		if err != nil || len(claimed) == 0 {
			return n, err
		}
		renew := func(ctx context.Context) (bool, error) {
			return true, r.Store.RenewQueued(ctx, j.Name, owner, r.now().Add(j.lease()))
		}
		for _, qr := range claimed {
			n++
			r.execute(ctx, e, qr.Key, r.now(), renew, func(ctx context.Context, run store.JobRun) error {
				if err := r.Store.FinishQueued(ctx, j.Name, owner, qr); err != nil {
					return err
				}
				return r.Store.FinishJob(ctx, run)
			})
		}
	}
	return n, nil
}

// execute runs the job once with panic recovery, a lease heartbeat when renew is set,
// metrics and logs, then records the run through finish. The record is written even
// when ctx ended during the run (shutdown), so the job's row shows how it ended.
func (r *Runner) execute(ctx context.Context, e *entry, key string, start time.Time, renew func(context.Context) (bool, error), finish func(context.Context, store.JobRun) error) {
	j := e.job
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopBeat := make(chan struct{})
	beatDone := make(chan struct{})
	go func() {
		defer close(beatDone)
		if renew == nil {
			return
		}
		t := time.NewTicker(j.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-stopBeat:
				return
			case <-t.C:
				ok, err := renew(context.WithoutCancel(runCtx))
				if err == nil && !ok {
					r.Log.Warn("job lease lost; stopping the run", "job", j.Name)
					cancel()
					return
				}
			}
		}
	}()
	err := r.call(runCtx, j, key)
	close(stopBeat)
	<-beatDone
	end := r.now()
	run := store.JobRun{Name: j.Name, Owner: r.owner(), Started: start, Finished: end}
	outcome := "ok"
	if err != nil {
		outcome = "failed"
		run.Failed, run.Error = true, truncate(err.Error(), 1000)
		r.Log.Error("job failed", "job", j.Name, "key", key, "err", err)
	}
	r.runs.WithLabelValues(j.Name, outcome).Inc()
	r.last.WithLabelValues(j.Name).Set(end.Sub(start).Seconds())
	if ferr := finish(context.WithoutCancel(ctx), run); ferr != nil {
		r.Log.Error("job outcome not recorded", "job", j.Name, "err", ferr)
	}
	r.mu.Lock()
	close(e.done)
	e.done = make(chan struct{})
	r.mu.Unlock()
}

// call runs j.Run, turning a panic into an error and logging its stack.
func (r *Runner) call(ctx context.Context, j Job, key string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.Log.Error("job panicked", "job", j.Name, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return j.Run(ctx, key)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Request asks for a periodic job to run as soon as possible, on whichever instance
// sees the request first (every instance, for an instance job): the jobs page's and
// the CLI's "run now". It works from a process that runs no jobs.
func (r *Runner) Request(ctx context.Context, name string) error {
	e, err := r.entry(name)
	if err != nil {
		return err
	}
	if err := RequestRun(ctx, r.Store, name, r.now()); err != nil {
		return err
	}
	e.poke()
	return nil
}

// RequestRun records a "run now" for job name in the database, for the CLI, which
// has no runner: a serving instance picks it up within its poll interval.
func RequestRun(ctx context.Context, st *store.Store, name string, at time.Time) error {
	err := st.RequestJobRun(ctx, name, at)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %q", ErrUnknownJob, name)
	}
	return err
}

// Enqueue asks for an on-demand run of job name for key, coalesced with any request
// for the same key that has not started yet.
func (r *Runner) Enqueue(ctx context.Context, name, key string) error {
	e, err := r.entry(name)
	if err != nil {
		return err
	}
	if err := r.Store.EnqueueJob(ctx, name, key, r.now()); err != nil {
		return err
	}
	e.poke()
	return nil
}

func (e *entry) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run runs job name once now, in the caller's goroutine, through the same claim,
// recovery and record as a scheduled run; for tests and for a "run now" that should
// wait. For a cluster job it reports false when another instance holds the lease.
func (r *Runner) Run(ctx context.Context, name string) (bool, error) {
	e, err := r.entry(name)
	if err != nil {
		return false, err
	}
	if err := r.Store.EnsureJob(ctx, name, r.now()); err != nil {
		return false, err
	}
	return r.runPeriodic(ctx, e, true)
}

// WaitRun blocks until the next run of job name (started after the call) ends, or
// ctx ends: tests use it to wait for background work instead of sleeping.
func (r *Runner) WaitRun(ctx context.Context, name string) error {
	e, err := r.entry(name)
	if err != nil {
		return err
	}
	r.mu.Lock()
	done := e.done
	r.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
