package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
)

// The revenue paths roll-up: one row per account holding its MRR path (the MRR after
// each movement, in order) encoded as text, so the revenue page reads 50,000 rows
// rather than every movement. It is a client of the derive engine (derive.go): the
// triggers of migration 0013 mark an account whenever its movements change, and a
// sync re-encodes the marked accounts. The metrics themselves stay computed in Go
// from the paths, so every definition (grouping window, churn recognition,
// currency conversion, segment) can change per request.

func init() {
	derivations["revenue"] = struct {
		help  string
		build func(ctx context.Context, s *Store, now time.Time) (derivation, error)
	}{"revenue metrics' per-account MRR paths", func(ctx context.Context, s *Store, now time.Time) (derivation, error) {
		return revenuePaths{}, nil
	}}
}

type revenuePaths struct{}

func (revenuePaths) marks() []markTable { return []markTable{{"revenue_path_marks", "account_id"}} }

func (revenuePaths) stale(context.Context, q) (bool, error) { return false, nil }

func (revenuePaths) prepare(context.Context, q) error { return nil }

func (revenuePaths) results() []string { return []string{"revenue_paths"} }

func (revenuePaths) reset(ctx context.Context, q q) error {
	if _, err := q.exec(ctx, `DELETE FROM revenue_paths`); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if _, err := q.exec(ctx, `DELETE FROM revenue_path_versions`); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if _, err := q.exec(ctx, `UPDATE revenue_paths_state SET version = version + 1, reset_version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	_, err := q.exec(ctx, `INSERT INTO revenue_path_marks (account_id) SELECT DISTINCT account_id FROM mrr_movements WHERE true
		ON CONFLICT (account_id) DO NOTHING`)
	return wrapf(err, "reset")
}

// recompute re-encodes the paths of keys from their movements, with the accounts'
// current attributes, and records the new roll-up version for every key, so readers
// holding the old paths learn which changed or went.
func (revenuePaths) recompute(ctx context.Context, q q, _ int, keys []string) error {
	if _, err := q.exec(ctx, `UPDATE revenue_paths_state SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	var version int64
	if err := q.row(ctx, `SELECT version FROM revenue_paths_state WHERE id = 1`).Scan(&version); err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	for rest := keys; len(rest) > 0; {
		chunk := rest[:min(len(rest), 500)]
		rest = rest[len(chunk):]
		in, args := placeholders(chunk)
		type enc struct {
			cur   string
			attrs [4]string // tier, plan, owner_id, signup_date
			b     []byte
		}
		paths := map[string]*enc{}
		rows, err := q.query(ctx, `SELECT account_id, currency, mrr_after, effective_at FROM mrr_movements WHERE account_id IN (`+in+`)
			ORDER BY account_id, effective_at, id`, args...)
		if err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		for rows.Next() {
			var acct, cur string
			var mrr, eff int64
			if err := rows.Scan(&acct, &cur, &mrr, &eff); err != nil {
				rows.Close()
				return fmt.Errorf("recompute: %w", err)
			}
			e := paths[acct]
			if e == nil {
				e = &enc{cur: cur}
				paths[acct] = e
			}
			e.b = appendPoint(e.b, eff, mrr)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		arows, err := q.query(ctx, `SELECT id, tier, plan, COALESCE(owner_id, ''), signup_date FROM accounts WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		for arows.Next() {
			var id string
			var at [4]string
			if err := arows.Scan(&id, &at[0], &at[1], &at[2], &at[3]); err != nil {
				arows.Close()
				return fmt.Errorf("recompute: %w", err)
			}
			if e := paths[id]; e != nil {
				e.attrs = at
			}
		}
		arows.Close()
		if err := arows.Err(); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		if _, err := q.exec(ctx, `DELETE FROM revenue_paths WHERE account_id IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		if _, err := q.exec(ctx, `DELETE FROM revenue_path_versions WHERE account_id IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
		var ins, vers [][]any
		for _, acct := range chunk {
			vers = append(vers, []any{acct, version})
			if e := paths[acct]; e != nil {
				ins = append(ins, []any{acct, e.cur, e.attrs[0], e.attrs[1], e.attrs[2], e.attrs[3], string(e.b)})
			}
		}
		if len(ins) > 0 {
			if err := insertRows(ctx, q, "revenue_paths", "account_id, currency, tier, plan, owner_id, signup_date, path", ins); err != nil {
				return fmt.Errorf("recompute: %w", err)
			}
		}
		if err := insertRows(ctx, q, "revenue_path_versions", "account_id, version", vers); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
	}
	return nil
}

// A path is "ms,mrr;" per point, both in base 36: compact, and parsed without
// allocating per point.
func appendPoint(b []byte, ms, mrr int64) []byte {
	b = strconv.AppendInt(b, ms, 36)
	b = append(b, ',')
	b = strconv.AppendInt(b, mrr, 36)
	return append(b, ';')
}

var errBadPath = errors.New("store: malformed revenue path")

func decodePath(s string) ([]revenue.Point, error) {
	out := make([]revenue.Point, 0, strings.Count(s, ";"))
	for len(s) > 0 {
		c := strings.IndexByte(s, ',')
		e := strings.IndexByte(s, ';')
		if c < 0 || e < c {
			return nil, errBadPath
		}
		ms, err1 := strconv.ParseInt(s[:c], 36, 64)
		mrr, err2 := strconv.ParseInt(s[c+1:e], 36, 64)
		if err1 != nil || err2 != nil {
			return nil, errBadPath
		}
		out = append(out, revenue.Point{At: time.UnixMilli(ms).UTC(), MRR: mrr})
		s = s[e+1:]
	}
	return out, nil
}

// revenueReadBudget bounds how long a read spends catching the roll-up up; a larger
// backlog (the first read after a bulk import) is read from the raw movements.
const revenueReadBudget = 2 * time.Second

// SyncRevenuePaths brings the revenue paths roll-up up to date.
func (s *Store) SyncRevenuePaths(ctx context.Context) error {
	_, err := s.syncDerived(ctx, revenuePaths{}, 0, syncBatch, nil)
	return wrapf(err, "store: sync revenue paths")
}

// RevenueHistories returns every account with MRR movements: its tier, plan, owner
// (name, else email), signup date, currency and MRR path — what revenue.Metrics and
// revenue.Cohorts compute from. It reads the paths roll-up after catching it up (kept
// decoded in memory until the roll-up's version moves), or the raw movements when the
// backlog is larger than a read should wait for. The result is shared: read it only.
func (s *Store) RevenueHistories(ctx context.Context) ([]revenue.AccountHistory, error) {
	ok, err := s.syncDerived(ctx, revenuePaths{}, revenueReadBudget, rebuildBatch, nil)
	if err != nil {
		return nil, fmt.Errorf("store: revenue paths: %w", err)
	}
	if !ok {
		return s.revenueHistoriesRaw(ctx)
	}
	rq := s.read()
	var version, reset int64
	if err := rq.row(ctx, `SELECT version, reset_version FROM revenue_paths_state WHERE id = 1`).Scan(&version, &reset); err != nil {
		return nil, fmt.Errorf("store: revenue histories: %w", err)
	}
	c := revenueCacheOf(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	// Rows of a sync that commits after the version was read carry a later version,
	// so the next read picks them up.
	switch {
	case c.hs == nil || c.version < reset:
		hs, err := s.readRevenuePaths(ctx, -1)
		if err != nil {
			return nil, fmt.Errorf("store: revenue histories: %w", err)
		}
		c.hs, c.version = hs, version
	case c.version < version:
		changed, err := s.readRevenuePaths(ctx, c.version)
		if err != nil {
			return nil, fmt.Errorf("store: revenue histories: %w", err)
		}
		c.hs, c.version = mergePaths(c.hs, changed), version
	}
	owners, err := ownerNames(ctx, rq)
	if err != nil {
		return nil, fmt.Errorf("store: revenue histories: %w", err)
	}
	if c.named == nil || c.namedVersion != c.version || !maps.Equal(owners, c.owners) {
		c.named, c.namedVersion, c.owners = withOwnerNames(c.hs, owners), c.version, owners
	}
	return c.named, nil
}

// revenueCache holds one store's decoded paths and the roll-up version they are of:
// reading and decoding 50,000 paths costs more than computing the metrics from them,
// and after a change only the rows written since are read.
type revenueCache struct {
	mu      sync.Mutex
	version int64
	hs      []revenue.AccountHistory // Owner is the owner's id
	// named is hs with owner names, for the version and names it was made from.
	named        []revenue.AccountHistory
	namedVersion int64
	owners       map[string]string
}

var revenueCaches sync.Map // *Store → *revenueCache

func revenueCacheOf(s *Store) *revenueCache {
	c, _ := revenueCaches.LoadOrStore(s, &revenueCache{})
	return c.(*revenueCache)
}

// mergePaths returns hs with changed applied: an account's new path replaces its old
// one, and an empty path removes it. hs itself is left as it was (readers share it).
func mergePaths(hs, changed []revenue.AccountHistory) []revenue.AccountHistory {
	upd := make(map[string]revenue.AccountHistory, len(changed))
	for _, h := range changed {
		upd[h.ID] = h
	}
	out := make([]revenue.AccountHistory, 0, len(hs)+len(changed))
	for _, h := range hs {
		if n, ok := upd[h.ID]; ok {
			delete(upd, h.ID)
			if len(n.Path) == 0 {
				continue
			}
			h = n
		}
		out = append(out, h)
	}
	for _, h := range changed {
		if n, ok := upd[h.ID]; ok && len(n.Path) > 0 {
			out = append(out, n)
			delete(upd, h.ID)
		}
	}
	return out
}

// readRevenuePaths decodes the paths changed after version since (every one when
// since is negative) with their accounts' attributes; since ≥ 0 also returns the
// accounts whose path went, with none.
func (s *Store) readRevenuePaths(ctx context.Context, since int64) ([]revenue.AccountHistory, error) {
	// One plain scan: SQLite joins 50,000 accounts to their paths about ten times
	// slower than it scans either table (measured for BENCHMARKS.md).
	query := `SELECT account_id, currency, tier, plan, owner_id, signup_date, path FROM revenue_paths`
	var args []any
	if since >= 0 {
		// An account with a version and no path has lost it: it comes back empty.
		query = `SELECT v.account_id, COALESCE(p.currency, ''), COALESCE(p.tier, ''), COALESCE(p.plan, ''), COALESCE(p.owner_id, ''),
			COALESCE(p.signup_date, ''), COALESCE(p.path, '')
			FROM revenue_path_versions v LEFT JOIN revenue_paths p ON p.account_id = v.account_id WHERE v.version > ?`
		args = append(args, since)
	}
	return collect(ctx, s.read(), func(sc scanner) (revenue.AccountHistory, error) {
		var h revenue.AccountHistory
		var signup, path string
		if err := sc.Scan(&h.ID, &h.Currency, &h.Tier, &h.Plan, &h.Owner, &signup, &path); err != nil {
			return h, fmt.Errorf("read revenue paths: %w", err)
		}
		var err error
		if h.Path, err = decodePath(path); err != nil {
			return h, fmt.Errorf("%w for account %s", err, h.ID)
		}
		h.Signup = parseSignup(signup) // h.Owner is the owner's id until withOwnerNames
		return h, nil
	}, query, args...)
}

// ownerNames maps each member's id to their name, else email: names are read fresh,
// so a renamed member needs no re-derivation.
func ownerNames(ctx context.Context, rq q) (map[string]string, error) {
	owners := map[string]string{}
	err := each(ctx, rq, func(sc scanner) error {
		var id, name string
		err := sc.Scan(&id, &name)
		owners[id] = name
		return err
	}, `SELECT id, COALESCE(NULLIF(name, ''), email) FROM team_members`)
	if err != nil {
		return nil, fmt.Errorf("owner names: %w", err)
	}
	return owners, nil
}

// withOwnerNames copies hs with each owner id replaced by its name.
func withOwnerNames(hs []revenue.AccountHistory, owners map[string]string) []revenue.AccountHistory {
	out := make([]revenue.AccountHistory, len(hs))
	for i, h := range hs {
		h.Owner = owners[h.Owner]
		out[i] = h
	}
	return out
}
