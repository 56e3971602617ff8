package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/id"
)

// Bulk rebuild: a derivation may also offer to rebuild in one pass instead of marking
// every key and draining the marks through the incremental path (derive.go), which for
// ranking at 1M items meant rewriting the same B-tree pages hundreds of times.
//
// What it does to a running server:
//  1. One short write transaction sets the derivation's rebuild gate and deletes its
//     marks. From then until step 3 commits, syncs leave the derivation alone and reads
//     that would use it count from the raw tables; writers carry on, and their triggers
//     mark keys as usual.
//  2. A read transaction counts everything from one snapshot taken after step 1: no
//     lock is held (SQLite WAL readers do not block the writer; PostgreSQL reads at
//     REPEATABLE READ).
//  3. One write transaction empties the derived tables, writes the counts sorted by
//     primary key with secondary indexes dropped and rebuilt after, and clears the gate.
//     This is the only time writers wait. On PostgreSQL that is only those that touch
//     the derived tables (TRUNCATE locks them; the app's writers only fill mark tables).
//     On SQLite every writer waits for the one write lock: a server's writes wait up to
//     its busy timeout (10 s) and then fail with "database is locked", and at 1M items
//     the write phase is longer than that (BENCHMARKS.md) — so on SQLite rebuild a
//     large derivation when writes can pause (a bulk import, a maintenance window).
//  4. The marks made since step 1 are applied by the incremental path: their changes
//     may or may not be in the snapshot, and a recount of a key is right either way.
//
// If the rebuild fails after step 1 it hands the derivation to the incremental path
// (every key marked, as a marked rebuild does); if the process dies, the gate's lease
// runs out and the next sync does the same.

// bulkDerivation is a derivation that can rebuild in one pass.
type bulkDerivation interface {
	derivation
	// name keys the rebuild gate.
	name() string
	// bulkCount reads the raw tables from rq, one snapshot, and counts the results;
	// progress is told how much of the raw data has been read.
	bulkCount(ctx context.Context, rq q, progress func(done, total int)) (bulkResult, error)
}

// bulkResult is a derivation's results counted by bulkCount.
type bulkResult interface {
	// count is how many keys were counted (what a marked rebuild calls done).
	count() int
	// rows is how many rows write inserts.
	rows() int
	// write replaces the derived tables with the results and brings the derivation's
	// parameters (stale/prepare) to what they were counted for.
	write(ctx context.Context, q q, progress func(done, total int)) error
}

// rebuildLease is how long a rebuild's gate holds without being renewed; the rebuild
// renews it at every progress report at least rebuildRenew apart.
const (
	rebuildLease = 10 * time.Minute
	rebuildRenew = time.Minute
)

// errRebuilding says a sync found a one-pass rebuild in progress.
var errRebuilding = errors.New("a rebuild is in progress")

