package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/closeloop/closeloop/internal/health"
)

// HealthHistoryFilter narrows EachHealthHistory: one account, and days from From to
// To (YYYY-MM-DD, both inclusive, either may be empty).
type HealthHistoryFilter struct {
	AccountID, From, To string
}

// HealthHistoryRow is one account's recorded day.
type HealthHistoryRow struct {
	AccountID, AccountName, Day string
	Score                       int
	Band, Weights               string
	Parts                       []health.Part
}

// EachHealthHistory calls fn with every recorded day f selects, by account then day
// (the CSV export), streaming so the whole history is never held at once.
func (s *Store) EachHealthHistory(ctx context.Context, f HealthHistoryFilter, fn func(HealthHistoryRow) error) error {
	query := `SELECT h.account_id, a.name, h.day, h.score, h.band, h.weights_version, h.parts FROM health_history h
		JOIN accounts a ON a.id = h.account_id WHERE true`
	var args []any
	if f.AccountID != "" {
		query, args = query+" AND h.account_id = ?", append(args, f.AccountID)
	}
	if f.From != "" {
		query, args = query+" AND h.day >= ?", append(args, f.From)
	}
	if f.To != "" {
		query, args = query+" AND h.day <= ?", append(args, f.To)
	}
	err := eachHealthRow(ctx, s.read(), query+" ORDER BY h.account_id, h.day", args, func(sc healthScanner) error {
		var r HealthHistoryRow
		var raw string
		if err := sc.Scan(&r.AccountID, &r.AccountName, &r.Day, &r.Score, &r.Band, &r.Weights, &raw); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(raw), &r.Parts); err != nil {
			return fmt.Errorf("parts of %s on %s: %w", r.AccountID, r.Day, err)
		}
		return fn(r)
	})
	if err != nil {
		return fmt.Errorf("store: health history: %w", err)
	}
	return nil
}
