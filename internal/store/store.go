// Package store is the only package that speaks SQL. One SQL source serves SQLite
// and PostgreSQL: queries are written in the common subset with ? placeholders and
// rebound once for PostgreSQL; the few real differences sit behind dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique value (email, external id) is taken.
var ErrConflict = errors.New("already exists")

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	d   dialect
	w   *sql.DB // writes; on SQLite a single connection, so writers queue instead of failing
	r   *sql.DB // reads; on SQLite a pool of read-only connections, on PostgreSQL the same pool as w
	dsn string
	Now func() time.Time
	// Tiers are the configured account tiers, most important first.
	Tiers []string
}

// Open connects to dsn: "postgres://…" for PostgreSQL, "sqlite:PATH" or a bare path
// for SQLite (the file and its folder are created when missing).
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{dsn: dsn, Now: func() time.Time { return time.Now().UTC() }, Tiers: []string{"strategic", "important", "standard"}}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		s.d = postgres{}
		s.w, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		s.w.SetMaxOpenConns(20)
		s.w.SetMaxIdleConns(10)
		s.w.SetConnMaxIdleTime(5 * time.Minute)
		s.r = s.w
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			return nil, errors.New("store: empty SQLite path")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: data dir: %w", err)
		}
		s.d = sqlite{}
		// busy_timeout first so that every later pragma waits instead of failing.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
		u := "file:" + url.PathEscape(path) + "?" + pragmas
		s.w, err = sql.Open("sqlite", u+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		s.w.SetMaxOpenConns(1)
		s.r, err = sql.Open("sqlite", u+"&_pragma=query_only(ON)")
		if err != nil {
			return nil, err
		}
		s.r.SetMaxOpenConns(8)
	}
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return s, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		if e := s.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Ping checks both pools answer; used by /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	return s.r.PingContext(ctx)
}

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// q runs queries written with ? placeholders on either dialect.
type q struct {
	ex execer
	d  dialect
}

func (q q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.ex.ExecContext(ctx, q.d.rebind(query), args...)
}

func (q q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.ex.QueryContext(ctx, q.d.rebind(query), args...)
}

func (q q) row(ctx context.Context, query string, args ...any) *sql.Row {
	return q.ex.QueryRowContext(ctx, q.d.rebind(query), args...)
}

func (s *Store) read() q { return q{s.r, s.d} }

// tx runs fn in one write transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(q) error) (err error) {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			t.Rollback()
			panic(p)
		}
		if err != nil {
			t.Rollback()
		}
	}()
	if err = fn(q{t, s.d}); err != nil {
		return err
	}
	return t.Commit()
}

// ms and fromMS store times as Unix milliseconds UTC: one portable, sortable column
// type on both dialects.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// nullable turns "" into SQL NULL, for optional foreign keys.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// likePattern escapes a user's search text for LIKE … ESCAPE '\'.
func likePattern(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	return "%" + s + "%"
}
