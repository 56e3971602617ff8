package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// syncBuf is a log sink several goroutines write to.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// instance is one app instance's runner on its own connection to a shared database.
func instance(t *testing.T, dsn, owner string) (*jobs.Runner, *store.Store) {
	t.Helper()
	st := storetest.OpenDSN(t, dsn)
	r := jobs.New(st, slog.New(slog.DiscardHandler))
	r.Owner, r.Poll = owner, 10*time.Millisecond
	return r, st
}

// shared returns a migrated database of the dialect that several instances open.
func shared(t *testing.T, dialect string) string {
	t.Helper()
	dsn := storetest.DSN(t, dialect)
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func eachDialect(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, shared(t, d)) })
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Two instances share a cluster job: across both, it runs at most once in every
// period, and it does run in most of them.
func TestClusterJobRunsOncePerPeriodAcrossInstances(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		const period = 150 * time.Millisecond
		var mu sync.Mutex
		perPeriod := map[int64][]string{}
		ctx, cancel := context.WithCancel(context.Background())
		var runners []*jobs.Runner
		for _, name := range []string{"a", "b"} {
			r, _ := instance(t, dsn, name)
			r.Add(jobs.Job{Name: "tick", Schedule: jobs.Every(period), Run: func(ctx context.Context, _ string) error {
				p := time.Now().UnixNano() / int64(period)
				mu.Lock()
				perPeriod[p] = append(perPeriod[p], name)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond) // long enough for the other instance to try
				return nil
			}})
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			runners = append(runners, r)
		}
		waitFor(t, "eight periods with a run", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(perPeriod) >= 8
		})
		cancel()
		for _, r := range runners {
			r.Wait()
		}
		by := map[string]int{}
		for p, who := range perPeriod {
			if len(who) != 1 {
				t.Errorf("period %d ran %d times (%v), want once", p, len(who), who)
			}
			for _, w := range who {
				by[w]++
			}
		}
		t.Logf("runs by instance: %v over %d periods", by, len(perPeriod))
	})
}

// An instance that dies holding a job's lease keeps it only until the lease runs out;
// while it lives, its heartbeat keeps the lease however long the run takes.
func TestLeaseTakenOverWhenHolderDies(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		const lease = 600 * time.Millisecond
		started := make(chan string, 4)
		job := func(name string) jobs.Job {
			return jobs.Job{Name: "long", Schedule: jobs.Every(time.Hour), Lease: lease, Run: func(ctx context.Context, _ string) error {
				started <- name
				<-ctx.Done() // runs until its instance stops
				return ctx.Err()
			}}
		}
		ra, sa := instance(t, dsn, "a")
		ra.Add(job("a"))
		ctxA, cancelA := context.WithCancel(context.Background())
		defer cancelA()
		if err := ra.Start(ctxA); err != nil {
			t.Fatal(err)
		}
		if got := <-started; got != "a" {
			t.Fatalf("first run on %s", got)
		}
		rb, _ := instance(t, dsn, "b")
		rb.Add(job("b"))
		ctxB, cancelB := context.WithCancel(context.Background())
		defer func() { cancelB(); rb.Wait() }()
		if err := rb.Start(ctxB); err != nil {
			t.Fatal(err)
		}
		// Three lease lengths: without renewal b would have taken over twice.
		select {
		case who := <-started:
			t.Fatalf("%s ran while a was alive and holding the lease", who)
		case <-time.After(3 * lease):
		}
		// Kill a: its connection goes first, so it cannot release the lease.
		killed := time.Now()
		sa.Close()
		cancelA()
		select {
		case who := <-started:
			if who != "b" {
				t.Fatalf("after the kill the job ran on %s", who)
			}
			took := time.Since(killed)
			t.Logf("b took over %v after a died (lease %v)", took, lease)
			if took > lease+2*time.Second {
				t.Errorf("takeover took %v, lease is %v", took, lease)
			}
		case <-time.After(lease + 10*time.Second):
			t.Fatal("b never took over the dead instance's job")
		}
	})
}

