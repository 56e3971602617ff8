package store

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
)

// TouchpointRow is a touchpoint with the names a timeline shows.
type TouchpointRow struct {
	account.Touchpoint
	PersonName string `json:"person_name,omitempty"`
	MemberName string `json:"member_name,omitempty"`
}

const touchpointSelect = `SELECT t.id, t.account_id, COALESCE(t.person_id, ''), COALESCE(t.member_id, ''), t.kind, t.direction,
	t.occurred_at, t.summary, t.created_at, COALESCE(p.name, p.email, ''), COALESCE(m.name, '')
	FROM touchpoints t LEFT JOIN people p ON p.id = t.person_id LEFT JOIN team_members m ON m.id = t.member_id`

func scanTouchpoint(sc interface{ Scan(...any) error }) (TouchpointRow, error) {
	var t TouchpointRow
	var kind, dir string
	var occ, created int64
	err := sc.Scan(&t.ID, &t.AccountID, &t.PersonID, &t.MemberID, &kind, &dir, &occ, &t.Summary, &created, &t.PersonName, &t.MemberName)
	t.Kind, t.Direction = account.TouchpointKind(kind), account.Direction(dir)
	t.OccurredAt, t.CreatedAt = fromMS(occ), fromMS(created)
	return t, wrapf(notFound(err), "scan touchpoint")
}

// CreateTouchpoint validates and records a touchpoint.
func (s *Store) CreateTouchpoint(ctx context.Context, t *account.Touchpoint) error {
	if err := clean(t); err != nil {
		return err
	}
	return wrapf(s.tx(ctx, func(q q) error {
		if err := s.checkAccount(ctx, q, t.AccountID); err != nil {
			return err
		}
		if t.PersonID != "" {
			var owner string
			if err := q.row(ctx, `SELECT COALESCE(account_id, '') FROM people WHERE id = ?`, t.PersonID).Scan(&owner); err != nil {
				return errs.Invalidf("person_id", "no person with id %q", t.PersonID)
			}
			if owner != t.AccountID {
				return errs.Invalid("person_id", "this person does not belong to the account")
			}
		}
		now := s.Now()
		t.ID, t.CreatedAt = id.NewAt(t.OccurredAt), now
		_, err := q.exec(ctx, `INSERT INTO touchpoints (id, account_id, person_id, member_id, kind, direction, occurred_at, summary, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.AccountID, nullable(t.PersonID), nullable(t.MemberID), string(t.Kind), string(t.Direction), ms(t.OccurredAt), t.Summary, ms(now))
		return err
	}), "store: create touchpoint")
}

// GetTouchpoint returns one touchpoint.
func (s *Store) GetTouchpoint(ctx context.Context, touchpointID string) (TouchpointRow, error) {
	return scanTouchpoint(s.read().row(ctx, touchpointSelect+` WHERE t.id = ?`, touchpointID))
}

// DeleteTouchpoint removes a touchpoint.
func (s *Store) DeleteTouchpoint(ctx context.Context, touchpointID string) error {
	return wrapf(changed(s.writer().exec(ctx, `DELETE FROM touchpoints WHERE id = ?`, touchpointID)), "store: delete touchpoint %s", touchpointID)
}

// TouchpointFilter selects a timeline.
type TouchpointFilter struct {
	AccountID string
	MemberID  string
	Kind      account.TouchpointKind
	Since     time.Time
	Before    string // cursor: an id; returns older touchpoints
	Limit     int    // default 50, at most 500
}

// ListTouchpoints returns touchpoints newest first.
func (s *Store) ListTouchpoints(ctx context.Context, f TouchpointFilter) ([]TouchpointRow, string, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var c conds
	c.eq(`t.account_id = ?`, f.AccountID)
	c.eq(`t.member_id = ?`, f.MemberID)
	c.eq(`t.kind = ?`, string(f.Kind))
	if !f.Since.IsZero() {
		c.add(`t.occurred_at >= ?`, ms(f.Since))
	}
	// ids start with the occurrence time, so id order is time order.
	out, next, err := idPageDesc(ctx, s.read(), scanTouchpoint, func(t TouchpointRow) string { return t.ID },
		touchpointSelect+` WHERE 1=1`+c.and(), c.args, "t.id", f.Before, f.Limit)
	return out, next, wrapf(err, "store: list touchpoints")
}
