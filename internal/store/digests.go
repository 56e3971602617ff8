package store

import (
	"context"
	"fmt"

	"github.com/closeloop/closeloop/internal/auth"
)

// The daily digest's bookkeeping (migration 0026; the email itself is built and sent
// by internal/digest). A digest is claimed per member and day in the transaction that
// queues its email, so however many instances run the digest job, and however often
// one restarts, a member gets one digest a day.

// DigestRecipients lists the enabled members and admins who have not opted out of the
// daily digest (viewers own no accounts, so they have no day to report).
func (s *Store) DigestRecipients(ctx context.Context) ([]auth.Member, error) {
	out, err := collect(ctx, s.read(), scanMember, `SELECT `+memberCols+` FROM team_members m
		WHERE m.disabled = FALSE AND m.role <> 'viewer'
		AND NOT EXISTS (SELECT 1 FROM digest_optouts o WHERE o.member_id = m.id) ORDER BY m.id`)
	return out, wrapf(err, "store: digest recipients")
}

// SetDigestOptOut turns a member's daily digest off (out) or back on.
func (s *Store) SetDigestOptOut(ctx context.Context, memberID string, out bool) error {
	var err error
	if out {
		_, err = s.writer().exec(ctx, `INSERT INTO digest_optouts (member_id, at) VALUES (?, ?) ON CONFLICT (member_id) DO NOTHING`, memberID, ms(s.Now()))
	} else {
		_, err = s.writer().exec(ctx, `DELETE FROM digest_optouts WHERE member_id = ?`, memberID)
	}
	return wrapf(err, "store: digest opt-out %s", memberID)
}

// DigestOptedOut reports whether a member turned the daily digest off.
func (s *Store) DigestOptedOut(ctx context.Context, memberID string) (bool, error) {
	var n int
	err := s.read().row(ctx, `SELECT COUNT(*) FROM digest_optouts WHERE member_id = ?`, memberID).Scan(&n)
	return n > 0, wrapf(err, "store: digest opt-out %s", memberID)
}

// DigestClaimed reports whether a member's digest for day (YYYY-MM-DD) is already
// claimed: the job asks first, to spare building a digest it would not send.
func (s *Store) DigestClaimed(ctx context.Context, memberID, day string) (bool, error) {
	var n int
	err := s.read().row(ctx, `SELECT COUNT(*) FROM digests WHERE member_id = ? AND day = ?`, memberID, day).Scan(&n)
	return n > 0, wrapf(err, "store: digest %s %s", memberID, day)
}

// ClaimDigest records a member's digest for day and, in the same transaction, queues
// its email o (nil for a day with nothing to say). It reports false, queuing nothing,
// when that day's digest was already claimed — by this instance before a restart, or
// by another at the same moment.
func (s *Store) ClaimDigest(ctx context.Context, memberID, day string, items int, o *OutboxItem) (bool, error) {
	claimed := false
	err := s.tx(ctx, func(q q) error {
		r, err := q.exec(ctx, `INSERT INTO digests (member_id, day, items, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (member_id, day) DO NOTHING`,
			memberID, day, items, ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		claimed = true
		if o == nil {
			return nil
		}
		if err := s.insertOutbox(ctx, q, o); err != nil {
			return err
		}
		_, err = q.exec(ctx, `UPDATE digests SET outbox_id = ? WHERE member_id = ? AND day = ?`, o.ID, memberID, day)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: claim digest %s %s: %w", memberID, day, err)
	}
	return claimed, nil
}
