package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
	Band, Weights, Profile      string
	Parts                       []health.Part
}

// EachHealthHistory calls fn with every recorded day f selects, by account then day
// (the CSV export), streaming so the whole history is never held at once.
func (s *Store) EachHealthHistory(ctx context.Context, f HealthHistoryFilter, fn func(HealthHistoryRow) error) error {
	query := `SELECT h.account_id, a.name, h.day, h.score, h.band, h.weights_version, h.profile, h.parts FROM health_history h
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
		if err := sc.Scan(&r.AccountID, &r.AccountName, &r.Day, &r.Score, &r.Band, &r.Weights, &r.Profile, &raw); err != nil {
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

// healthPruneBatch bounds one delete, so the writer is never held long.
const healthPruneBatch = 10000

// PruneHealthHistory removes the recorded days older than the retention in the health
// settings (the health-prune job): a day is kept while it is within
// HistoryRetention days before the day of now. It returns how many rows went.
func (s *Store) PruneHealthHistory(ctx context.Context, now time.Time) (int64, error) {
	hs, err := s.HealthSettings(ctx)
	if err != nil {
		return 0, err
	}
	before := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -hs.HistoryRetention()+1).Format(time.DateOnly)
	var total int64
	for {
		res, err := s.writer().exec(ctx, fmt.Sprintf(`DELETE FROM health_history WHERE (account_id, day) IN
			(SELECT account_id, day FROM health_history WHERE day < ? LIMIT %d)`, healthPruneBatch), before)
		if err != nil {
			return total, fmt.Errorf("store: prune health history: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < healthPruneBatch {
			return total, nil
		}
	}
}