// A job that panics is logged with its stack, recorded as failed, and runs again when
// next due.
func TestPanickingJobIsRecordedAndRunsAgain(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		r, st := instance(t, dsn, "a")
		var logs syncBuf
		r.Log = slog.New(slog.NewTextHandler(&logs, nil))
		var calls atomic.Int32
		r.Add(jobs.Job{Name: "flaky", Schedule: jobs.Every(50 * time.Millisecond), Run: func(ctx context.Context, _ string) error {
			if calls.Add(1) == 1 {
				var p *struct{ n int }
				p.n++ // nil dereference: a real runtime panic
			}
			return nil
		}})
		ctx, cancel := context.WithCancel(context.Background())
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the failed first run to be recorded", func() bool {
			j, err := st.GetJob(context.Background(), "flaky")
			return err == nil && j.Runs >= 1
		})
		j, err := st.GetJob(context.Background(), "flaky")
		if err != nil {
			t.Fatal(err)
		}
		if j.Runs == 1 && (j.LastOutcome != "failed" || !strings.Contains(j.LastError, "nil pointer dereference")) {
			t.Errorf("after the panic: outcome %q, error %q", j.LastOutcome, j.LastError)
		}
		waitFor(t, "a second, successful run", func() bool {
			j, err := st.GetJob(context.Background(), "flaky")
			return err == nil && j.Runs >= 2 && j.LastOutcome == "ok"
		})
		cancel()
		r.Wait()
		j, _ = st.GetJob(context.Background(), "flaky")
		if j.Failures != 1 {
			t.Errorf("failures = %d, want 1", j.Failures)
		}
		for _, want := range []string{"job panicked", "jobs_test.go", "goroutine"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %q", want)
			}
		}
	})
}

// On-demand runs coalesce by key: three requests before the run give one run; a
// request while the key runs gives exactly one more run after it.
func TestOnDemandRunsCoalesceByKey(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		r, st := instance(t, dsn, "a")
		var mu sync.Mutex
		runs := map[string]int{}
		release := make(chan struct{})
		inRun := make(chan string, 8)
		r.Add(jobs.Job{Name: "rebuild", Run: func(ctx context.Context, key string) error {
			mu.Lock()
			runs[key]++
			n := runs[key]
			mu.Unlock()
			if key == "slow" && n == 1 {
				inRun <- key
				<-release
			}
			return nil
		}})
		ctx := context.Background()
		if err := r.Register(ctx); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := r.Enqueue(ctx, "rebuild", "x"); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Enqueue(ctx, "rebuild", "slow"); err != nil {
			t.Fatal(err)
		}
		if j, _ := st.GetJob(ctx, "rebuild"); j.Queued != 2 {
			t.Errorf("queued = %d, want 2 (x coalesced)", j.Queued)
		}
		rctx, cancel := context.WithCancel(ctx)
		if err := r.Start(rctx); err != nil {
			t.Fatal(err)
		}
		<-inRun
		if err := r.Enqueue(ctx, "rebuild", "slow"); err != nil { // while it runs
			t.Fatal(err)
		}
		if err := r.Enqueue(ctx, "rebuild", "slow"); err != nil { // coalesces with that one
			t.Fatal(err)
		}
		close(release)
		waitFor(t, "the queue to drain", func() bool {
			j, err := st.GetJob(ctx, "rebuild")
			return err == nil && j.Queued == 0
		})
		cancel()
		r.Wait()
		if runs["x"] != 1 || runs["slow"] != 2 {
			t.Errorf("runs = %v, want x:1 slow:2", runs)
		}
		if err := r.Enqueue(ctx, "nope", "k"); !errors.Is(err, jobs.ErrUnknownJob) {
			t.Errorf("unknown job: %v", err)
		}
	})
}

// An instance job runs on every instance, and "run now" reaches each of them.
func TestInstanceJobRunsEverywhereAndOnRequest(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		var mu sync.Mutex
		runs := map[string]int{}
		ctx, cancel := context.WithCancel(context.Background())
		var rs []*jobs.Runner
		for _, name := range []string{"a", "b"} {
			r, _ := instance(t, dsn, name)
			r.Add(jobs.Job{Name: "local", Scope: jobs.Instance, Schedule: jobs.DailyAt(3, 0, time.UTC), Run: func(context.Context, string) error {
				mu.Lock()
				runs[name]++
				mu.Unlock()
				return nil
			}})
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		time.Sleep(50 * time.Millisecond) // let both settle: a daily job is not due now
		mu.Lock()
		before := len(runs)
		mu.Unlock()
		if before != 0 {
			t.Fatalf("a daily job ran at start: %v", runs)
		}
		if err := rs[0].Request(context.Background(), "local"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "both instances to run it", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return runs["a"] == 1 && runs["b"] == 1
		})
		cancel()
		for _, r := range rs {
			r.Wait()
		}
	})
}
