package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/playbook"
)

// Playbooks (migration 0026): named, ordered task lists an admin keeps, started on an
// account by a person or by a signal rule they are attached to (from startEpisodes, in
// the transaction that starts the signal's episode). A start is a run: one task per
// step, and the run stays open until all its tasks are done; while it is open the
// same playbook is not started again on that account (the unique index on open runs).

// PlaybookRun is one start of a playbook on an account, with its progress.
type PlaybookRun struct {
	ID         string `json:"id"`
	PlaybookID string `json:"playbook_id"`
	AccountID  string `json:"account_id"`
	Name       string `json:"name"`
	// StartedBy is the signal rule that started the run; "" when a person did
	// (StartedByMember, "" for an API key without a member).
	StartedBy       string     `json:"started_by"`
	StartedByMember string     `json:"started_by_member"`
	StartedOn       string     `json:"started_on"` // the day the due dates count from
	StartedAt       time.Time  `json:"started_at"`
	Status          string     `json:"status"` // open, done
	DoneAt          *time.Time `json:"done_at"`
	Tasks           int        `json:"tasks"`
	TasksDone       int        `json:"tasks_done"`
}

// CreatePlaybook validates and stores a new playbook; ID and times are filled in.
func (s *Store) CreatePlaybook(ctx context.Context, p *playbook.Playbook) error {
	if err := clean(p); err != nil {
		return err
	}
	now := s.Now()
	p.ID, p.CreatedAt, p.UpdatedAt = id.NewAt(now), now.UTC(), now.UTC()
	return wrapf(s.tx(ctx, func(q q) error {
		if _, err := q.exec(ctx, `INSERT INTO playbooks (id, name, signals, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			p.ID, p.Name, strings.Join(p.Signals, ","), ms(now), ms(now)); err != nil {
			return err
		}
		return writeSteps(ctx, q, *p)
	}), "store: create playbook")
}

// UpdatePlaybook replaces a playbook's name, signals and steps. Runs already started
// keep the tasks they made.
func (s *Store) UpdatePlaybook(ctx context.Context, p *playbook.Playbook) error {
	if err := clean(p); err != nil {
		return err
	}
	now := s.Now()
	err := s.tx(ctx, func(q q) error {
		var created int64
		if err := q.row(ctx, `SELECT created_at FROM playbooks WHERE id = ?`, p.ID).Scan(&created); errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("playbook")
		} else if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE playbooks SET name = ?, signals = ?, updated_at = ? WHERE id = ?`,
			p.Name, strings.Join(p.Signals, ","), ms(now), p.ID); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `DELETE FROM playbook_steps WHERE playbook_id = ?`, p.ID); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = fromMS(created), now.UTC()
		return writeSteps(ctx, q, *p)
	})
	return wrapf(err, "store: update playbook %s", p.ID)
}

func checkPlaybookName(ctx context.Context, q q, name, self string) error {
	var n int
	if err := q.row(ctx, `SELECT COUNT(*) FROM playbooks WHERE LOWER(name) = LOWER(?) AND id <> ?`, name, self).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.Conflict("name", "another playbook is called "+name)
	}
	return nil
}

// writeSteps inserts p's steps, checking that each named assignee is a member.
func writeSteps(ctx context.Context, q q, p playbook.Playbook) error {
	if err := checkPlaybookName(ctx, q, p.Name, p.ID); err != nil {
		return err
	}
	for i, st := range p.Steps {
		if st.AssigneeID != "" {
			if ok, err := exists(ctx, q, "team_members", st.AssigneeID); err != nil {
				return err
			} else if !ok {
				return errs.Invalidf(fmt.Sprintf("steps[%d].assignee_id", i), "no team member %q", st.AssigneeID)
			}
		}
		if _, err := q.exec(ctx, `INSERT INTO playbook_steps (playbook_id, position, title, due_days, assignee_id) VALUES (?, ?, ?, ?, ?)`,
			p.ID, i, st.Title, st.DueDays, nullable(st.AssigneeID)); err != nil {
			return err
		}
	}
	return nil
}

