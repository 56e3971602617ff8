package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The schema-parity test migrates a fresh SQLite and a fresh PostgreSQL database and
// requires them to end with the same tables, columns and indexes, so a migration that
// changes one dialect only (the .sqlite.sql / .postgres.sql pairs) cannot slip through.
//
// What is compared, per table (and view):
//   - columns by name: a loosely normalised type (int, bigint, text, bool, real, blob;
//     see normType) and nullability. Column order and defaults are not compared.
//   - the primary key's columns, in order.
//   - indexes by name: table, columns in order ("<expr>" for an expression), unique,
//     partial (has a WHERE). Expression texts and WHERE clauses are not compared.
//   - unique constraints by table and columns: SQLite names them sqlite_autoindex_T_N
//     and PostgreSQL T_col_key, so only their columns can match.
//
// Left out on purpose, as dialect-specific by nature:
//   - triggers and (PostgreSQL) trigger functions: the rank roll-up triggers of
//     migrations 0005 and 0007 are written twice, once per dialect's trigger language;
//     TestRankRollupsMatchRawEvidence is what proves the two behave alike.
//   - SQLite's own tables (sqlite_*: sqlite_sequence, sqlite_stat1, …).
//   - WITHOUT ROWID (SQLite storage only) and PostgreSQL's implicit NOT NULL on
//     primary-key columns: a SQLite rowid table's TEXT PRIMARY KEY column admits NULL,
//     PostgreSQL's does not; primary-key columns are counted NOT NULL on both.
//
// Known, accepted differences between the dialects' schemas go in schemaExceptions
// with the reason.
var schemaExceptions = map[string]string{
	// "table.column": "why it differs on purpose",
	"usage_seen.seq": "SQLite's rowid alias must be spelled INTEGER PRIMARY KEY (64-bit there); PostgreSQL's is BIGINT",
}

