package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Derived data. A derivation keeps tables that are a function of raw tables equal to a
// recount of them, incrementally: writes mark the keys whose result may have changed
// (triggers in the migrations, so every write path — foreign-key cascades included —
// is covered without hooks in Go), and a sync takes marks in batches, recomputes those
// keys from the raw tables and applies the difference, one batch per transaction. A
// rebuild empties the derived tables, marks every key and drains the marks the same way,
// so the incremental path is the only code that writes derived data.
//
// To add one: a migration with the derived tables, a mark table per kind of key and the
// triggers that fill them; a type implementing derivation; an entry in derivations; and
// a test through derivetest-style equivalence (see TestRankRollupsMatchRawEvidence):
// random changes, then incremental == full recount.

// derivation is one kind of derived data.
type derivation interface {
	// marks are the dirty-key tables, drained in this order: a key of a later table is
	// taken only when every earlier one is empty.
	marks() []markTable
	// stale reports, from a read connection, whether a parameter the derived data
	// depends on (the day, a setting) moved since it was last applied.
	stale(ctx context.Context, rq q) (bool, error)
	// prepare runs first in every batch's transaction and brings the parameters up to
	// date, marking whatever keys that moves.
	prepare(ctx context.Context, q q) error
	// recompute recounts keys just taken from marks()[table].
	recompute(ctx context.Context, q q, table int, keys []string) error
	// reset empties the derived tables and marks every key, for a rebuild.
	reset(ctx context.Context, q q) error
	// results are the tables whose content is the derivation's answer (not its caches):
	// after any history of changes they must hold exactly what a rebuild gives.
	results() []string
}

// markTable is a table of dirty keys: one text primary-key column.
type markTable struct{ table, col string }

// Batch sizes: a background or read-time sync keeps its write transactions short so
// writers barely wait; a rebuild, which nobody is waiting on row by row, takes large
// batches because per-batch work (upserting each touched result row once) dominates.
const (
	syncBatch    = 500
	rebuildBatch = 5000
)

// DerivationInfo names a derivation for `closeloop rebuild`.
type DerivationInfo struct{ Name, Help string }

