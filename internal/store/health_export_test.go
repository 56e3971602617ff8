package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// SeedHealthBench fills an empty store with n accounts and what their health reads,
// as of the day of now: 90 days of usage roll-ups per account (written straight into
// the roll-up tables, as the usage job would have), two users a day on every third
// of the last 30 days, two touchpoints each, a bug report on every tenth account and
// a Stripe payment on every other one. The usage varies per account so that trends,
// bands and contact recency spread.
func (s *Store) SeedHealthBench(ctx context.Context, n int, now time.Time) error {
	rng := rand.New(rand.NewPCG(1, 2))
	tiers := []string{"strategic", "important", "standard", "standard", "standard"}
	ms0 := ms(now)
	today := now.UTC().Truncate(24 * time.Hour)
	return s.tx(ctx, func(q q) error {
		var rows [][]any
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("acct%06d", i)
			rows = append(rows, []any{id, "Account " + id, "account " + id, tiers[i%len(tiers)], "active", rng.IntN(20), rng.IntN(1000), `{}`, ms0, ms0})
		}
		if err := insertRows(ctx, q, "accounts", "id, name, name_sort, tier, stage, seats, company_size, traits, created_at, updated_at", rows); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		for _, t := range []string{"bench_days", "bench_users"} {
			if _, err := q.exec(ctx, `CREATE TEMPORARY TABLE `+t+` (day TEXT NOT NULL, idx INTEGER NOT NULL)`); err != nil {
				return err
			}
		}
		var days, users [][]any
		for i := 0; i < 90; i++ {
			days = append(days, []any{today.AddDate(0, 0, -i).Format("2006-01-02"), i})
		}
		for i := 0; i < 30; i += 3 {
			users = append(users, []any{today.AddDate(0, 0, -i).Format("2006-01-02"), i})
		}
		if err := insertRows(ctx, q, "bench_days", "day, idx", days); err != nil {
			return err
		}
		if err := insertRows(ctx, q, "bench_users", "day, idx", users); err != nil {
			return err
		}
		for _, stmt := range []string{
			// Events fall or grow with the day depending on the account.
			`INSERT INTO usage_daily (account_id, day, active_users, events)
				SELECT a.id, d.day, 1 + a.company_size % 5, 1 + (a.company_size * (d.idx + 7)) % 41 FROM accounts a CROSS JOIN bench_days d`,
			`INSERT INTO usage_daily_users (account_id, day, user_key, events)
				SELECT a.id, d.day, 'u:' || a.id || '-' || u.k, 3 FROM accounts a CROSS JOIN bench_users d
				CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) u`,
			`INSERT INTO touchpoints (id, account_id, kind, direction, occurred_at, summary, created_at)
				SELECT a.id || '-t' || k.k, a.id, 'email', 'outbound', CAST(? AS BIGINT) - (a.company_size % 45) * CAST(86400000 AS BIGINT) * k.k, 'check-in', CAST(? AS BIGINT)
				FROM accounts a CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) k`,
			`INSERT INTO feedback (id, text, source, kind, account_id, status, occurred_at, created_at, updated_at)
				SELECT a.id || '-f', 'it crashed', 'web', 'bug', a.id, 'new', CAST(? AS BIGINT) - (a.company_size % 20) * CAST(86400000 AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
				FROM accounts a WHERE a.company_size % 10 = 0`,
			`INSERT INTO stripe_customers (id, account_id, updated, payment_state, payment_at)
				SELECT 'cus_' || a.id, a.id, CAST(? AS BIGINT), CASE WHEN a.company_size % 7 = 0 THEN 'failed' ELSE 'ok' END, CAST(? AS BIGINT)
				FROM accounts a WHERE a.company_size % 2 = 0`,
		} {
			var args []any
			for i := 0; i < countQ(stmt); i++ {
				args = append(args, ms0)
			}
			if _, err := q.exec(ctx, stmt, args...); err != nil {
				return fmt.Errorf("seed: %w\n%s", err, stmt)
			}
		}
		for _, t := range []string{"bench_days", "bench_users"} {
			if _, err := q.exec(ctx, `DROP TABLE `+t); err != nil {
				return err
			}
		}
		return nil
	})
}

func countQ(s string) int {
	n := 0
	for _, r := range s {
		if r == '?' {
			n++
		}
	}
	return n
}

// TouchHealthBench records a touchpoint today on every step-th account, as a day's
// worth of changes.
func (s *Store) TouchHealthBench(ctx context.Context, step, round int, now time.Time) error {
	_, err := s.writer().exec(ctx, `INSERT INTO touchpoints (id, account_id, kind, direction, occurred_at, summary, created_at)
		SELECT a.id || '-r' || ?, a.id, 'call', 'outbound', CAST(? AS BIGINT), 'call', CAST(? AS BIGINT) FROM accounts a WHERE a.company_size % ? = 0`,
		fmt.Sprint(round), ms(now), ms(now), step)
	return err
}

// HealthPending counts accounts marked for a health recompute.
func (s *Store) HealthPending(ctx context.Context) (int, error) {
	var n int
	err := s.read().row(ctx, `SELECT COUNT(*) FROM health_dirty`).Scan(&n)
	return n, err
}
