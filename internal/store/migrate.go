package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

//go:embed migrations/*.sql migrations/*.sql.tmpl
var migrationFS embed.FS

// Migrations are numbered files NNNN_name.sql; NNNN_name.sqlite.sql or
// NNNN_name.postgres.sql replace the common file for one dialect where they must differ.
// NNNN_name.sql.tmpl is one source for both that differs in words: it is rendered with
// text/template for each dialect, with .SQLite or .Postgres true ({{if .Postgres}}…
// {{else}}…{{end}}), so what the dialects share is written once.
var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+?(?:\.(sqlite|postgres))?\.sql(\.tmpl)?$`)

// renderMigration renders a .sql.tmpl migration for the dialect.
func renderMigration(name, src, dialect string) (string, error) {
	t, err := template.New(name).Parse(src)
	if err != nil {
		return "", fmt.Errorf("store: migration %s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, struct{ SQLite, Postgres bool }{dialect == "sqlite", dialect == "postgres"}); err != nil {
		return "", fmt.Errorf("store: migration %s: %w", name, err)
	}
	return b.String(), nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func (s *Store) migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	common := map[int]migration{}
	specific := map[int]migration{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_name[.dialect].sql or NNNN_name.sql.tmpl", e.Name())
		}
		if m[2] != "" && m[3] != "" {
			return nil, fmt.Errorf("store: migration file %q: a template is one source for both dialects, so it names none", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		mg := migration{version: v, name: e.Name(), sql: string(body)}
		if m[3] != "" {
			if mg.sql, err = renderMigration(e.Name(), mg.sql, s.d.name()); err != nil {
				return nil, fmt.Errorf("migrations: %w", err)
			}
		}
		switch m[2] {
		case "":
			common[v] = mg
		case s.d.name():
			specific[v] = mg
		default:
			if _, ok := common[v]; !ok { // keep the version known so gaps are not reported
				common[v] = migration{version: v}
			}
		}
	}
	for v, m := range specific {
		common[v] = m
	}
	var out []migration
	for _, m := range common {
		if m.sql == "" {
			return nil, fmt.Errorf("store: migration %04d has no file for %s", m.version, s.d.name())
		}
		out = append(out, m)
	}
	// Versions are applied as a set, so a gap (two branches numbering in parallel) is
	// harmless at run time; TestMigrationsHaveNoGaps keeps the shipped set contiguous.
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate applies every migration not yet applied, each in its own transaction.
// It returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	all, err := s.migrations()
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	// Lock on a dedicated connection so the advisory lock and unlock share a session.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	cq := q{conn, s.d}
	unlock, err := s.d.lockMigrations(ctx, cq)
	if err != nil {
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	defer unlock()
	if _, err := cq.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: schema_migrations: %w", err)
	}
	done := map[int]bool{}
	err = each(ctx, cq, func(sc scanner) error {
		v, err := one[int](sc)
		done[v] = true
		return err
	}, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var applied []int
	for _, m := range all {
		if done[m.version] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("store: migrate: %w", err)
		}
		tq := q{tx, s.d}
		if _, err := tq.exec(ctx, m.sql); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		if _, err := tq.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, ms(s.Now())); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("store: migrate: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}

// Pending reports how many migrations are not yet applied; /readyz uses it.
func (s *Store) Pending(ctx context.Context) (int, error) {
	all, err := s.migrations()
	if err != nil {
		return 0, fmt.Errorf("store: pending: %w", err)
	}
	var n int
	if err := s.read().row(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return len(all), nil // table missing: nothing applied
	}
	return len(all) - n, nil
}
