package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// keyedResults is a derivation whose result tables hold dictionary keys, which a sync
// and a rebuild number differently: dumps compare what the keys stand for.
type keyedResults interface {
	// dumpValue returns how to show column col of table in a dump, read now.
	dumpValue(ctx context.Context, s *Store) (func(table, col string, v any) any, error)
}

func (d *rankDerivation) dumpValue(ctx context.Context, s *Store) (func(table, col string, v any) any, error) {
	keys := newRankKeys()
	if err := keys.read(ctx, s.read(), `SELECT id, name FROM rank_keys`, nil); err != nil {
		return nil, err
	}
	name := func(v any) any {
		id, ok := v.(int64)
		if !ok {
			return fmt.Sprintf("not a key: %v", v)
		}
		if id == 0 {
			return ""
		}
		if n, ok := keys.names[id]; ok {
			return n
		}
		return fmt.Sprintf("key %d with no name", id)
	}
	return func(table, col string, v any) any {
		switch {
		case col == "subject" || col == "account" || col == "person":
			return name(v)
		case table == "rank_items" && col == "subjects":
			ids, err := splitKeys(fmt.Sprint(v))
			if err != nil {
				return err.Error()
			}
			names := make([]string, len(ids))
			for i, id := range ids {
				names[i] = fmt.Sprint(name(id))
			}
			slices.Sort(names)
			return strings.Join(names, ",")
		}
		return v
	}, nil
}

// MigrateBefore applies only the migrations numbered below the one whose file is
// named NNNN_name.…, as a database made by an older release has them; Migrate applies
// the rest later.
func (s *Store) MigrateBefore(ctx context.Context, name string) error {
	all, err := s.migrations()
	if err != nil {
		return err
	}
	version := 0
	for _, m := range all {
		if strings.HasPrefix(m.name[min(len(m.name), 5):], name+".") {
			version = m.version
		}
	}
	if version == 0 {
		return fmt.Errorf("no migration named %q", name)
	}
	w := s.writer()
	if _, err := w.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	// The later ones recorded as applied so that Migrate skips them, then forgotten.
	for _, m := range all {
		if m.version >= version {
			if _, err := w.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'later', 0)`, m.version); err != nil {
				return err
			}
		}
	}
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	_, err = w.exec(ctx, `DELETE FROM schema_migrations WHERE version >= ?`, version)
	return err
}

// ExecRaw runs a statement on the writer, for a test that sets up what an older
// release left behind.
func (s *Store) ExecRaw(ctx context.Context, query string, args ...any) error {
	_, err := s.writer().exec(ctx, query, args...)
	return err
}
