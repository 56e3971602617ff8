package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// closeloop jobs list shows every job and how its last run went; closeloop jobs run
// asks the running server, which runs it; and a CLI command refuses a schema that
// is behind while CLOSELOOP_AUTO_MIGRATE is off.
func TestJobsCommand(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		e := b.env

		// Item 6: with auto-migrate off, a fresh database is refused, not migrated.
		out, err := run(t, append(e, "CLOSELOOP_AUTO_MIGRATE=false"), "", "jobs", "list")
		if err == nil || !strings.Contains(out, "run 'closeloop migrate' first") {
			t.Fatalf("jobs list on an unmigrated database with auto-migrate off: %v\n%s", err, out)
		}
		mustRun(t, e, "migrate")

		out = mustRun(t, append(e, "CLOSELOOP_AUTO_MIGRATE=false"), "jobs", "list")
		for _, want := range []string{"NAME", "SCHEDULE", "LAST RUN", "NEXT RUN", "QUEUED", "ERROR",
			"outbox", "every instance", "ranking-sync", "one instance", "every 5s", "session-cleanup", "tagging", "never"} {
			if !strings.Contains(out, want) {
				t.Errorf("jobs list lacks %q:\n%s", want, out)
			}
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "ranking-sync ") && strings.Contains(l, "when asked") {
				t.Errorf("ranking-sync is due at once, not when asked: %q", l)
			}
		}
		if out, err := run(t, e, "", "jobs", "run", "nope"); err == nil || !strings.Contains(out, `no job "nope"`) {
			t.Fatalf("jobs run nope: %v\n%s", err, out)
		}

		// A failed run shows with its error.
		ctx := context.Background()
		st := storetest.OpenDSN(t, b.dsn)
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		if err := st.EnsureJob(ctx, "session-cleanup", at); err != nil { // as a server's start would
			t.Fatal(err)
		}
		if err := st.FinishJob(ctx, store.JobRun{Name: "session-cleanup", Owner: "host-a", Started: at, Finished: at.Add(1500 * time.Millisecond),
			Failed: true, Error: "store: delete sessions:\n disk full"}); err != nil {
			t.Fatal(err)
		}
		out = mustRun(t, e, "jobs", "list")
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "session-cleanup ") {
				line = l
			}
		}
		for _, want := range []string{"2026-03-04 05:06:07Z", "1.5s", "failed", "store: delete sessions: disk full"} {
			if !strings.Contains(line, want) {
				t.Errorf("session-cleanup line lacks %q: %q", want, line)
			}
		}

		// jobs run with a server up: the server runs it (session-cleanup runs once at
		// start, then hourly, so a second run is the request's).
		startServer(t, e, b.addr, "serve")
		waitRuns(t, st, "session-cleanup", 2) // the failure above, then the start-up run
		out = mustRun(t, e, "jobs", "run", "session-cleanup")
		if !strings.Contains(out, "asked session-cleanup to run now") || !strings.Contains(out, "running closeloop server picks it up") {
			t.Fatalf("jobs run: %s", out)
		}
		j := waitRuns(t, st, "session-cleanup", 3)
		if j.LastOutcome != "ok" {
			t.Fatalf("requested run: %+v", j)
		}
	})
}

func waitRuns(t *testing.T, st *store.Store, name string, runs int64) store.JobState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := st.GetJob(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if j.Runs >= runs && j.Owner == "" {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached %d runs: %+v", name, runs, j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