func TestSchemaParity(t *testing.T) {
	ctx := context.Background()
	lite := migratedSchema(t, "sqlite")
	pg := migratedSchema(t, "postgres")
	ls := lite.read(t)
	if diff := diffSchemas(ls, pg.read(t)); len(diff) > 0 {
		t.Fatalf("the migrated schemas differ (SQLite vs PostgreSQL); fix the migration pair or list the difference in schemaExceptions:\n  %s",
			strings.Join(diff, "\n  "))
	}
	ncol := 0
	for _, tb := range ls.tables {
		ncol += len(tb.columns)
	}
	t.Logf("both dialects: %d tables, %d columns, %d indexes", len(ls.tables), ncol, len(ls.indexes))

	// The comparison itself must notice a column added on one dialect only, an index
	// on different columns, and a nullability change.
	for _, stmt := range []string{
		`ALTER TABLE settings ADD COLUMN parity_probe TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX parity_probe_idx ON settings(updated_at)`,
	} {
		if _, err := lite.db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pg.db.ExecContext(ctx, `CREATE INDEX parity_probe_idx ON settings(value)`); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.db.ExecContext(ctx, `ALTER TABLE settings ALTER COLUMN value DROP NOT NULL`); err != nil {
		t.Fatal(err)
	}
	diff := strings.Join(diffSchemas(lite.read(t), pg.read(t)), "\n")
	for _, want := range []string{"settings.parity_probe: column only on sqlite", "index parity_probe_idx", "settings.value: sqlite text NOT NULL, postgres text NULL"} {
		if !strings.Contains(diff, want) {
			t.Errorf("a deliberate difference went unnoticed: no %q in\n%s", want, diff)
		}
	}
}

// schemaDB is a migrated database of one dialect, open for reading its catalogue.
type schemaDB struct {
	dialect string
	db      *sql.DB
}

func migratedSchema(t *testing.T, dialect string) schemaDB {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, dialect)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	driver := "pgx"
	if dialect == "sqlite" {
		driver, dsn = "sqlite", strings.TrimPrefix(dsn, "sqlite:")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one session: the search_path and the probes below stay on it
	t.Cleanup(func() { db.Close() })
	return schemaDB{dialect, db}
}

type column struct {
	typ     string
	notNull bool
}

type index struct {
	table   string
	columns string
	unique  bool
	partial bool
}

type table struct {
	kind    string // table or view
	columns map[string]column
	pk      string
	uniques []string // unique constraints, as "col,col", sorted
}

type schema struct {
	tables  map[string]*table
	indexes map[string]index
}

func (d schemaDB) read(t *testing.T) schema {
	t.Helper()
	var sc schema
	var err error
	if d.dialect == "sqlite" {
		sc, err = readSQLite(d.db)
	} else {
		sc, err = readPostgres(d.db)
	}
	if err != nil {
		t.Fatalf("%s catalogue: %v", d.dialect, err)
	}
	for _, tb := range sc.tables {
		sort.Strings(tb.uniques)
	}
	return sc
}

func readSQLite(db *sql.DB) (schema, error) {
	sc := schema{tables: map[string]*table{}, indexes: map[string]index{}}
	names, err := strings2(db, `SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return sc, err
	}
	for _, n := range names {
		tb := &table{kind: n[1], columns: map[string]column{}}
		sc.tables[n[0]] = tb
		rows, err := db.Query(`SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, n[0])
		if err != nil {
			return sc, err
		}
		var pk []string
		pkPos := map[string]int{}
		for rows.Next() {
			var name, typ string
			var notNull bool
			var pos int
			if err := rows.Scan(&name, &typ, &notNull, &pos); err != nil {
				rows.Close()
				return sc, err
			}
			if pos > 0 {
				pk = append(pk, name)
				pkPos[name] = pos
				notNull = true // see the note on primary keys above
			}
			tb.columns[name] = column{normType(typ), notNull}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sc, err
		}
		sort.Slice(pk, func(i, j int) bool { return pkPos[pk[i]] < pkPos[pk[j]] })
		tb.pk = strings.Join(pk, ",")

		idx, err := strings2(db, `SELECT name, origin || ':' || "unique" || ':' || partial FROM pragma_index_list(?)`, n[0])
		if err != nil {
			return sc, err
		}
		for _, ix := range idx {
			f := strings.Split(ix[1], ":")
			if f[0] == "pk" {
				continue
			}
			cols, err := strings2(db, `SELECT COALESCE(name, '<expr>'), '' FROM pragma_index_info(?) ORDER BY seqno`, ix[0])
			if err != nil {
				return sc, err
			}
			var cs []string
			for _, c := range cols {
				cs = append(cs, c[0])
			}
			if f[0] == "u" {
				tb.uniques = append(tb.uniques, strings.Join(cs, ","))
				continue
			}
			sc.indexes[ix[0]] = index{table: n[0], columns: strings.Join(cs, ","), unique: f[1] == "1", partial: f[2] == "1"}
		}
	}
	return sc, nil
}

func readPostgres(db *sql.DB) (schema, error) {
	sc := schema{tables: map[string]*table{}, indexes: map[string]index{}}
	names, err := strings2(db, `SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END
		FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		return sc, err
	}
	for _, n := range names {
		sc.tables[n[0]] = &table{kind: n[1], columns: map[string]column{}}
	}
	rows, err := db.Query(`SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return sc, err
	}
	defer rows.Close()
	for rows.Next() {
		var tbl, name, typ string
		var notNull bool
		if err := rows.Scan(&tbl, &name, &typ, &notNull); err != nil {
			return sc, err
		}
		if tb := sc.tables[tbl]; tb != nil {
			tb.columns[name] = column{normType(typ), notNull}
		}
	}
	if err := rows.Err(); err != nil {
		return sc, err
	}
	// Every index of the schema's tables, with its key columns in order (0 is an
	// expression) and whether a PRIMARY KEY or UNIQUE constraint owns it.
	idx, err := db.Query(`SELECT t.relname, i.relname, ix.indisunique, ix.indpred IS NOT NULL,
			COALESCE((SELECT c.contype::text FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u')), ''),
			(SELECT string_agg(COALESCE(a.attname, '<expr>'), ',' ORDER BY k.n)
				FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
				LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum)
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE ns.nspname = current_schema()`)
	if err != nil {
		return sc, err
	}
	defer idx.Close()
	for idx.Next() {
		var tbl, name, constraint, cols string
		var unique, partial bool
		if err := idx.Scan(&tbl, &name, &unique, &partial, &constraint, &cols); err != nil {
			return sc, err
		}
		tb := sc.tables[tbl]
		if tb == nil {
			continue
		}
		switch constraint {
		case "p":
			tb.pk = cols
		case "u":
			tb.uniques = append(tb.uniques, cols)
		default:
			sc.indexes[name] = index{table: tbl, columns: cols, unique: unique, partial: partial}
		}
	}
	return sc, idx.Err()
}

