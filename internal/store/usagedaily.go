package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Daily usage roll-ups (migration 0017): a derivation (derive.go) whose keys are
// (account, day). A marked key is recounted from its range of usage_events, so the
// cost of a sync is the events of the days that changed, not of all time.

// usageActivity is the activity of usage_events: track, page and screen calls with
// the user each is from. {{where}} is replaced by the rows' condition.
const usageActivity = `SELECT account_id, day, CASE WHEN type = 'track' THEN event ELSE type END AS name,
	CASE WHEN user_id <> '' THEN 'u:' || user_id ELSE 'a:' || anonymous_id END AS uk
	FROM usage_events WHERE type IN ('track', 'page', 'screen') AND {{where}}`

func usageFrom(where string) string { return strings.Replace(usageActivity, "{{where}}", where, 1) }

type usageDerivation struct{}

func (usageDerivation) marks() []markTable                     { return []markTable{{"usage_dirty", "key"}} }
func (usageDerivation) stale(context.Context, q) (bool, error) { return false, nil }
func (usageDerivation) prepare(context.Context, q) error       { return nil }
func (usageDerivation) results() []string                      { return usageTables }
func (usageDerivation) recompute(ctx context.Context, q q, _ int, keys []string) error {
	for _, key := range keys {
		acct, day, ok := strings.Cut(key, "|")
		if !ok {
			continue
		}
		for _, t := range usageTables {
			if _, err := q.exec(ctx, `DELETE FROM `+t+` WHERE account_id = ? AND day = ?`, acct, day); err != nil {
				return fmt.Errorf("clear %s: %w", t, err)
			}
		}
		if err := recountUsage(ctx, q, "account_id = ? AND day = ?", acct, day); err != nil {
			return fmt.Errorf("recount usage of %s: %w", key, err)
		}
	}
	return nil
}

// recountUsage writes the three roll-ups of the raw events where matches, from
// scratch: the rows it would replace must be gone.
func recountUsage(ctx context.Context, q q, where string, args ...any) error {
	src := usageFrom(where)
	for _, stmt := range []string{
		`INSERT INTO usage_daily (account_id, day, active_users, events) SELECT account_id, day, COUNT(DISTINCT uk), COUNT(*) FROM (` + src + `) x GROUP BY account_id, day`,
		`INSERT INTO usage_daily_events (account_id, day, event, n) SELECT account_id, day, name, COUNT(*) FROM (` + src + `) x GROUP BY account_id, day, name`,
		`INSERT INTO usage_daily_users (account_id, day, user_key, events) SELECT account_id, day, uk, COUNT(*) FROM (` + src + `) x GROUP BY account_id, day, uk`,
	} {
		if _, err := q.exec(ctx, stmt, args...); err != nil {
			return err
		}
	}
	return nil
}

// reset recounts everything in three grouped statements rather than marking every
// (account, day): a rebuild of millions of events is a few table scans, and the
// equivalence test then compares the incremental path with an independent recount.
func (usageDerivation) reset(ctx context.Context, q q) error {
	for _, t := range append([]string{"usage_dirty"}, usageTables...) {
		if _, err := q.exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	return wrapf(recountUsage(ctx, q, "account_id <> ''"), "recount usage")
}

var usageTables = []string{"usage_daily", "usage_daily_events", "usage_daily_users"}

func init() {
	derivations["usage"] = derivationDef{"daily usage per account: active users, events, events per name and per person",
		func(context.Context, *Store, time.Time) (derivation, error) { return usageDerivation{}, nil }}
}

// SyncUsage brings the daily usage roll-ups up to date.
func (s *Store) SyncUsage(ctx context.Context) error {
	_, err := s.syncDerived(ctx, usageDerivation{}, 0, syncBatch, nil)
	if err != nil {
		return fmt.Errorf("store: usage roll-up: %w", err)
	}
	return nil
}

// UsageDay is one day of an account's usage.
type UsageDay struct {
	Day         string `json:"day"` // YYYY-MM-DD, UTC
	ActiveUsers int    `json:"active_users"`
	Events      int    `json:"events"`
}

// EventCount is how often an event happened.
type EventCount struct {
	Event string `json:"event"`
	Count int    `json:"count"`
}

// AccountUsage is what the account page and API show of an account's usage.
type AccountUsage struct {
	Days        []UsageDay   `json:"days"`         // every day of the range, oldest first, zeros included
	ActiveUsers int          `json:"active_users"` // distinct users over the whole range
	Events      int          `json:"events"`
	TopEvents   []EventCount `json:"top_events"` // most frequent over the range, at most 10
	LastSeen    *time.Time   `json:"last_seen"`  // the latest attributed activity, ever
}

// usageReadBudget bounds how long a read spends catching the roll-ups up before it
// reads them; the job keeps them within seconds of the events.
const usageReadBudget = time.Second

// AccountUsage reads the account's usage for the days days up to the day of now.
func (s *Store) AccountUsage(ctx context.Context, accountID string, now time.Time, days int) (AccountUsage, error) {
	var out AccountUsage
	if _, err := s.syncDerived(ctx, usageDerivation{}, usageReadBudget, syncBatch, nil); err != nil {
		return out, fmt.Errorf("store: usage roll-up: %w", err)
	}
	to := now.UTC().Format("2006-01-02")
	from := now.UTC().AddDate(0, 0, -(days - 1)).Format("2006-01-02")
	byDay := map[string]UsageDay{}
	err := each(ctx, s.read(), func(sc scanner) error {
		var d UsageDay
		if err := sc.Scan(&d.Day, &d.ActiveUsers, &d.Events); err != nil {
			return err
		}
		byDay[d.Day] = d
		out.Events += d.Events
		return nil
	}, `SELECT day, active_users, events FROM usage_daily WHERE account_id = ? AND day >= ? AND day <= ?`, accountID, from, to)
	if err != nil {
		return out, fmt.Errorf("store: account usage %s: %w", accountID, err)
	}
	for i := days - 1; i >= 0; i-- {
		day := now.UTC().AddDate(0, 0, -i).Format("2006-01-02")
		d := byDay[day]
		d.Day = day
		out.Days = append(out.Days, d)
	}
	if err := s.read().row(ctx, `SELECT COUNT(DISTINCT user_key) FROM usage_daily_users WHERE account_id = ? AND day >= ? AND day <= ?`,
		accountID, from, to).Scan(&out.ActiveUsers); err != nil {
		return out, fmt.Errorf("store: account active users: %w", err)
	}
	out.TopEvents, err = collect(ctx, s.read(), func(sc scanner) (EventCount, error) {
		var e EventCount
		err := sc.Scan(&e.Event, &e.Count)
		return e, err
	}, `SELECT event, SUM(n) FROM usage_daily_events WHERE account_id = ? AND day >= ? AND day <= ?
		GROUP BY event ORDER BY SUM(n) DESC, event LIMIT 10`, accountID, from, to)
	if err != nil {
		return out, fmt.Errorf("store: account top events: %w", err)
	}
	var last *int64
	if err := s.read().row(ctx, `SELECT MAX(ts) FROM usage_events WHERE account_id = ? AND type IN ('track', 'page', 'screen')
		AND day = (SELECT MAX(day) FROM usage_daily WHERE account_id = ?)`, accountID, accountID).Scan(&last); err != nil {
		return out, fmt.Errorf("store: account last seen: %w", err)
	}
	if last != nil {
		t := fromMS(*last)
		out.LastSeen = &t
	}
	return out, nil
}
