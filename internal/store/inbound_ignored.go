package store

import (
	"context"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/id"
)

// IgnoredRetention is how long the log of ignored deliveries is kept.
const IgnoredRetention = 30 * 24 * time.Hour

// IgnoredDelivery is a delivery a channel answered without storing feedback.
type IgnoredDelivery struct {
	ID, Source, Reason, Detail string
	ReceivedAt                 time.Time
}

// RecordIgnored logs a delivery a channel did not store, and why.
func (s *Store) RecordIgnored(ctx context.Context, source, reason, detail string, at time.Time) error {
	if len(detail) > 500 {
		detail = detail[:500]
	}
	if _, err := s.writer().exec(ctx, `INSERT INTO inbound_ignored (id, source, reason, detail, received_at) VALUES (?, ?, ?, ?, ?)`,
		id.NewAt(at), source, reason, detail, ms(at)); err != nil {
		return fmt.Errorf("store: record ignored delivery: %w", err)
	}
	return nil
}

// ListIgnored lists ignored deliveries newest first, of one source ("" every source).
func (s *Store) ListIgnored(ctx context.Context, source string, limit int) ([]IgnoredDelivery, error) {
	query, args := `SELECT id, source, reason, detail, received_at FROM inbound_ignored`, []any{}
	if source != "" {
		query += ` WHERE source = ?`
		args = append(args, source)
	}
	out, err := collect(ctx, s.read(), func(sc scanner) (IgnoredDelivery, error) {
		var d IgnoredDelivery
		var at int64
		err := sc.Scan(&d.ID, &d.Source, &d.Reason, &d.Detail, &at)
		d.ReceivedAt = fromMS(at)
		return d, err
	}, query+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	return out, wrapf(err, "store: list ignored deliveries")
}

// PruneIgnored deletes the log's entries older than IgnoredRetention.
func (s *Store) PruneIgnored(ctx context.Context, now time.Time) (int64, error) {
	r, err := s.writer().exec(ctx, `DELETE FROM inbound_ignored WHERE received_at < ?`, ms(now.Add(-IgnoredRetention)))
	if err != nil {
		return 0, fmt.Errorf("store: prune ignored deliveries: %w", err)
	}
	return r.RowsAffected()
}