// Derivations lists the derived data a rebuild can recompute.
func (s *Store) Derivations() []DerivationInfo {
	out := make([]DerivationInfo, 0, len(derivations))
	for name, d := range derivations {
		out = append(out, DerivationInfo{name, d.help})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// derivationDef names a derivation and builds it for the moment now.
type derivationDef struct {
	help  string
	build func(ctx context.Context, s *Store, now time.Time) (derivation, error)
}

// derivations are every derivation by name; a derivation's own file may add itself
// (usagedaily.go does).
var derivations = map[string]derivationDef{
	"ranking": {"request and tag ranking roll-ups (counts, revenue, trend windows, tier/kind/last-N-days views)",
		func(ctx context.Context, s *Store, now time.Time) (derivation, error) {
			return s.rankDerivation(ctx, now)
		}},
}

// derivationAt builds derivation name for the moment now; an unknown name is refused
// quoting it, and a failed build is named as part of op.
func (s *Store) derivationAt(ctx context.Context, name string, now time.Time, op string) (derivation, error) {
	def, ok := derivations[name]
	if !ok {
		return nil, fmt.Errorf("store: no derived data named %q", name)
	}
	d, err := def.build(ctx, s, now)
	return d, wrapf(err, "store: %s", op)
}

// syncBuilt syncs the derivation build makes for at most budget (0: until done) and
// reports whether it is up to date; buildOp and syncOp name the two steps in errors.
func syncBuilt[D derivation](ctx context.Context, s *Store, budget time.Duration, build func() (D, error), buildOp, syncOp string) (bool, error) {
	d, err := build()
	if err != nil {
		return false, fmt.Errorf("%s: %w", buildOp, err)
	}
	ok, err := s.syncDerived(ctx, d, budget, syncBatch, nil)
	if err != nil {
		return false, fmt.Errorf("%s: %w", syncOp, err)
	}
	return ok, nil
}

// SyncDerivation brings derivation name up to date for the moment now: the job every
// derivation gets (internal/app registers one per name).
func (s *Store) SyncDerivation(ctx context.Context, name string, now time.Time) error {
	d, err := s.derivationAt(ctx, name, now, "sync derivation")
	if err != nil {
		return err
	}
	if _, err := s.syncDerived(ctx, d, 0, syncBatch, nil); err != nil {
		return fmt.Errorf("store: sync %s: %w", name, err)
	}
	return nil
}

// RebuildProgress is how far a rebuild is: keys recomputed of those marked, or, for a
// one-pass rebuild (derive_bulk.go), raw rows read while "counting" and derived rows
// written while "writing"; the last report is keys done.
type RebuildProgress struct {
	Phase       string // "counting", "writing", or "" for keys recomputed
	Done, Total int
	Elapsed     time.Duration
}

// Rate is keys per second so far.
func (p RebuildProgress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// Left estimates the time to finish at the rate so far.
func (p RebuildProgress) Left() time.Duration {
	r := p.Rate()
	if r == 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Total-p.Done) / r * float64(time.Second))
}

// Rebuild recomputes one derivation from scratch, calling progress after every batch.
// Readers keep being served meanwhile: until it finishes, reads that find the derived
// data behind count from the raw tables. A derivation that can rebuild in one pass
// does (derive_bulk.go, which says what that does to concurrent writers); the others
// are reset and drained through the incremental path.
func (s *Store) Rebuild(ctx context.Context, name string, now time.Time, progress func(RebuildProgress)) error {
	d, err := s.derivationAt(ctx, name, now, "rebuild")
	if err != nil {
		return err
	}
	if bd, ok := d.(bulkDerivation); ok {
		start := time.Now()
		n, err := s.bulkRebuild(ctx, bd, progress)
		if err != nil {
			return fmt.Errorf("store: rebuild %s: %w", name, err)
		}
		// The changes made while it ran, through the incremental path.
		if _, err := s.syncDerived(ctx, d, 0, rebuildBatch, nil); err != nil {
			return fmt.Errorf("store: rebuild %s: catch up: %w", name, err)
		}
		if progress != nil {
			progress(RebuildProgress{Done: n, Total: n, Elapsed: time.Since(start)})
		}
		return nil
	}
	return s.rebuildMarked(ctx, name, d, progress)
}

// rebuildMarked resets a derivation (every key marked) and drains the marks.
func (s *Store) rebuildMarked(ctx context.Context, name string, d derivation, progress func(RebuildProgress)) error {
	if err := s.tx(ctx, func(q q) error {
		if err := d.prepare(ctx, q); err != nil {
			return err
		}
		return d.reset(ctx, q)
	}); err != nil {
		return fmt.Errorf("store: rebuild %s: reset: %w", name, err)
	}
	total := 0
	for _, m := range d.marks() {
		var n int
		if err := s.read().row(ctx, `SELECT COUNT(*) FROM `+m.table).Scan(&n); err != nil {
			return fmt.Errorf("store: rebuild %s: count marks: %w", name, err)
		}
		total += n
	}
	start := time.Now()
	done := 0
	_, err := s.syncDerived(ctx, d, 0, rebuildBatch, func(n int) {
		done += n
		if progress != nil {
			progress(RebuildProgress{Done: min(done, max(total, done)), Total: max(total, done), Elapsed: time.Since(start)})
		}
	})
	if err != nil {
		return fmt.Errorf("store: rebuild %s: %w", name, err)
	}
	return nil
}

// Backlog is how many keys derivation name has marked and not yet applied: after an
// upgrade that marks everything (or a bulk load), a number the size of the data.
func (s *Store) Backlog(ctx context.Context, name string) (int, error) {
	d, err := s.derivationAt(ctx, name, s.Now(), "backlog "+name)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, m := range d.marks() {
		var n int
		if err := s.read().row(ctx, `SELECT COUNT(*) FROM `+m.table).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: backlog %s: %w", name, err)
		}
		total += n
	}
	return total, nil
}

// maxSyncConflicts bounds how often one sync runs a step again after the database
// aborted it to break a deadlock (see syncDerived).
const maxSyncConflicts = 5