// strings2 runs a query of two text columns.
func strings2(db *sql.DB, query string, args ...any) ([][2]string, error) {
	rows, err := db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var r [2]string
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// normType maps a declared SQLite type or a PostgreSQL data_type to one word. Widths
// are kept apart (INTEGER is int4 on PostgreSQL, so a counter declared INTEGER on one
// side and BIGINT on the other would overflow on one dialect only).
func normType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "int", "integer", "int4", "mediumint":
		return "int"
	case "bigint", "int8":
		return "bigint"
	case "smallint", "int2", "tinyint":
		return "smallint"
	case "text", "varchar", "character varying", "char", "character", "clob":
		return "text"
	case "boolean", "bool":
		return "bool"
	case "real", "double", "double precision", "float", "float8", "float4", "numeric", "decimal":
		return "real"
	case "blob", "bytea", "":
		return "blob"
	}
	return t
}

// diffSchemas lists every difference, one line each, sorted, skipping schemaExceptions.
func diffSchemas(lite, pg schema) []string {
	var out []string
	add := func(key, format string, args ...any) {
		if _, ok := schemaExceptions[key]; !ok {
			out = append(out, key+": "+fmt.Sprintf(format, args...))
		}
	}
	for _, name := range union(lite.tables, pg.tables) {
		l, p := lite.tables[name], pg.tables[name]
		switch {
		case p == nil:
			add(name, "%s only on sqlite", l.kind)
			continue
		case l == nil:
			add(name, "%s only on postgres", p.kind)
			continue
		}
		if l.kind != p.kind {
			add(name, "a %s on sqlite, a %s on postgres", l.kind, p.kind)
		}
		for _, c := range union(l.columns, p.columns) {
			lc, lok := l.columns[c]
			pc, pok := p.columns[c]
			switch {
			case !pok:
				add(name+"."+c, "column only on sqlite (%s)", lc)
			case !lok:
				add(name+"."+c, "column only on postgres (%s)", pc)
			case lc != pc:
				add(name+"."+c, "sqlite %s, postgres %s", lc, pc)
			}
		}
		if l.pk != p.pk {
			add(name, "primary key (%s) on sqlite, (%s) on postgres", l.pk, p.pk)
		}
		if !slices.Equal(l.uniques, p.uniques) {
			add(name, "unique constraints %v on sqlite, %v on postgres", l.uniques, p.uniques)
		}
	}
	for _, name := range union(lite.indexes, pg.indexes) {
		l, lok := lite.indexes[name]
		p, pok := pg.indexes[name]
		switch {
		case !pok:
			add("index "+name, "only on sqlite (%s)", l)
		case !lok:
			add("index "+name, "only on postgres (%s)", p)
		case l != p:
			add("index "+name, "sqlite %s, postgres %s", l, p)
		}
	}
	sort.Strings(out)
	return out
}

func (c column) String() string {
	if c.notNull {
		return c.typ + " NOT NULL"
	}
	return c.typ + " NULL"
}

func (ix index) String() string {
	s := ix.table + "(" + ix.columns + ")"
	if ix.unique {
		s = "unique " + s
	}
	if ix.partial {
		s += " partial"
	}
	return s
}

func union[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
