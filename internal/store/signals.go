package store

import (
	"context"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/playbook"
)

// Signals → tasks (migration 0019). The health derivation keeps health_signals, the
// rules firing for each account today. SyncSignalTasks turns a rule that starts
// firing into an episode with one task for the account's owner (signal.fired and
// task.created in the event log), starts the playbooks attached to the rule
// (playbooks.go), and ends the episode when the rule stops firing;
// the cadence task is then done by itself when what ended it was a contact. While
// an episode lasts no other task is made for it, and the unique index on open tasks
// per account and signal keeps even an episode that ends and starts again while its
// task is open from making a second.

// Events of the health loop in the event log, which outbound webhooks can subscribe to.
const (
	EventHealthChanged = "health.changed" // an account's band changed
	EventSignalFired   = "signal.fired"
	EventTaskCreated   = "task.created"
)

func init() { Events = append(Events, EventHealthChanged, EventSignalFired, EventTaskCreated) }

// signalTaskBatch bounds one transaction of the sync.
const signalTaskBatch = 1000

// SignalLabels name the rules in task titles.
var SignalLabels = map[string]string{
	health.SigUsageDrop: "Usage dropped", health.SigLowUsage: "Low usage", health.SigCadence: "Contact is overdue",
	health.SigPayment: "Payment failed", health.SigRenewal: "Renewal coming up", health.SigDetractor: "Detractor NPS",
	health.SigChurnReason: "Churn reason given", health.SigRed: "Health turned red",
	health.SigNotActivated: "Not activated", health.SigStalled: "Onboarding stalled", health.SigGoalMissed: "Goal missed",
}