// syncDerived applies marks in batches for at most budget (0: until none is left) and
// reports whether the derived data is then up to date. step, when set, is told how
// many keys each batch recomputed.
func (s *Store) syncDerived(ctx context.Context, d derivation, budget time.Duration, batch int, step func(n int)) (bool, error) {
	start := time.Now()
	conflicts := 0
	for {
		pending, err := s.derivedPending(ctx, d)
		if errors.Is(err, errRebuilding) {
			return false, nil
		}
		if err != nil || !pending {
			return err == nil, wrapf(err, "sync derived")
		}
		if budget > 0 && time.Since(start) > budget {
			return false, nil
		}
		n := 0
		if err := s.tx(ctx, func(q q) error {
			var err error
			n, err = deriveStep(ctx, q, d, batch)
			return err
		}); errors.Is(err, errRebuilding) {
			return false, nil
		} else if s.d.isConflict(err) && conflicts < maxSyncConflicts {
			// On PostgreSQL a writer that marks several keys in one transaction (a
			// group of captures, a bulk import) can lock them in another order than
			// this step deletes them, and the database aborts one of the two. The step
			// kept nothing, so it runs again once the writer is through; a page view
			// syncing on read must not answer 500 for it.
			conflicts++
			time.Sleep(time.Duration(conflicts) * 5 * time.Millisecond)
			continue
		} else if err != nil {
			return false, fmt.Errorf("sync derived: %w", err)
		}
		if step != nil {
			step(n)
		}
	}
}

// derivedPending reports, from a read connection, whether a sync has work.
func (s *Store) derivedPending(ctx context.Context, d derivation) (bool, error) {
	rq := s.read()
	// A one-pass rebuild holding its gate answers errRebuilding without waiting for the
	// writer it may be holding; a gate it left behind is work (deriveStep recovers it).
	if gated, err := rebuildPending(ctx, rq, d); err != nil || gated {
		return gated, err
	}
	if stale, err := d.stale(ctx, rq); err != nil || stale {
		return stale, wrapf(err, "derived pending")
	}
	for _, m := range d.marks() {
		var n int
		if err := rq.row(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+m.table+` LIMIT 1) a`).Scan(&n); err != nil {
			return false, fmt.Errorf("derived pending: %w", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// deriveStep does one bounded piece of work in one transaction: the parameters, then
// one batch from the first mark table that has any.
func deriveStep(ctx context.Context, q q, d derivation, batch int) (int, error) {
	if bd, ok := d.(bulkDerivation); ok {
		if err := rebuildGate(ctx, q, bd); err != nil {
			return 0, err
		}
	}
	if err := d.prepare(ctx, q); err != nil {
		return 0, fmt.Errorf("derive step: %w", err)
	}
	for i, m := range d.marks() {
		keys, err := takeMarks(ctx, q, m, batch)
		if err != nil {
			return 0, fmt.Errorf("take %s: %w", m.table, err)
		}
		if len(keys) > 0 {
			if err := d.recompute(ctx, q, i, keys); err != nil {
				return 0, fmt.Errorf("recompute %s: %w", m.table, err)
			}
			return len(keys), nil
		}
	}
	return 0, nil
}

// takeMarks removes up to n marks and returns their keys. Deleting before the raw
// tables are read matters on PostgreSQL: a writer that marked a key holds the mark's
// row until it commits, so the delete waits and the reads that follow see its change.
func takeMarks(ctx context.Context, q q, m markTable, n int) ([]string, error) {
	keys, err := strs(ctx, q, fmt.Sprintf(`SELECT %s FROM %s ORDER BY %s LIMIT %d`, m.col, m.table, m.col, n))
	if err != nil || len(keys) == 0 {
		return nil, wrapf(err, "take marks")
	}
	for rest := keys; len(rest) > 0; {
		chunk := rest[:min(len(rest), 500)]
		rest = rest[len(chunk):]
		in, args := placeholders(chunk)
		if _, err := q.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (%s)`, m.table, m.col, in), args...); err != nil {
			return nil, fmt.Errorf("take marks: %w", err)
		}
	}
	return keys, nil
}
