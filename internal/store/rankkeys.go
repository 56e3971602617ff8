package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The ranking roll-ups store every subject name, account id and person id as an
// integer key from rank_keys (the rank_keys migration): at 1M items the roll-ups are tens of
// millions of rows, and text keys of ~45 bytes made SQLite's B-tree work for them
// what bounded a rebuild. The marked path works with names as before and translates
// at the tables; rankKeys is a sync transaction's view of the dictionary.

// rankKeys maps names to keys and back, for the keys one sync batch has seen.
type rankKeys struct {
	ids   map[string]int64
	names map[int64]string
}

func newRankKeys() *rankKeys {
	return &rankKeys{ids: map[string]int64{}, names: map[int64]string{}}
}

func (k *rankKeys) put(id int64, name string) { k.ids[name], k.names[id] = id, name }

// add makes sure every name has a key, creating those the dictionary lacks. New keys
// follow the largest one: syncs are serialised (rank_state's row lock on PostgreSQL,
// the one writer on SQLite) and a rebuild holds the rebuild gate, so no two allocate
// at once.
func (k *rankKeys) add(ctx context.Context, q q, names []string) error {
	var need []string
	seen := map[string]bool{}
	for _, n := range names {
		if _, ok := k.ids[n]; !ok && n != "" && !seen[n] {
			seen[n] = true
			need = append(need, n)
		}
	}
	if len(need) == 0 {
		return nil
	}
	if err := k.byName(ctx, q, need); err != nil {
		return fmt.Errorf("rank keys: %w", err)
	}
	var next int64
	var rows [][]any
	for _, n := range need {
		if _, ok := k.ids[n]; ok {
			continue
		}
		if next == 0 {
			if err := q.row(ctx, `SELECT COALESCE(MAX(id), 0) FROM rank_keys`).Scan(&next); err != nil {
				return fmt.Errorf("rank keys: %w", err)
			}
		}
		next++
		k.put(next, n)
		rows = append(rows, []any{next, n})
	}
	return wrapf(insertRows(ctx, q, "rank_keys", "id, name", rows), "rank keys")
}

// byName reads the keys of names that have one.
func (k *rankKeys) byName(ctx context.Context, q q, names []string) error {
	for len(names) > 0 {
		chunk := names[:min(len(names), 5000)]
		names = names[len(chunk):]
		in, args := placeholders(chunk)
		if err := k.read(ctx, q, `SELECT id, name FROM rank_keys WHERE name IN (`+in+`)`, args); err != nil {
			return fmt.Errorf("keys by name: %w", err)
		}
	}
	return nil
}

// resolve reads the names of keys not seen yet.
func (k *rankKeys) resolve(ctx context.Context, q q, ids []int64) error {
	var need []any
	seen := map[int64]bool{}
	for _, id := range ids {
		if _, ok := k.names[id]; !ok && id != 0 && !seen[id] {
			seen[id] = true
			need = append(need, id)
		}
	}
	for len(need) > 0 {
		chunk := need[:min(len(need), 5000)]
		need = need[len(chunk):]
		in := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
		if err := k.read(ctx, q, `SELECT id, name FROM rank_keys WHERE id IN (`+in+`)`, chunk); err != nil {
			return fmt.Errorf("resolve keys: %w", err)
		}
	}
	for _, id := range ids {
		if _, ok := k.names[id]; !ok && id != 0 {
			return fmt.Errorf("resolve keys: no name for key %d", id)
		}
	}
	return nil
}

func (k *rankKeys) read(ctx context.Context, q q, query string, args []any) error {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		k.put(id, name)
	}
	return rows.Err()
}

// id is the key of a name add or resolve has seen; "" (no account, no person) is 0.
func (k *rankKeys) id(name string) int64 {
	if name == "" {
		return 0
	}
	id, ok := k.ids[name]
	if !ok {
		panic("rank keys: no key for " + strconv.Quote(name)) // add was not called: a bug, not data
	}
	return id
}

// name is the name of a key resolve or add has seen; 0 is "".
func (k *rankKeys) name(id int64) string { return k.names[id] }

// joinKeys writes keys as rank_items.subjects stores them.
func joinKeys(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// splitKeys reads rank_items.subjects.
func splitKeys(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("rank_items subjects %q: %w", s, err)
		}
		out[i] = v
	}
	return out, nil
}
