package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
)

// HealthDay is an account's health as computed on one day.
type HealthDay struct {
	Day string `json:"day"`
	health.Result
}

// HealthPoint is one day of the history chart.
type HealthPoint struct {
	Day   string `json:"day"`
	Score int    `json:"score"`
	Band  string `json:"band"`
}

// HealthPulse is the owner's own judgment.
type HealthPulse struct {
	Pulse    int       `json:"pulse"` // 1–5
	Note     string    `json:"note"`
	MemberID string    `json:"member_id,omitempty"`
	At       time.Time `json:"set_at"`
}

// AccountHealth is what the account page and the API show of an account's health.
type AccountHealth struct {
	Current *HealthDay `json:"current"` // nil until first computed
	// WeekAgo and MonthAgo are the recorded days 7 and 30 days before today (or the
	// latest recorded before that): the trend compares fixed dates, never "the last
	// recompute".
	WeekAgo  *HealthDay `json:"week_ago"`
	MonthAgo *HealthDay `json:"month_ago"`
	// SinceWeek and SinceMonth say why the score moved ("−14 since last week: …").
	SinceWeek  string        `json:"since_week,omitempty"`
	SinceMonth string        `json:"since_month,omitempty"`
	History    []HealthPoint `json:"history"` // recorded days of the last 90, oldest first
	Pulse      *HealthPulse  `json:"pulse"`
	// DaysSinceContact (-1: never) against CadenceDays, the tier's policy.
	DaysSinceContact int  `json:"days_since_contact"`
	CadenceDays      int  `json:"cadence_days"`
	CadenceOverdue   bool `json:"cadence_overdue"`
}

// healthReadBudget bounds how long a read spends catching health up; the daily job
// and the periodic sync keep it current.
const healthReadBudget = time.Second

// AccountHealth reads the account's health as of the day of now.
func (s *Store) AccountHealth(ctx context.Context, accountID string, now time.Time) (AccountHealth, error) {
	var out AccountHealth
	if _, err := s.syncDerived(ctx, usageDerivation{}, usageReadBudget, syncBatch, nil); err != nil {
		return out, fmt.Errorf("store: usage roll-up: %w", err)
	}
	if _, err := s.syncActivationWithin(ctx, usageReadBudget); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	if _, err := s.syncHealthWithin(ctx, now, healthReadBudget); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	day := func(max time.Time) (*HealthDay, error) {
		var h HealthDay
		var raw string
		err := s.read().row(ctx, `SELECT day, score, band, weights_version, profile, parts FROM health_history WHERE account_id = ? AND day <= ?
			ORDER BY day DESC LIMIT 1`, accountID, max.Format("2006-01-02")).Scan(&h.Day, &h.Score, &h.Band, &h.Weights, &h.Profile, &raw)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("store: account health: %w", err)
		}
		return &h, json.Unmarshal([]byte(raw), &h.Parts)
	}
	var err error
	if out.Current, err = day(today); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	if out.WeekAgo, err = day(today.AddDate(0, 0, -7)); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	if out.MonthAgo, err = day(today.AddDate(0, 0, -30)); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	if out.Current != nil {
		if out.WeekAgo != nil {
			out.SinceWeek = health.Explain(out.WeekAgo.Result, out.Current.Result, "since last week")
		}
		if out.MonthAgo != nil {
			out.SinceMonth = health.Explain(out.MonthAgo.Result, out.Current.Result, "in 30 days")
		}
	}
	rows, err := s.read().query(ctx, `SELECT day, score, band FROM health_history WHERE account_id = ? AND day > ? AND day <= ? ORDER BY day`,
		accountID, today.AddDate(0, 0, -90).Format("2006-01-02"), today.Format("2006-01-02"))
	if err != nil {
		return out, fmt.Errorf("store: health history: %w", err)
	}
	for rows.Next() {
		var p HealthPoint
		if err := rows.Scan(&p.Day, &p.Score, &p.Band); err != nil {
			rows.Close()
			return out, fmt.Errorf("store: account health %s: %w", accountID, err)
		}
		out.History = append(out.History, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	out.DaysSinceContact, out.CadenceDays = -1, 0
	err = s.read().row(ctx, `SELECT days_since_contact, cadence_days FROM health_current WHERE account_id = ?`, accountID).
		Scan(&out.DaysSinceContact, &out.CadenceDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: account cadence: %w", err)
	}
	out.CadenceOverdue = out.CadenceDays > 0 && (out.DaysSinceContact < 0 || out.DaysSinceContact > out.CadenceDays)
	if out.Pulse, err = s.healthPulse(ctx, accountID); err != nil {
		return out, fmt.Errorf("store: account health %s: %w", accountID, err)
	}
	return out, nil
}

func (s *Store) healthPulse(ctx context.Context, accountID string) (*HealthPulse, error) {
	var p HealthPulse
	var member sql.NullString
	var at int64
	err := s.read().row(ctx, `SELECT pulse, note, member_id, set_at FROM health_pulse WHERE account_id = ?`, accountID).Scan(&p.Pulse, &p.Note, &member, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: health pulse: %w", err)
	}
	p.MemberID, p.At = member.String, fromMS(at)
	return &p, nil
}

// SetHealthPulse records the owner's 1–5 judgment with a note (pulse 0 clears it).
func (s *Store) SetHealthPulse(ctx context.Context, accountID, memberID string, pulse int, note string) error {
	if pulse < 0 || pulse > 5 {
		return errs.Invalid("pulse", "must be from 1 to 5 (0 clears it)")
	}
	if len(note) > 2000 {
		return errs.Invalid("note", "must be at most 2000 characters")
	}
	return wrapf(s.tx(ctx, func(q q) error {
		if ok, err := exists(ctx, q, "accounts", accountID); err != nil {
			return err
		} else if !ok {
			return errs.NotFound("account")
		}
		if pulse == 0 {
			_, err := q.exec(ctx, `DELETE FROM health_pulse WHERE account_id = ?`, accountID)
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO health_pulse (account_id, pulse, note, member_id, set_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET pulse = excluded.pulse, note = excluded.note, member_id = excluded.member_id, set_at = excluded.set_at`,
			accountID, pulse, note, nullable(memberID), ms(s.Now()))
		return err
	}), "store: set health pulse accountID=%v memberID=%v", accountID, memberID)
}
