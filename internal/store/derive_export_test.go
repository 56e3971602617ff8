package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// CheckDerivation is the equivalence test every derivation gets: it applies steps
// random changes (change is told the step and a random source), and after every
// every-th step and at the end requires the incrementally maintained results to equal,
// row for row, what a rebuild from the raw tables gives. now is read at each check.
func CheckDerivation(t *testing.T, s *Store, name string, steps, every int, now func() time.Time, change func(step int, rng *rand.Rand) error) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	for step := 0; step < steps; step++ {
		if err := change(step, rng); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if step%every == every-1 || step == steps-1 {
			if diff, err := s.DerivedDiff(context.Background(), name, now()); err != nil {
				t.Fatalf("step %d: %v", step, err)
			} else if diff != "" {
				t.Fatalf("step %d: %s kept incrementally differs from a rebuild:\n%s", step, name, diff)
			}
		}
	}
}

// DerivedDiff syncs derivation name, reads its result tables, rebuilds it from scratch
// and reads them again: it returns the rows that differ ("" when none). The store is
// left rebuilt.
func (s *Store) DerivedDiff(ctx context.Context, name string, now time.Time) (string, error) {
	def, ok := derivations[name]
	if !ok {
		return "", fmt.Errorf("no derivation %q", name)
	}
	d, err := def.build(ctx, s, now)
	if err != nil {
		return "", err
	}
	if _, err := s.syncDerived(ctx, d, 0, syncBatch, nil); err != nil {
		return "", err
	}
	before, err := s.dumpTables(ctx, d, d.results())
	if err != nil {
		return "", err
	}
	if err := s.Rebuild(ctx, name, now, nil); err != nil {
		return "", err
	}
	after, err := s.dumpTables(ctx, d, d.results())
	if err != nil {
		return "", err
	}
	return diffDumps(d.results(), before, after, "incremental only", "rebuild only:    "), nil
}

// diffDumps lists the rows of tables found in only one of two dumps ("" when none).
func diffDumps(tables []string, a, b map[string]map[string]bool, onlyA, onlyB string) string {
	var diff []string
	for _, table := range tables {
		for row := range a[table] {
			if !b[table][row] {
				diff = append(diff, fmt.Sprintf("  %s: %s: %s", table, onlyA, row))
			}
		}
		for row := range b[table] {
			if !a[table][row] {
				diff = append(diff, fmt.Sprintf("  %s: %s: %s", table, onlyB, row))
			}
		}
	}
	sort.Strings(diff)
	if len(diff) > 20 {
		diff = append(diff[:20], fmt.Sprintf("  … and %d more", len(diff)-20))
	}
	return strings.Join(diff, "\n")
}

// RebuildBothWays rebuilds derivation name through the marked path (every key marked,
// the marks drained in batches, as every rebuild did before one-pass rebuilds) and then
// through Rebuild, and returns the rows that differ ("" when none) in its results and
// in also (caches a rebuild writes too). The store is left rebuilt by Rebuild.
func (s *Store) RebuildBothWays(ctx context.Context, name string, now time.Time, also ...string) (string, error) {
	d, err := derivations[name].build(ctx, s, now)
	if err != nil {
		return "", err
	}
	tables := append(d.results(), also...)
	if err := s.rebuildMarked(ctx, name, d, nil); err != nil {
		return "", err
	}
	marked, err := s.dumpTables(ctx, d, tables)
	if err != nil {
		return "", err
	}
	if err := s.Rebuild(ctx, name, now, nil); err != nil {
		return "", err
	}
	bulk, err := s.dumpTables(ctx, d, tables)
	if err != nil {
		return "", err
	}
	return diffDumps(tables, marked, bulk, "marked rebuild only", "one-pass rebuild only"), nil
}

// AbandonRebuild leaves derivation name as a one-pass rebuild that died after its first
// step would: the gate set with its lease run out, the marks deleted.
func (s *Store) AbandonRebuild(ctx context.Context, name string) error {
	if err := s.tx(ctx, func(q q) error {
		if _, err := lockGate(ctx, q, name); err != nil {
			return err
		}
		return setGate(ctx, q, name, rebuildGateRow{Token: "dead", Until: 1})
	}); err != nil {
		return err
	}
	return s.DropMarks(ctx, name)
}

// dumpTables reads every row of the tables as text, keys as what they stand for.
func (s *Store) dumpTables(ctx context.Context, d derivation, tables []string) (map[string]map[string]bool, error) {
	show := func(_, _ string, v any) any { return v }
	if kd, ok := d.(keyedResults); ok {
		var err error
		if show, err = kd.dumpValue(ctx, s); err != nil {
			return nil, err
		}
	}
	out := map[string]map[string]bool{}
	for _, table := range tables {
		rows, err := s.read().query(ctx, `SELECT * FROM `+table)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		set := map[string]bool{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			var b strings.Builder
			for i, v := range vals {
				if b2, ok := v.([]byte); ok {
					v = string(b2)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], show(table, cols[i], v))
			}
			set[b.String()] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out[table] = set
	}
	return out, nil
}

// DropMarks deletes derivation name's pending marks, as a write path whose trigger
// is missing would never have made them: the equivalence check must notice.
func (s *Store) DropMarks(ctx context.Context, name string) error {
	d, err := derivations[name].build(ctx, s, s.Now())
	if err != nil {
		return err
	}
	for _, m := range d.marks() {
		if _, err := s.writer().exec(ctx, `DELETE FROM `+m.table); err != nil {
			return err
		}
	}
	return nil
}
