package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/jobs"
)

const jobsUsage = "usage: closeloop jobs list | closeloop jobs run NAME"

func runJobs(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") {
		return errors.New(jobsUsage)
	}
	s, cfg, fs, err := openCommand(ctx, "jobs "+args[0]+" [flags]", `jobs list shows every background job: where and when it runs, its last run (start,
duration, outcome, the error of a failed run), its next run and queued work.
jobs run NAME asks for a run now; a running closeloop server picks it up within a
second or two and records the outcome, which jobs list then shows.`, args[1:], nil)
	if err != nil {
		return err
	}
	defer s.Close()
	// The app registers the jobs (names, help, schedules) without starting them.
	a := app.New(cfg, s, slog.New(slog.DiscardHandler))
	if args[0] == "run" {
		if fs.NArg() != 1 {
			return errors.New(jobsUsage)
		}
		return jobRunNow(ctx, a, fs.Arg(0), stdout)
	}
	st, err := a.Jobs.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPE\tSCHEDULE\tLAST RUN\tDURATION\tOUTCOME\tNEXT RUN\tQUEUED\tERROR")
	for _, j := range st {
		last, dur, outcome, next := "never", "-", "-", "when asked"
		if !j.LastFinishedAt.IsZero() {
			last, dur, outcome = cliTime(j.LastStartedAt), j.Duration().String(), j.LastOutcome
		}
		if j.Running {
			outcome = "running"
		}
		if j.NextRunAt.IsZero() {
			next = "-"
		} else if !j.Never() {
			next = cliTime(j.NextRunAt)
		}
		scope, sched := j.Scope, j.Schedule
		if !j.Known {
			scope, sched = "-", "(not in this build)"
		}
		errText := "-"
		if j.LastOutcome == "failed" && j.LastError != "" {
			errText = oneLine(j.LastError, 100)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", j.Name, scope, sched, last, dur, outcome, next, j.Queued, errText)
	}
	return tw.Flush()
}

func jobRunNow(ctx context.Context, a *app.App, name string, stdout io.Writer) error {
	var job *jobs.Job
	for _, j := range a.Jobs.Jobs() {
		if j.Name == name {
			job = &j
		}
	}
	if job == nil {
		var names []string
		for _, j := range a.Jobs.Jobs() {
			names = append(names, j.Name)
		}
		return fmt.Errorf("jobs run: no job %q; jobs are %s", name, strings.Join(names, ", "))
	}
	if job.Schedule == nil && job.Scope == jobs.Cluster {
		return fmt.Errorf("jobs run: %s runs only for queued work; there is nothing to run now", name)
	}
	// A database no server has started on yet has no job rows: write them, as a
	// server does at start, so the request has a row to land on.
	if err := a.Jobs.Register(ctx); err != nil {
		return err
	}
	if err := jobs.RequestRun(ctx, a.Store, name, time.Now()); err != nil {
		return fmt.Errorf("jobs run: %w", err)
	}
	fmt.Fprintf(stdout, "asked %s to run now: a running closeloop server picks it up within a second or two (none runs it while no server is up); 'closeloop jobs list' shows the outcome\n", name)
	return nil
}

func cliTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
