package store

import (
	"context"
	"fmt"
	"time"
)

// JobState is one background job's row: its lease, when it is due, and its last run.
type JobState struct {
	Name           string
	Owner          string // the instance holding the lease, while one does
	LockedUntil    time.Time
	NextRunAt      time.Time
	RunRequestedAt time.Time
	LastStartedAt  time.Time
	LastFinishedAt time.Time
	LastDuration   time.Duration
	LastOutcome    string // "ok", "failed", or "" before the first run
	LastError      string
	LastOwner      string
	Runs, Failures int64
	Queued         int // on-demand runs waiting
}

const jobCols = `name, owner, locked_until, next_run_at, run_requested_at, last_started_at, last_finished_at,
	last_duration_ms, last_outcome, last_error, last_owner, runs, failures`

func scanJob(sc interface{ Scan(...any) error }) (JobState, error) {
	var j JobState
	var locked, next, req, started, finished, dur int64
	err := sc.Scan(&j.Name, &j.Owner, &locked, &next, &req, &started, &finished, &dur, &j.LastOutcome, &j.LastError, &j.LastOwner, &j.Runs, &j.Failures)
	j.LockedUntil, j.NextRunAt, j.RunRequestedAt = fromMS(locked), fromMS(next), fromMS(req)
	j.LastStartedAt, j.LastFinishedAt, j.LastDuration = fromMS(started), fromMS(finished), time.Duration(dur)*time.Millisecond
	return j, wrapf(notFound(err), "scan job")
}

