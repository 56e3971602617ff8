package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
)

// EventGoalMissed is the event-log kind of a goal whose check day passed unmet.
const EventGoalMissed = "goal.missed"

func init() { Events = append(Events, EventGoalMissed) }

// AccountGoal is an account's goal and where it stands today.
type AccountGoal struct {
	health.Goal
	health.GoalStatus
}

// SetGoal sets the account's goal: an event count, a trait condition, or both.
func (s *Store) SetGoal(ctx context.Context, accountID string, g health.Goal) error {
	g.Event, g.Trait, g.TraitValue = strings.TrimSpace(g.Event), strings.TrimSpace(g.Trait), strings.TrimSpace(g.TraitValue)
	if err := validateGoal(&g); err != nil {
		return err
	}
	if _, _, err := s.revenueState(ctx, s.read(), accountID); err != nil {
		return fmt.Errorf("store: set goal %s: %w", accountID, err)
	}
	_, err := s.writer().exec(ctx, `INSERT INTO account_goals (account_id, event, min_count, trait, trait_op, trait_value, check_days) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET event = excluded.event, min_count = excluded.min_count, trait = excluded.trait,
			trait_op = excluded.trait_op, trait_value = excluded.trait_value, check_days = excluded.check_days,
			state = 'pending', achieved_on = '', checked_on = ''`, accountID, g.Event, g.Min, g.Trait, g.TraitOp, g.TraitValue, g.CheckDays)
	if err != nil {
		return fmt.Errorf("store: set goal: %w", err)
	}
	return nil
}

// validateGoal checks a trimmed goal; the field names are the form's. A goal without
// an event part keeps Min 0.
func validateGoal(g *health.Goal) error {
	switch {
	case g.Event == "" && g.Trait == "":
		return errs.Invalid("event", "name a track event or a trait (or both)")
	case len(g.Event) > 200:
		return errs.Invalid("event", "must be at most 200 characters")
	case g.Event != "" && (g.Min < 1 || g.Min > 1_000_000):
		return errs.Invalid("min", "must be from 1 to 1,000,000")
	case len(g.Trait) > 200:
		return errs.Invalid("trait", "must be at most 200 characters")
	case g.CheckDays < 1 || g.CheckDays > 730:
		return errs.Invalid("check_days", "must be from 1 to 730")
	}
	if g.Event == "" {
		g.Min = 0
	}
	if g.Trait == "" {
		g.TraitOp, g.TraitValue = "", ""
		return nil
	}
	switch {
	case g.TraitOp != health.TraitEq && g.TraitOp != health.TraitGE:
		return errs.Invalid("trait_op", `must be "=" or ">="`)
	case g.TraitValue == "" || len(g.TraitValue) > 200:
		return errs.Invalid("trait_value", "is required, at most 200 characters")
	case g.TraitOp == health.TraitGE:
		if _, err := strconv.ParseFloat(g.TraitValue, 64); err != nil {
			return errs.Invalid("trait_value", "must be a number to compare with >=")
		}
	}
	return nil
}

// ClearGoal removes the account's usage goal.
func (s *Store) ClearGoal(ctx context.Context, accountID string) error {
	if _, err := s.writer().exec(ctx, `DELETE FROM account_goals WHERE account_id = ?`, accountID); err != nil {
		return fmt.Errorf("store: clear goal: %w", err)
	}
	return nil
}

// Goal is the account's goal evaluated on the day of now from the usage roll-ups as
// they stand (the account page has just brought them up to date through AccountUsage;
// CheckGoals does so itself); nil when it has none.
func (s *Store) Goal(ctx context.Context, accountID string, now time.Time) (*AccountGoal, error) {
	return s.evaluateGoal(ctx, s.read(), accountID, now)
}

func (s *Store) evaluateGoal(ctx context.Context, q q, accountID string, now time.Time) (*AccountGoal, error) {
	var g AccountGoal
	var signup, traits, state, achievedOn string
	var created int64
	err := q.row(ctx, `SELECT g.event, g.min_count, g.trait, g.trait_op, g.trait_value, g.check_days, g.state, g.achieved_on,
		a.signup_date, a.created_at, a.traits FROM account_goals g
		JOIN accounts a ON a.id = g.account_id WHERE g.account_id = ?`, accountID).Scan(&g.Event, &g.Min, &g.Trait, &g.TraitOp, &g.TraitValue,
		&g.CheckDays, &state, &achievedOn, &signup, &created, &traits)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: goal of %s: %w", accountID, err)
	}
	if signup == "" {
		signup = fromMS(created).UTC().Format(time.DateOnly)
	}
	perDay := map[string]int{}
	if g.Event != "" {
		err := eachHealthRow(ctx, q, `SELECT day, n FROM usage_daily_events WHERE account_id = ? AND event = ? AND day >= ?`,
			[]any{accountID, g.Event, signup}, func(sc healthScanner) error {
				var day string
				var n int
				if err := sc.Scan(&day, &n); err != nil {
					return err
				}
				perDay[day] = n
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("store: goal usage: %w", err)
		}
	}
	var tv map[string]any
	if g.Trait != "" && json.Unmarshal([]byte(traits), &tv) != nil {
		tv = nil // traits that are not an object hold no trait
	}
	g.GoalStatus = health.EvaluateGoal(g.Goal, signup, perDay, g.TraitHolds(tv), now.UTC().Format(time.DateOnly))
	if state == health.GoalAchieved && g.State != health.GoalAchieved {
		// Recorded achieved by a check that saw the trait condition hold: a trait
		// keeps no history, so what that check saw stands.
		g.State, g.AchievedOn = health.GoalAchieved, achievedOn
	}
	return &g, nil
}

// CheckGoals records where every goal stands on the day of now (the goal-check job).
// A goal that turns missed appends goal.missed to the event log; its recorded state
// marks the account's health, whose goal_missed rule then fires, so the next health
// sync gives the owner a task (signals.go) and starts the playbooks attached to the
// rule, as for any other signal. It returns how many turned missed.
func (s *Store) CheckGoals(ctx context.Context, now time.Time) (int, error) {
	if err := s.SyncUsage(ctx); err != nil {
		return 0, fmt.Errorf("store: check goals: %w", err)
	}
	ids, err := strs(ctx, s.read(), `SELECT account_id FROM account_goals WHERE state <> 'achieved' ORDER BY account_id`)
	if err != nil {
		return 0, fmt.Errorf("store: goals to check: %w", err)
	}
	today := now.UTC().Format(time.DateOnly)
	missed := 0
	for _, acct := range ids {
		err := s.tx(ctx, func(q q) error {
			g, err := s.evaluateGoal(ctx, q, acct, now)
			if err != nil || g == nil {
				return err
			}
			var was string
			if err := q.row(ctx, `SELECT state FROM account_goals WHERE account_id = ?`, acct).Scan(&was); err != nil {
				return err
			}
			if _, err := q.exec(ctx, `UPDATE account_goals SET state = ?, achieved_on = ?, checked_on = ? WHERE account_id = ?`,
				g.State, g.AchievedOn, today, acct); err != nil {
				return err
			}
			if g.State != health.GoalMissed || was == health.GoalMissed {
				return nil
			}
			missed++
			return s.appendEvent(ctx, q, EventGoalMissed, acct, acct, map[string]any{"goal": g.Describe(), "event": g.Event, "min": g.Min,
				"trait": g.Trait, "trait_op": g.TraitOp, "trait_value": g.TraitValue, "count": g.Count, "check_on": g.CheckOn})
		})
		if err != nil {
			return missed, fmt.Errorf("store: check goal of %s: %w", acct, err)
		}
	}
	return missed, nil
}
