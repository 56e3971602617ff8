package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/revenue"
)

func (s *Store) revenueState(ctx context.Context, q q, accountID string) (revenue.State, account.Stage, error) {
	var st revenue.State
	var last int64
	var stage string
	err := q.row(ctx, `SELECT mrr, currency, had_revenue, last_movement_at, stage FROM accounts WHERE id = ?`, accountID).
		Scan(&st.MRR, &st.Currency, &st.HadRevenue, &last, &stage)
	if err != nil {
		return st, "", wrapf(notFound(err), "revenue state")
	}
	st.LastMovement = fromMS(last)
	return st, account.Stage(stage), nil
}

// recordMovement writes m and the account's derived revenue columns together. A churn
// moves the account to the churned stage and a reactivation back to active, so the
// lifecycle never contradicts the money.
func (s *Store) recordMovement(ctx context.Context, q q, st revenue.State, stage account.Stage, m *revenue.Movement) error {
	now := s.Now()
	if m.ID == "" {
		m.ID = id.NewAt(m.EffectiveAt)
	}
	m.CreatedAt = now
	if _, err := q.exec(ctx, `INSERT INTO mrr_movements (id, account_id, kind, delta, mrr_after, currency, effective_at, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.AccountID, string(m.Kind), m.Delta, m.MRRAfter, m.Currency, ms(m.EffectiveAt), m.Note, ms(now)); err != nil {
		return fmt.Errorf("record movement: %w", err)
	}
	next := st.Next(*m)
	switch {
	case m.Kind == revenue.Churn:
		stage = account.Churned
	case m.Kind == revenue.Reactivation && stage == account.Churned:
		stage = account.Active
	}
	churned := int64(0) // the MRR lost, while the account stays churned
	if m.Kind == revenue.Churn {
		churned = -m.Delta
	}
	_, err := q.exec(ctx, `UPDATE accounts SET mrr = ?, currency = ?, had_revenue = ?, last_movement_at = ?, stage = ?, churned_mrr = ?, updated_at = ? WHERE id = ?`,
		next.MRR, next.Currency, next.HadRevenue, ms(next.LastMovement), string(stage), churned, ms(now), m.AccountID)
	return wrapf(err, "record movement")
}

func (s *Store) setMRR(ctx context.Context, q q, accountID string, mrr int64, currency string, at time.Time, note string) (revenue.Movement, bool, error) {
	st, stage, err := s.revenueState(ctx, q, accountID)
	if err != nil {
		return revenue.Movement{}, false, fmt.Errorf("set mrr: %w", err)
	}
	m, changed, err := revenue.SetMRR(st, mrr, currency, at)
	if err != nil || !changed {
		return m, false, wrapf(err, "set mrr")
	}
	m.AccountID, m.Note = accountID, note
	return m, true, wrapf(s.recordMovement(ctx, q, st, stage, &m), "set mrr")
}

// SetMRR records the movement that brings the account's MRR to mrr (minor units) at
// time at. It reports false, and writes nothing, when the MRR is already mrr.
func (s *Store) SetMRR(ctx context.Context, accountID string, mrr int64, currency string, at time.Time, note string) (m revenue.Movement, changed bool, err error) {
	err = s.tx(ctx, func(q q) error {
		m, changed, err = s.setMRR(ctx, q, accountID, mrr, currency, at, note)
		return err
	})
	return m, changed, wrapf(err, "store: set mrr %s", accountID)
}

// AddMovement records an explicitly classified movement after checking it against the
// account's history (revenue.Apply).
func (s *Store) AddMovement(ctx context.Context, m *revenue.Movement) error {
	return wrapf(s.tx(ctx, func(q q) error {
		st, stage, err := s.revenueState(ctx, q, m.AccountID)
		if err != nil {
			return err
		}
		checked, err := revenue.Apply(st, *m)
		if err != nil {
			return err
		}
		*m = checked
		return s.recordMovement(ctx, q, st, stage, m)
	}), "store: add movement")
}

// MovementFilter selects movements.
type MovementFilter struct {
	AccountID string
	Kind      revenue.Kind
	From, To  time.Time // effective_at in [From, To); zero means unbounded
	Limit     int       // default 100, at most 10,000
	Before    string    // cursor: movements with id < Before (newest first)
}

// ListMovements returns movements newest first.
func (s *Store) ListMovements(ctx context.Context, f MovementFilter) ([]revenue.Movement, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 10000 {
		f.Limit = 10000
	}
	query := `SELECT id, account_id, kind, delta, mrr_after, currency, effective_at, note, created_at FROM mrr_movements WHERE 1=1`
	var args []any
	if f.AccountID != "" {
		query += ` AND account_id = ?`
		args = append(args, f.AccountID)
	}
	if f.Kind != "" {
		query += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if !f.From.IsZero() {
		query += ` AND effective_at >= ?`
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		query += ` AND effective_at < ?`
		args = append(args, ms(f.To))
	}
	if f.Before != "" {
		query += ` AND id < ?`
		args = append(args, f.Before)
	}
	query += ` ORDER BY effective_at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	out, err := collect(ctx, s.read(), func(sc scanner) (revenue.Movement, error) {
		var m revenue.Movement
		var kind string
		var eff, created int64
		err := sc.Scan(&m.ID, &m.AccountID, &kind, &m.Delta, &m.MRRAfter, &m.Currency, &eff, &m.Note, &created)
		m.Kind, m.EffectiveAt, m.CreatedAt = revenue.Kind(kind), fromMS(eff), fromMS(created)
		return m, err
	}, query, args...)
	return out, wrapf(err, "store: list movements")
}

// MRRTotals is the current MRR of all accounts, per currency.
func (s *Store) MRRTotals(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := each(ctx, s.read(), func(sc scanner) error {
		var c string
		var v int64
		err := sc.Scan(&c, &v)
		out[c] = v
		return err
	}, `SELECT currency, SUM(mrr) FROM accounts WHERE currency <> '' GROUP BY currency`)
	if err != nil {
		return nil, fmt.Errorf("store: mrr totals: %w", err)
	}
	return out, nil
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