// bulkRebuild runs steps 1–3 above; Rebuild then drains the marks (step 4).
func (s *Store) bulkRebuild(ctx context.Context, d bulkDerivation, progress func(RebuildProgress)) (int, error) {
	name, token := d.name(), id.New()
	if err := s.tx(ctx, func(q q) error {
		if _, err := lockGate(ctx, q, name); err != nil {
			return err
		}
		if err := setGate(ctx, q, name, rebuildGateRow{token, ms(time.Now().Add(rebuildLease))}); err != nil {
			return err
		}
		for _, m := range d.marks() {
			if _, err := q.exec(ctx, `DELETE FROM `+m.table); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	n, err := s.bulkCountAndWrite(ctx, d, token, progress)
	if err != nil {
		// The marks are gone: give every key to the incremental path, so nothing is lost.
		if e := s.tx(ctx, func(q q) error {
			if err := d.prepare(ctx, q); err != nil {
				return err
			}
			if err := d.reset(ctx, q); err != nil {
				return err
			}
			if g, err := lockGate(ctx, q, name); err != nil || g.Token != token {
				return err
			}
			return setGate(ctx, q, name, rebuildGateRow{})
		}); e != nil {
			return 0, errors.Join(err, fmt.Errorf("hand over to the incremental path: %w", e))
		}
		return 0, err
	}
	return n, nil
}

func (s *Store) bulkCountAndWrite(ctx context.Context, d bulkDerivation, token string, progress func(RebuildProgress)) (int, error) {
	name := d.name()
	renewed := time.Now()
	var renewErr error
	// Each phase's rate and time left are its own: rows read and rows written differ.
	report := func(phase string) func(done, total int) {
		start := time.Now()
		return func(done, total int) {
			// Only while counting: the write phase holds the gate row (and, on SQLite, the
			// one writer connection) itself.
			if phase == "counting" && renewErr == nil && time.Since(renewed) >= rebuildRenew {
				renewed = time.Now()
				renewErr = s.renewRebuild(ctx, name, token)
			}
			if progress != nil {
				progress(RebuildProgress{Phase: phase, Done: done, Total: total, Elapsed: time.Since(start)})
			}
		}
	}
	// Counting builds a few large arrays of integers next to millions of small strings
	// and maps; with the default GC target most of the CPU went to collecting garbage
	// that is not there (a third of it at 1M items), so collect less often meanwhile.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	tx, err := s.r.BeginTx(ctx, s.d.snapshot())
	if err != nil {
		return 0, err
	}
	res, err := d.bulkCount(ctx, q{tx, s.d}, report("counting"))
	tx.Rollback()
	if err == nil {
		err = renewErr
	}
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	if err := s.tx(ctx, func(q q) error {
		g, err := lockGate(ctx, q, name)
		if err != nil {
			return err
		}
		if g.Token != token {
			return fmt.Errorf("the rebuild's lease ran out (another sync took over)")
		}
		if err := res.write(ctx, q, report("writing")); err != nil {
			return err
		}
		return setGate(ctx, q, name, rebuildGateRow{})
	}); err != nil {
		return 0, fmt.Errorf("write: %w", err)
	}
	return res.count(), nil
}

func (s *Store) renewRebuild(ctx context.Context, name, token string) error {
	return s.tx(ctx, func(q q) error {
		g, err := lockGate(ctx, q, name)
		if err != nil {
			return err
		}
		if g.Token != token {
			return fmt.Errorf("the rebuild's lease ran out (another sync took over)")
		}
		return setGate(ctx, q, name, rebuildGateRow{token, ms(time.Now().Add(rebuildLease))})
	})
}

// rebuildGate, at the start of a sync's transaction, locks the derivation's gate row
// (so that on PostgreSQL a sync and a rebuild's first step are serialised) and returns
// errRebuilding while a rebuild holds it. A gate whose lease ran out belongs to a
// rebuild that died after deleting the marks: every key is marked again here.
func rebuildGate(ctx context.Context, q q, d bulkDerivation) error {
	g, err := lockGate(ctx, q, d.name())
	if err != nil {
		return fmt.Errorf("rebuild gate: %w", err)
	}
	if g.Token == "" {
		return nil
	}
	if g.Until > ms(time.Now()) {
		return errRebuilding
	}
	if err := d.prepare(ctx, q); err != nil {
		return err
	}
	if err := d.reset(ctx, q); err != nil {
		return err
	}
	return setGate(ctx, q, d.name(), rebuildGateRow{})
}

// rebuildPending reports, from a read connection, whether a rebuild gate is set: while
// its lease runs it returns errRebuilding (so a read-time sync does not queue for the
// writer the rebuild holds), after that true (the recovery is a sync's work).
func rebuildPending(ctx context.Context, rq q, d derivation) (bool, error) {
	bd, ok := d.(bulkDerivation)
	if !ok {
		return false, nil
	}
	var raw string
	err := rq.row(ctx, `SELECT value FROM settings WHERE key = ?`, gateKey(bd.name())).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	var g rebuildGateRow
	if err == nil {
		err = json.Unmarshal([]byte(raw), &g)
	}
	switch {
	case err != nil:
		return false, err
	case g.Token != "" && g.Until > ms(time.Now()):
		return false, errRebuilding
	}
	return g.Token != "", nil
}

// The gate is a settings row, "rebuild:NAME" → {"token", "until_ms"}: a token while a
// rebuild holds it, and the Unix ms its lease runs to.
type rebuildGateRow struct {
	Token string `json:"token"`
	Until int64  `json:"until_ms"`
}

func gateKey(name string) string { return "rebuild:" + name }

// lockGate reads the gate in a write transaction, creating it empty, with its row
// locked (an upsert locks on PostgreSQL even when the row exists).
func lockGate(ctx context.Context, q q, name string) (rebuildGateRow, error) {
	var raw string
	if err := q.row(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, '{}', ?)
		ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING value`, gateKey(name), ms(time.Now())).Scan(&raw); err != nil {
		return rebuildGateRow{}, err
	}
	var g rebuildGateRow
	return g, json.Unmarshal([]byte(raw), &g)
}

// setGate writes the gate lockGate locked.
func setGate(ctx context.Context, q q, name string, g rebuildGateRow) error {
	raw, err := json.Marshal(g)
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, `UPDATE settings SET value = ?, updated_at = ? WHERE key = ?`, string(raw), ms(time.Now()), gateKey(name))
	return err
}

// emptyTables deletes every row of the tables (TRUNCATE on PostgreSQL; SQLite's
// DELETE without WHERE drops the pages wholesale).
func emptyTables(ctx context.Context, q q, tables []string) error {
	if q.d.name() == "postgres" {
		_, err := q.exec(ctx, `TRUNCATE `+strings.Join(tables, ", "))
		return err
	}
	for _, t := range tables {
		if _, err := q.exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	return nil
}

// withoutIndexes drops the tables' secondary indexes, runs fill, and creates them
// again from their own definitions: building an index once from sorted rows is far
// cheaper than keeping it up to date through millions of inserts in another order.
func withoutIndexes(ctx context.Context, q q, tables []string, fill func() error) error {
	var names, defs []string
	for _, t := range tables {
		query := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`
		args := []any{t}
		if q.d.name() == "postgres" {
			query = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?
				AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = (current_schema() || '.' || ?)::regclass)`
			args = append(args, t)
		}
		rows, err := q.query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("indexes of %s: %w", t, err)
		}
		for rows.Next() {
			var n, def string
			if err := rows.Scan(&n, &def); err != nil {
				rows.Close()
				return err
			}
			names, defs = append(names, n), append(defs, def)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, n := range names {
		if _, err := q.exec(ctx, `DROP INDEX `+n); err != nil {
			return fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	if err := fill(); err != nil {
		return err
	}
	for i, def := range defs {
		if _, err := q.exec(ctx, def); err != nil {
			return fmt.Errorf("create index %s: %w", names[i], err)
		}
	}
	return nil
}

// copyRows inserts n rows, fill writing row i's width values into r, in multi-row
// statements; step is told each one. (A prepared statement reused for every chunk
// measured no faster: SQLite's own B-tree work is the cost, not parsing.)
func copyRows(ctx context.Context, q q, table, cols string, width, n int, step func(int), fill func(i int, r []any)) error {
	per := min(maxParams/width, 500)
	full := "INSERT INTO " + table + " (" + cols + ") VALUES " + tuples(per, width)
	args := make([]any, per*width)
	for start := 0; start < n; start += per {
		rows := min(per, n-start)
		a := args[:rows*width]
		for i := range rows {
			fill(start+i, a[i*width:(i+1)*width])
		}
		stmt := full
		if rows < per {
			stmt = "INSERT INTO " + table + " (" + cols + ") VALUES " + tuples(rows, width)
		}
		if _, err := q.exec(ctx, stmt, a...); err != nil {
			return err
		}
		if step != nil {
			step(rows)
		}
	}
	return nil
}
