package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// Task is a piece of work for a team member about an account, made by a signal (see
// signals.go) or by hand.
type Task struct {
	ID          string     `json:"id"`
	AccountID   string     `json:"account_id"`
	AccountName string     `json:"account_name"`
	OwnerID     string     `json:"owner_id"`
	Signal      string     `json:"signal"` // "" for a task made by hand
	Title       string     `json:"title"`
	Reason      string     `json:"reason"`
	DueDate     string     `json:"due_date"`
	Status      string     `json:"status"` // open, done
	CreatedAt   time.Time  `json:"created_at"`
	DoneAt      *time.Time `json:"done_at"`
	DoneBy      string     `json:"done_by"`
	DoneNote    string     `json:"done_note"`
	RunID       string     `json:"run_id,omitempty"` // the playbook run that made it
}

// TaskFilter narrows ListTasks.
type TaskFilter struct {
	AccountID, OwnerID, Status, Signal string
	Unowned                            bool
	Limit                              int // ListTasks: default 100, at most 500
}

const taskCols = `t.id, t.account_id, a.name, COALESCE(t.owner_id, ''), t.signal, t.title, t.reason, t.due_date, t.status, t.created_at,
	t.done_at, COALESCE(t.done_by, ''), t.done_note, COALESCE(t.run_id, '')`

func scanTask(sc healthScanner) (Task, error) {
	var t Task
	var created, done int64
	if err := sc.Scan(&t.ID, &t.AccountID, &t.AccountName, &t.OwnerID, &t.Signal, &t.Title, &t.Reason, &t.DueDate, &t.Status, &created,
		&done, &t.DoneBy, &t.DoneNote, &t.RunID); err != nil {
		return t, fmt.Errorf("scan task: %w", err)
	}
	t.CreatedAt = fromMS(created)
	if done > 0 {
		d := fromMS(done)
		t.DoneAt = &d
	}
	return t, nil
}

// ListTasks lists tasks by due date (then creation), soonest first.
func (s *Store) ListTasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 500)
	out := []Task{}
	err := s.EachTask(ctx, f, func(t Task) error { out = append(out, t); return nil })
	return out, err
}

// EachTask calls fn with every task f selects, in ListTasks' order; f.Limit 0 is all
// of them (the CSV export).
func (s *Store) EachTask(ctx context.Context, f TaskFilter, fn func(Task) error) error {
	var w conds
	w.eq("t.account_id = ?", f.AccountID)
	w.eq("t.owner_id = ?", f.OwnerID)
	if f.Unowned {
		w.add("t.owner_id IS NULL")
	}
	w.eq("t.status = ?", f.Status)
	w.eq("t.signal = ?", f.Signal)
	query := `SELECT ` + taskCols + ` FROM tasks t JOIN accounts a ON a.id = t.account_id` + w.where() + " ORDER BY t.due_date, t.created_at, t.id"
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	err := eachHealthRow(ctx, s.read(), query, w.args, func(sc healthScanner) error {
		t, err := scanTask(sc)
		if err != nil {
			return err
		}
		return fn(t)
	})
	if err != nil {
		return fmt.Errorf("store: list tasks: %w", err)
	}
	return nil
}

// GetTask reads one task.
func (s *Store) GetTask(ctx context.Context, taskID string) (Task, error) {
	t, err := scanTask(s.read().row(ctx, `SELECT `+taskCols+` FROM tasks t JOIN accounts a ON a.id = t.account_id WHERE t.id = ?`, taskID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.NotFound("task")
	}
	return t, wrapf(err, "store: get task %s", taskID)
}

// CompleteTask marks an open task done by memberID ("" for an API key with no
// member) with an optional note. Completing a done task is a conflict, so two people
// finishing it at once learn that one of them already had.
func (s *Store) CompleteTask(ctx context.Context, taskID, memberID, note string) (Task, error) {
	if len(note) > 2000 {
		return Task{}, errs.Invalid("note", "must be at most 2000 characters")
	}
	err := s.tx(ctx, func(q q) error {
		r, err := q.exec(ctx, `UPDATE tasks SET status = 'done', done_at = ?, done_by = ?, done_note = ? WHERE id = ? AND status = 'open'`,
			ms(s.Now()), nullable(memberID), note, taskID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			var st string
			if err := q.row(ctx, `SELECT status FROM tasks WHERE id = ?`, taskID).Scan(&st); errors.Is(err, sql.ErrNoRows) {
				return errs.NotFound("task")
			} else if err != nil {
				return err
			}
			return errs.Conflict("status", "the task is already "+st)
		}
		return closeRunOf(ctx, q, taskID, s.Now())
	})
	if err != nil {
		return Task{}, fmt.Errorf("store: complete task taskID=%v memberID=%v: %w", taskID, memberID, err)
	}
	return s.GetTask(ctx, taskID)
}

// SnoozeTask moves an open task's due date to days after today (or after its due date,
// if that is later): the CSM's "not today". A done task cannot be snoozed.
func (s *Store) SnoozeTask(ctx context.Context, taskID string, days int) (Task, error) {
	if days < 1 || days > 90 {
		return Task{}, errs.Invalid("days", "must be from 1 to 90")
	}
	t, err := s.GetTask(ctx, taskID)
	if err != nil {
		return t, fmt.Errorf("store: snooze task %s: %w", taskID, err)
	}
	if t.Status != "open" {
		return t, errs.Conflict("status", "the task is already "+t.Status)
	}
	from := s.Now().UTC().Format(time.DateOnly)
	if t.DueDate > from {
		from = t.DueDate
	}
	d, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return t, fmt.Errorf("store: task %s due date %q: %w", taskID, from, err)
	}
	due := d.AddDate(0, 0, days).Format(time.DateOnly)
	if _, err := s.writer().exec(ctx, `UPDATE tasks SET due_date = ? WHERE id = ? AND status = 'open'`, due, taskID); err != nil {
		return t, fmt.Errorf("store: snooze task: %w", err)
	}
	return s.GetTask(ctx, taskID)
}