// SyncSignalTasks starts and ends signal episodes for the day of now.
func (s *Store) SyncSignalTasks(ctx context.Context, now time.Time) error {
	hs, err := s.HealthSettings(ctx)
	if err != nil {
		return fmt.Errorf("store: sync signal tasks: %w", err)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	for {
		n := 0
		if err := s.tx(ctx, func(q q) error {
			var err error
			n, err = s.startEpisodes(ctx, q, hs, today, now)
			return err
		}); err != nil {
			return fmt.Errorf("store: signal tasks: %w", err)
		}
		if n < signalTaskBatch {
			break
		}
	}
	for {
		n := 0
		if err := s.tx(ctx, func(q q) error {
			var err error
			n, err = s.endEpisodes(ctx, q, now)
			return err
		}); err != nil {
			return fmt.Errorf("store: signal episodes: %w", err)
		}
		if n < signalTaskBatch {
			return nil
		}
	}
}

func (s *Store) startEpisodes(ctx context.Context, q q, hs health.Settings, today, now time.Time) (int, error) {
	type fired struct{ account, rule, reason, owner, name, tier string }
	var list []fired
	err := eachHealthRow(ctx, q, fmt.Sprintf(`SELECT hs.account_id, hs.rule, hs.reason, COALESCE(a.owner_id, ''), a.name, a.tier FROM health_signals hs
		JOIN accounts a ON a.id = hs.account_id
		WHERE NOT EXISTS (SELECT 1 FROM signal_episodes e WHERE e.account_id = hs.account_id AND e.rule = hs.rule)
		ORDER BY hs.account_id, hs.rule LIMIT %d`, signalTaskBatch), nil, func(sc healthScanner) error {
		var f fired
		if err := sc.Scan(&f.account, &f.rule, &f.reason, &f.owner, &f.name, &f.tier); err != nil {
			return err
		}
		list = append(list, f)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("start episodes: %w", err)
	}
	day := today.Format("2006-01-02")
	ownerOf, err := s.taskOwners(ctx)
	if err != nil {
		return 0, err
	}
	var pbs []playbook.Playbook // the playbooks a signal may start, read once per batch
	if len(list) > 0 {
		if pbs, err = readPlaybooks(ctx, q, ""); err != nil {
			return 0, fmt.Errorf("start episodes: %w", err)
		}
	}
	for _, f := range list {
		f.owner = ownerOf(f.owner, f.tier)
		// An open task for the same signal (an episode that ended and began again
		// before anyone finished its task) carries on as this episode's task.
		var taskID string
		openIDs, err := strs(ctx, q, `SELECT id FROM tasks WHERE account_id = ? AND signal = ? AND status = 'open'`, f.account, f.rule)
		if err != nil {
			return 0, fmt.Errorf("start episodes: %w", err)
		}
		if len(openIDs) > 0 {
			taskID = openIDs[0]
		} else {
			taskID = id.NewAt(now)
			due := today.AddDate(0, 0, hs.Rules[f.rule].DueDays).Format("2006-01-02")
			title := SignalLabels[f.rule] + ": " + f.name
			if _, err := q.exec(ctx, `INSERT INTO tasks (id, account_id, owner_id, signal, title, reason, due_date, status, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)`, taskID, f.account, nullable(f.owner), f.rule, title, f.reason, due, ms(now)); err != nil {
				return 0, fmt.Errorf("task for %s %s: %w", f.account, f.rule, err)
			}
			if err := s.appendEvent(ctx, q, EventTaskCreated, f.account, taskID, map[string]any{
				"task_id": taskID, "signal": f.rule, "title": title, "reason": f.reason, "due_date": due, "owner_id": f.owner,
			}); err != nil {
				return 0, fmt.Errorf("start episodes: %w", err)
			}
		}
		if _, err := q.exec(ctx, `INSERT INTO signal_episodes (account_id, rule, since_day, reason, task_id, fired_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.account, f.rule, day, f.reason, taskID, ms(now)); err != nil {
			return 0, fmt.Errorf("start episodes: %w", err)
		}
		if err := s.appendEvent(ctx, q, EventSignalFired, f.account, f.rule, map[string]any{
			"signal": f.rule, "reason": f.reason, "day": day, "task_id": taskID,
		}); err != nil {
			return 0, fmt.Errorf("start episodes: %w", err)
		}
		if err := s.startSignalPlaybooks(ctx, q, pbs, f.account, f.rule, f.owner, now); err != nil {
			return 0, fmt.Errorf("start episodes: %w", err)
		}
	}
	return len(list), nil
}

func (s *Store) endEpisodes(ctx context.Context, q q, now time.Time) (int, error) {
	type ended struct{ account, rule, task string }
	var list []ended
	err := eachHealthRow(ctx, q, fmt.Sprintf(`SELECT e.account_id, e.rule, COALESCE(e.task_id, '') FROM signal_episodes e
		WHERE NOT EXISTS (SELECT 1 FROM health_signals hs WHERE hs.account_id = e.account_id AND hs.rule = e.rule)
		ORDER BY e.account_id, e.rule LIMIT %d`, signalTaskBatch), nil, func(sc healthScanner) error {
		var e ended
		if err := sc.Scan(&e.account, &e.rule, &e.task); err != nil {
			return err
		}
		list = append(list, e)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("end episodes: %w", err)
	}
	for _, e := range list {
		if _, err := q.exec(ctx, `DELETE FROM signal_episodes WHERE account_id = ? AND rule = ?`, e.account, e.rule); err != nil {
			return 0, fmt.Errorf("end episodes: %w", err)
		}
		if e.rule == health.SigCadence && e.task != "" {
			// Only a contact closes it: not the rule being turned off.
			if _, err := q.exec(ctx, `UPDATE tasks SET status = 'done', done_at = ?, done_note = 'closed by a contact within the cadence'
				WHERE id = ? AND status = 'open' AND EXISTS (SELECT 1 FROM health_current h WHERE h.account_id = ?
				AND h.days_since_contact >= 0 AND h.days_since_contact <= h.cadence_days)`, ms(now), e.task, e.account); err != nil {
				return 0, fmt.Errorf("end episodes: %w", err)
			}
		}
	}
	return len(list), nil
}

// Signal is a rule firing for an account now.
type Signal struct {
	AccountID   string    `json:"account_id"`
	AccountName string    `json:"account_name"`
	Rule        string    `json:"rule"`
	Reason      string    `json:"reason"`
	Since       string    `json:"since"` // the day it started firing
	TaskID      string    `json:"task_id,omitempty"`
	FiredAt     time.Time `json:"fired_at"`
}

// ListSignals lists the signals firing now, newest first, for one account when
// accountID is set.
func (s *Store) ListSignals(ctx context.Context, accountID string, limit int) ([]Signal, error) {
	out := []Signal{}
	err := s.EachSignal(ctx, accountID, limit, func(sg Signal) error { out = append(out, sg); return nil })
	return out, err
}

// EachSignal calls fn with the signals ListSignals lists; limit 0 is all of them
// (the CSV export).
func (s *Store) EachSignal(ctx context.Context, accountID string, limit int, fn func(Signal) error) error {
	where, args := "", []any{}
	if accountID != "" {
		where, args = " WHERE e.account_id = ?", append(args, accountID)
	}
	query := `SELECT e.account_id, a.name, e.rule, e.reason, e.since_day, COALESCE(e.task_id, ''), e.fired_at
		FROM signal_episodes e JOIN accounts a ON a.id = e.account_id` + where + ` ORDER BY e.fired_at DESC, e.account_id, e.rule`
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	err := eachHealthRow(ctx, s.read(), query, args, func(sc healthScanner) error {
		var sg Signal
		var at int64
		if err := sc.Scan(&sg.AccountID, &sg.AccountName, &sg.Rule, &sg.Reason, &sg.Since, &sg.TaskID, &at); err != nil {
			return err
		}
		sg.FiredAt = fromMS(at)
		return fn(sg)
	})
	if err != nil {
		return fmt.Errorf("store: list signals %s: %w", accountID, err)
	}
	return nil
}