// DeletePlaybook removes a playbook and the record of its runs; their tasks stay.
func (s *Store) DeletePlaybook(ctx context.Context, playbookID string) error {
	r, err := s.writer().exec(ctx, `DELETE FROM playbooks WHERE id = ?`, playbookID)
	if err != nil {
		return fmt.Errorf("store: delete playbook %s: %w", playbookID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.NotFound("playbook")
	}
	return nil
}

// GetPlaybook reads one playbook with its steps.
func (s *Store) GetPlaybook(ctx context.Context, playbookID string) (playbook.Playbook, error) {
	ps, err := readPlaybooks(ctx, s.read(), playbookID)
	if err != nil {
		return playbook.Playbook{}, fmt.Errorf("store: get playbook %s: %w", playbookID, err)
	}
	if len(ps) == 0 {
		return playbook.Playbook{}, errs.NotFound("playbook")
	}
	return ps[0], nil
}

// ListPlaybooks lists every playbook by name.
func (s *Store) ListPlaybooks(ctx context.Context) ([]playbook.Playbook, error) {
	ps, err := readPlaybooks(ctx, s.read(), "")
	return ps, wrapf(err, "store: list playbooks")
}

// readPlaybooks reads one playbook (playbookID) or all of them ("") with their steps.
func readPlaybooks(ctx context.Context, q q, playbookID string) ([]playbook.Playbook, error) {
	where, args := "", []any{}
	if playbookID != "" {
		where, args = " WHERE id = ?", []any{playbookID}
	}
	out := []playbook.Playbook{}
	byID := map[string]int{}
	err := eachHealthRow(ctx, q, `SELECT id, name, signals, created_at, updated_at FROM playbooks`+where+` ORDER BY LOWER(name), id`, args,
		func(sc healthScanner) error {
			var p playbook.Playbook
			var sigs string
			var created, updated int64
			if err := sc.Scan(&p.ID, &p.Name, &sigs, &created, &updated); err != nil {
				return err
			}
			p.Signals = []string{}
			if sigs != "" {
				p.Signals = strings.Split(sigs, ",")
			}
			p.Steps = []playbook.Step{}
			p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
			byID[p.ID] = len(out)
			out = append(out, p)
			return nil
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = eachHealthRow(ctx, q, `SELECT playbook_id, title, due_days, COALESCE(assignee_id, '') FROM playbook_steps`+
		strings.Replace(where, "id", "playbook_id", 1)+` ORDER BY playbook_id, position`, args, func(sc healthScanner) error {
		var pid string
		var st playbook.Step
		if err := sc.Scan(&pid, &st.Title, &st.DueDays, &st.AssigneeID); err != nil {
			return err
		}
		if i, ok := byID[pid]; ok {
			out[i].Steps = append(out[i].Steps, st)
		}
		return nil
	})
	return out, err
}

// StartPlaybook starts a playbook on an account by hand (memberID, "" for an API key
// without a member). Starting one whose run is still open there is a conflict.
func (s *Store) StartPlaybook(ctx context.Context, playbookID, accountID, memberID string) (PlaybookRun, error) {
	var runID string
	err := s.tx(ctx, func(q q) error {
		ps, err := readPlaybooks(ctx, q, playbookID)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return errs.NotFound("playbook")
		}
		var owner, tier string
		if err := q.row(ctx, `SELECT COALESCE(owner_id, ''), tier FROM accounts WHERE id = ?`, accountID).Scan(&owner, &tier); errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("account")
		} else if err != nil {
			return err
		}
		ownerOf, err := s.taskOwners(ctx)
		if err != nil {
			return err
		}
		var started bool
		runID, started, err = s.startRun(ctx, q, ps[0], accountID, ownerOf(owner, tier), "", memberID, s.Now())
		if err != nil {
			return err
		}
		if !started {
			return errs.Conflict("playbook_id", "this playbook is already running on the account")
		}
		return nil
	})
	if err != nil {
		return PlaybookRun{}, fmt.Errorf("store: start playbook %s on %s: %w", playbookID, accountID, err)
	}
	runs, err := s.listRuns(ctx, "r.id = ?", runID)
	if err != nil || len(runs) == 0 {
		return PlaybookRun{}, fmt.Errorf("store: read run %s: %w", runID, err)
	}
	return runs[0], nil
}

// startSignalPlaybooks starts, in the episode's transaction, the playbooks attached to
// rule on an account whose signal just fired. owner is already resolved.
func (s *Store) startSignalPlaybooks(ctx context.Context, q q, pbs []playbook.Playbook, accountID, rule, owner string, now time.Time) error {
	for _, p := range pbs {
		if !slices.Contains(p.Signals, rule) {
			continue
		}
		if _, _, err := s.startRun(ctx, q, p, accountID, owner, rule, "", now); err != nil {
			return fmt.Errorf("playbook %s for %s: %w", p.Name, rule, err)
		}
	}
	return nil
}

// startRun inserts a run and its tasks unless the playbook is already open on the
// account; it reports the run's id and whether it started one.
func (s *Store) startRun(ctx context.Context, q q, p playbook.Playbook, accountID, owner, signal, memberID string, now time.Time) (string, bool, error) {
	runID := id.NewAt(now)
	day := now.UTC().Format(time.DateOnly)
	r, err := q.exec(ctx, `INSERT INTO playbook_runs (id, playbook_id, account_id, name, started_by, started_by_member, started_on, started_at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (playbook_id, account_id) WHERE status = 'open' DO NOTHING`,
		runID, p.ID, accountID, p.Name, signal, nullable(memberID), day, ms(now))
	if err != nil {
		return "", false, fmt.Errorf("start run: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return "", false, nil
	}
	reason := "Playbook " + p.Name
	if signal != "" {
		reason += ", started by the signal " + SignalLabels[signal]
	}
	for _, st := range p.Steps {
		taskID := id.NewAt(now)
		due := playbook.DueDate(now, st.DueDays)
		assignee := playbook.Assignee(st, owner)
		if _, err := q.exec(ctx, `INSERT INTO tasks (id, account_id, owner_id, signal, title, reason, due_date, status, created_at, run_id)
			VALUES (?, ?, ?, '', ?, ?, ?, 'open', ?, ?)`, taskID, accountID, nullable(assignee), st.Title, reason, due, ms(now), runID); err != nil {
			return "", false, fmt.Errorf("playbook task: %w", err)
		}
		if err := s.appendEvent(ctx, q, EventTaskCreated, accountID, taskID, map[string]any{
			"task_id": taskID, "playbook_run_id": runID, "playbook": p.Name, "title": st.Title, "reason": reason, "due_date": due, "owner_id": assignee,
		}); err != nil {
			return "", false, err
		}
	}
	return runID, true, nil
}

// closeRunOf marks the run of a task just completed done when none of its tasks is
// left open.
func closeRunOf(ctx context.Context, q q, taskID string, now time.Time) error {
	_, err := q.exec(ctx, `UPDATE playbook_runs SET status = 'done', done_at = ? WHERE status = 'open'
		AND id = (SELECT run_id FROM tasks WHERE id = ?)
		AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = playbook_runs.id AND t.status = 'open')`, ms(now), taskID)
	return wrapf(err, "close playbook run")
}

// ListPlaybookRuns lists an account's runs, newest first, with their progress.
func (s *Store) ListPlaybookRuns(ctx context.Context, accountID string) ([]PlaybookRun, error) {
	runs, err := s.listRuns(ctx, "r.account_id = ?", accountID)
	return runs, wrapf(err, "store: playbook runs of %s", accountID)
}

func (s *Store) listRuns(ctx context.Context, where string, arg any) ([]PlaybookRun, error) {
	out := []PlaybookRun{}
	err := eachHealthRow(ctx, s.read(), `SELECT r.id, r.playbook_id, r.account_id, r.name, r.started_by, COALESCE(r.started_by_member, ''),
		r.started_on, r.started_at, r.status, r.done_at,
		(SELECT COUNT(*) FROM tasks t WHERE t.run_id = r.id), (SELECT COUNT(*) FROM tasks t WHERE t.run_id = r.id AND t.status = 'done')
		FROM playbook_runs r WHERE `+where+` ORDER BY r.started_at DESC, r.id DESC`, []any{arg}, func(sc healthScanner) error {
		var r PlaybookRun
		var started, done int64
		if err := sc.Scan(&r.ID, &r.PlaybookID, &r.AccountID, &r.Name, &r.StartedBy, &r.StartedByMember, &r.StartedOn, &started, &r.Status, &done,
			&r.Tasks, &r.TasksDone); err != nil {
			return err
		}
		r.StartedAt = fromMS(started)
		if done > 0 {
			d := fromMS(done)
			r.DoneAt = &d
		}
		out = append(out, r)
		return nil
	})
	return out, err
}
