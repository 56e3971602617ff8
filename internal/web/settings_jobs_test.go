package web_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/webtest"
)

// jobsEnv is the real app with two extra jobs: "probe" counts its runs and is not due
// for a day, so only "Run now" runs it; "breaks" panics.
func jobsEnv(t *testing.T, s *store.Store) (*env, *app.App, *atomic.Int32) {
	t.Helper()
	a := app.New(config.Default(), s, slog.New(slog.DiscardHandler))
	var probes atomic.Int32
	a.Jobs.Add(jobs.Job{Name: "probe", Help: "counts its runs", Schedule: jobs.DailyAt(3, 0, time.UTC),
		Run: func(context.Context, string) error { probes.Add(1); return nil }})
	a.Jobs.Add(jobs.Job{Name: "breaks", Help: "always panics", Schedule: jobs.DailyAt(3, 0, time.UTC),
		Run: func(context.Context, string) error { panic("boom: index out of range") }})
	return &env{Client: webtest.Client{H: a.Handler()}, t: t, s: s, ctx: context.Background()}, a, &probes
}

// waitJob waits (bounded, not timed) until job name has recorded runs runs.
func waitJob(t *testing.T, s *store.Store, name string, runs int64) store.JobState {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := s.GetJob(context.Background(), name)
		if err == nil && j.Runs >= runs {
			return j
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s never reached %d runs (last %+v)", name, runs, j)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestJobsPageIsAdminOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _, probes := jobsEnv(t, s)
		m := e.signedIn("pm@example.com", auth.RoleMember)
		wantStatus(t, e.Get("/settings/jobs", m), http.StatusForbidden)
		wantStatus(t, e.Post("/settings/jobs/probe/run", nil, m), http.StatusForbidden)
		if j, err := s.GetJob(e.ctx, "probe"); err == nil && !j.RunRequestedAt.IsZero() {
			t.Fatal("a member's run now was recorded")
		}
		if probes.Load() != 0 {
			t.Fatal("a member ran a job")
		}

		a := e.signedIn("root@example.com", auth.RoleAdmin)
		r := e.Get("/settings/jobs", a)
		wantStatus(t, r, http.StatusOK)
		// Every job of the app is listed, with its help, schedule and scope, before any
		// instance has run one.
		wantIn(t, r, `href="/settings/jobs" aria-current="page"`,
			`id="job-outbox"`, "sends queued email and webhooks", "on every instance",
			`id="job-ranking-sync"`, "every 5s", "on one instance",
			`id="job-session-cleanup"`, "every 1h0m0s",
			`id="job-tagging"`, `id="job-probe"`, "daily at 03:00 UTC",
			`action="/settings/jobs/probe/run"`)
		// Before any instance has written its row, a job is shown due as it will be.
		if row := jobRow(t, r.Text, "probe"); strings.Contains(row, "when asked") || !strings.Contains(row, "03:00 UTC</td>") {
			t.Errorf("probe's next run is not its next 03:00:\n%s", row)
		}
		wantStatus(t, e.Post("/settings/jobs/nope/run", nil, a), http.StatusNotFound)
		// Run now is a state change: another site's form cannot press it.
		wantStatus(t, e.Do("POST", "/settings/jobs/probe/run", nil, a, "Sec-Fetch-Site: cross-site"), http.StatusForbidden)
		if j, err := s.GetJob(e.ctx, "probe"); err == nil && !j.RunRequestedAt.IsZero() {
			t.Fatal("a cross-site run now was recorded")
		}
	})
}

// Run now on the page asks the running server's runner, which runs the job and
// records the outcome the page then shows.
func TestJobsPageRunNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, ap, probes := jobsEnv(t, s)
		ap.Jobs.Poll = 10 * time.Millisecond
		ctx, stop := context.WithCancel(context.Background())
		if err := ap.Jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stop(); ap.Jobs.Wait() })
		a := e.signedIn("root@example.com", auth.RoleAdmin)

		before := e.Get("/settings/jobs", a)
		row := jobRow(t, before.Text, "probe")
		if !strings.Contains(row, "never") {
			t.Fatalf("probe has not run yet, its row says:\n%s", row)
		}
		r := e.Post("/settings/jobs/probe/run", nil, a)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/settings/jobs" {
			t.Fatalf("redirect to %q", loc)
		}
		j := waitJob(t, s, "probe", 1)
		if probes.Load() != 1 || j.LastOutcome != "ok" {
			t.Fatalf("after run now: %d runs, outcome %q", probes.Load(), j.LastOutcome)
		}
		row = jobRow(t, e.Get("/settings/jobs", a).Text, "probe")
		for _, want := range []string{`<span class="badge on">ok</span>`, "took ", "daily at 03:00 UTC"} {
			if !strings.Contains(row, want) {
				t.Errorf("probe row lacks %q:\n%s", want, row)
			}
		}
	})
}

// The acceptance point: a job that panics is marked failed on the jobs page, with
// its error, and stays scheduled for its next period.
func TestJobsPageShowsPanickedJobFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, ap, _ := jobsEnv(t, s)
		a := e.signedIn("root@example.com", auth.RoleAdmin)
		if _, err := ap.Jobs.Run(e.ctx, "breaks"); err != nil {
			t.Fatal(err)
		}
		row := jobRow(t, e.Get("/settings/jobs", a).Text, "breaks")
		for _, want := range []string{`<span class="badge ls-failed">failed</span>`, "panic: boom: index out of range", "1 of 1 runs failed"} {
			if !strings.Contains(row, want) {
				t.Errorf("breaks row lacks %q:\n%s", want, row)
			}
		}
		j, err := s.GetJob(e.ctx, "breaks")
		if err != nil {
			t.Fatal(err)
		}
		if want := jobs.DailyAt(3, 0, time.UTC).Next(j.LastFinishedAt); !j.NextRunAt.Equal(want) {
			t.Errorf("after the panic next run = %v, want the next period %v", j.NextRunAt, want)
		}
	})
}

// jobRow cuts the table row of job name out of the page.
func jobRow(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, `<tr id="job-`+name+`">`)
	if i < 0 {
		t.Fatalf("no row for job %s:\n%s", name, clip(page))
	}
	row := page[i:]
	if k := strings.Index(row, "</tr>"); k >= 0 {
		row = row[:k]
	}
	return row
}