// EnsureJob records a job the first time an instance registers it, due at firstDue.
// An existing row (another instance, an earlier start) is left as it is.
func (s *Store) EnsureJob(ctx context.Context, name string, firstDue time.Time) error {
	_, err := s.writer().exec(ctx, `INSERT INTO jobs (name, next_run_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, ms(firstDue))
	if err != nil {
		return fmt.Errorf("store: ensure job %s: %w", name, err)
	}
	return nil
}

// ClaimJob takes the lease of a job that is due (or that an admin asked to run) and
// whose lease is free or expired, for owner until now+lease. It reports whether this
// owner won: the conditional UPDATE lets exactly one of several instances win.
func (s *Store) ClaimJob(ctx context.Context, name, owner string, now time.Time, lease time.Duration) (bool, error) {
	// A run consumes every request made up to its start: last_started_at is at least
	// the request's time, even when both fall in the same millisecond.
	res, err := s.writer().exec(ctx, `UPDATE jobs SET owner = ?, locked_until = ?,
		last_started_at = CASE WHEN run_requested_at > ? THEN run_requested_at ELSE ? END
		WHERE name = ? AND locked_until <= ? AND (next_run_at <= ? OR run_requested_at > last_started_at)`,
		owner, ms(now.Add(lease)), ms(now), ms(now), name, ms(now), ms(now))
	if err != nil {
		return false, fmt.Errorf("store: claim job %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RenewJob extends owner's lease on a running job; false means the lease was lost
// (it ran out and another instance took the job).
func (s *Store) RenewJob(ctx context.Context, name, owner string, until time.Time) (bool, error) {
	res, err := s.writer().exec(ctx, `UPDATE jobs SET locked_until = ? WHERE name = ? AND owner = ?`, ms(until), name, owner)
	if err != nil {
		return false, fmt.Errorf("store: renew job %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// JobRun is the outcome of one run, recorded by FinishJob.
type JobRun struct {
	Name, Owner       string
	Leased            bool // the run held the job's lease (cluster-wide jobs); release it
	Started, Finished time.Time
	Failed            bool
	Error             string
	Next              time.Time // when the job is next due; zero keeps next_run_at
}

// FinishJob records a run and, for a leased run, releases the lease and sets the next
// due time. A leased run whose lease was lost meanwhile records nothing: the instance
// that took over owns the row now.
func (s *Store) FinishJob(ctx context.Context, r JobRun) error {
	outcome, failed := "ok", 0
	if r.Failed {
		outcome, failed = "failed", 1
	}
	query := `UPDATE jobs SET last_finished_at = ?, last_duration_ms = ?, last_outcome = ?, last_error = ?, last_owner = ?,
		runs = runs + 1, failures = failures + ?`
	args := []any{ms(r.Finished), r.Finished.Sub(r.Started).Milliseconds(), outcome, r.Error, r.Owner, failed}
	if r.Leased {
		query += `, owner = '', locked_until = 0`
	} else {
		query += `, last_started_at = ?`
		args = append(args, ms(r.Started))
	}
	if !r.Next.IsZero() {
		query += `, next_run_at = ?`
		args = append(args, ms(r.Next))
	}
	query += ` WHERE name = ?`
	args = append(args, r.Name)
	if r.Leased {
		query += ` AND owner = ?`
		args = append(args, r.Owner)
	}
	if _, err := s.writer().exec(ctx, query, args...); err != nil {
		return fmt.Errorf("store: finish job %s: %w", r.Name, err)
	}
	return nil
}

// RequestJobRun asks for a job to run as soon as an instance sees it.
func (s *Store) RequestJobRun(ctx context.Context, name string, at time.Time) error {
	// A request always comes after the last start, even one in the same millisecond
	// (a test's second Run), or it would be taken as already served.
	return wrapf(changed(s.writer().exec(ctx, `UPDATE jobs SET run_requested_at = CASE WHEN last_started_at >= ? THEN last_started_at + 1 ELSE ? END
		WHERE name = ?`, ms(at), ms(at), name)), "store: request job %s", name)
}

// GetJob returns one job's row.
func (s *Store) GetJob(ctx context.Context, name string) (JobState, error) {
	j, err := scanJob(s.read().row(ctx, `SELECT `+jobCols+` FROM jobs WHERE name = ?`, name))
	if err != nil {
		return j, fmt.Errorf("store: get job: %w", err)
	}
	err = s.read().row(ctx, `SELECT COUNT(*) FROM job_queue WHERE name = ?`, name).Scan(&j.Queued)
	return j, wrapf(err, "store: get job")
}

// ListJobs returns every job registered by any instance, by name.
func (s *Store) ListJobs(ctx context.Context) ([]JobState, error) {
	out, err := collect(ctx, s.read(), scanJob, `SELECT `+jobCols+` FROM jobs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list jobs: %w", err)
	}
	queued := map[string]int{}
	err = each(ctx, s.read(), func(sc scanner) error {
		var n string
		var c int
		err := sc.Scan(&n, &c)
		queued[n] = c
		return err
	}, `SELECT name, COUNT(*) FROM job_queue GROUP BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list job queue: %w", err)
	}
	for i := range out {
		out[i].Queued = queued[out[i].Name]
	}
	return out, nil
}

// EnqueueJob asks for an on-demand run of job name for key. A request for a key that
// is already waiting coalesces with it; one for a key being run now makes it run once
// more after the current run (its requested_at no longer matches what was claimed).
func (s *Store) EnqueueJob(ctx context.Context, name, key string, at time.Time) error {
	_, err := s.writer().exec(ctx, `INSERT INTO job_queue (name, job_key, requested_at) VALUES (?, ?, ?)
		ON CONFLICT (name, job_key) DO UPDATE SET requested_at = excluded.requested_at
		WHERE job_queue.locked_until > 0`, name, key, ms(at))
	if err != nil {
		return fmt.Errorf("store: enqueue job %s: %w", name, err)
	}
	return nil
}

// QueuedRun is one claimed on-demand run.
type QueuedRun struct {
	Key         string
	RequestedAt int64 // as claimed; FinishQueued compares it
}

// ClaimQueued takes up to limit waiting keys of job name for owner until now+lease.
// On PostgreSQL the SELECT skips rows another instance is claiming; on both dialects
// the conditional UPDATE decides who wins each key.
func (s *Store) ClaimQueued(ctx context.Context, name, owner string, now time.Time, lease time.Duration, limit int) ([]QueuedRun, error) {
	lock := s.d.forUpdate()
	if lock != "" {
		lock += " SKIP LOCKED"
	}
	var out []QueuedRun
	err := s.tx(ctx, func(q q) error {
		out = out[:0]
		// Read to the end (the rows closed) before the updates: SQLite's one writer
		// connection runs one statement at a time.
		cand, err := collect(ctx, q, func(sc scanner) (QueuedRun, error) {
			var r QueuedRun
			err := sc.Scan(&r.Key, &r.RequestedAt)
			return r, err
		}, `SELECT job_key, requested_at FROM job_queue WHERE name = ? AND locked_until <= ?
			ORDER BY requested_at, job_key LIMIT ?`+lock, name, ms(now), limit)
		if err != nil {
			return err
		}
		for _, r := range cand {
			res, err := q.exec(ctx, `UPDATE job_queue SET owner = ?, locked_until = ? WHERE name = ? AND job_key = ? AND locked_until <= ?`,
				owner, ms(now.Add(lease)), name, r.Key, ms(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim queued %s: %w", name, err)
	}
	return out, nil
}

// FinishQueued ends an on-demand run: the request is removed, unless it was asked for
// again while it ran, in which case it is released to run once more.
func (s *Store) FinishQueued(ctx context.Context, name, owner string, r QueuedRun) error {
	err := s.tx(ctx, func(q q) error {
		res, err := q.exec(ctx, `DELETE FROM job_queue WHERE name = ? AND job_key = ? AND owner = ? AND requested_at = ?`, name, r.Key, owner, r.RequestedAt)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		_, err = q.exec(ctx, `UPDATE job_queue SET owner = '', locked_until = 0 WHERE name = ? AND job_key = ? AND owner = ?`, name, r.Key, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish queued %s %q: %w", name, r.Key, err)
	}
	return nil
}

// RenewQueued extends owner's lease on every key of job name it is running.
func (s *Store) RenewQueued(ctx context.Context, name, owner string, until time.Time) error {
	_, err := s.writer().exec(ctx, `UPDATE job_queue SET locked_until = ? WHERE name = ? AND owner = ? AND locked_until > 0`, ms(until), name, owner)
	if err != nil {
		return fmt.Errorf("store: renew queued %s: %w", name, err)
	}
	return nil
}
