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
	"reflect"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/closeloop/closeloop/internal/errs"
)

// ErrNotFound is returned when a record does not exist: an *errs.NotFoundError, so the
// router answers 404 without knowing the store.
var ErrNotFound error = &errs.NotFoundError{}

// ErrConflict is returned when a unique value (email, external id) is taken.
var ErrConflict = errors.New("already exists")

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	d   dialect
	w   pool // writes; on SQLite a single connection, so writers queue instead of failing
	r   pool // reads; on SQLite a pool of read-only connections, on PostgreSQL the same pool as w
	dsn string
	Now func() time.Time
	// Tiers are the configured account tiers, most important first.
	Tiers []string
	cg    captureGroup // group commit of captures (capture_group.go)
	seen  *seenIDs     // SQLite: usage de-duplication (usage_seen.go); nil on PostgreSQL
}

// Open connects to dsn: "postgres://…" for PostgreSQL, "sqlite:PATH" or a bare path
// for SQLite (the file and its folder are created when missing).
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{dsn: dsn, Now: func() time.Time { return time.Now().UTC() }, Tiers: []string{"strategic", "important", "standard"}}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		s.d = postgres{}
		s.w.DB, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
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
		s.seen = newSeenIDs()
		// busy_timeout first so that every later pragma waits instead of failing.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
		u := "file:" + url.PathEscape(path) + "?" + pragmas
		// The one writer gets a 64 MB page cache (SQLite's default is 2 MB): roll-up
		// batches touch index pages all over their tables, and re-reading them through
		// the OS was half of a rebuild's time.
		s.w.DB, err = sql.Open("sqlite", u+"&_txlock=immediate&_pragma=cache_size(-65536)")
		if err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
		s.w.SetMaxOpenConns(1)
		s.r.DB, err = sql.Open("sqlite", u+"&_pragma=query_only(ON)")
		if err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
		// Every read connection stays open: database/sql keeps 2 idle by default, so
		// under load it closed and reopened the others all the time, and opening one
		// parses the whole schema (19% of the CPU under bench load).
		s.r.SetMaxOpenConns(8)
		s.r.SetMaxIdleConns(8)
		s.w.c, s.r.c = newStmtCache(s.w.DB), newStmtCache(s.r.DB)
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
	return wrapf(err, "store: close")
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Ping checks both pools answer; used by /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return wrapf(s.r.PingContext(ctx), "store: ping")
}

// NUL characters. U+0000 is never meaningful in customer text, PostgreSQL refuses it
// in TEXT ("invalid byte sequence for encoding UTF8: 0x00") and SQLite would store
// it, so the store drops it from every string argument of every query on both
// dialects: an API write, a search, a sign-in or a signed webhook delivery carrying
// one succeeds, and stores and matches the text without it. This happens at the two
// doors to the database only: q (every query written with ? placeholders, in or out
// of a transaction) and pool (the one-statement writes that call s.w directly). The
// store keeps no binary data in strings (hashes and tokens are hex or base64), and
// webhook signatures are checked on the raw body before anything reaches the store.

// withoutNUL returns args with U+0000 removed from every string argument, including
// named string types and *string. args itself is copied only when something changes.
func withoutNUL(args []any) []any {
	var out []any
	for i, a := range args {
		var v string
		switch x := a.(type) {
		case string:
			v = x
		case *string:
			if x == nil {
				continue
			}
			v = *x
		case nil, int, int64, bool, float64, []byte, time.Time:
			continue
		default:
			rv := reflect.ValueOf(a)
			if rv.Kind() != reflect.String {
				continue
			}
			v = rv.String()
		}
		if strings.IndexByte(v, 0) < 0 {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = dropNUL(v)
	}
	if out == nil {
		return args
	}
	return out
}

// dropNUL is v without U+0000: the one rule, for arguments and for values the store
// passes inside an argument (the JSON array of usage_dedup's ids).
func dropNUL(v string) string {
	if strings.IndexByte(v, 0) < 0 {
		return v
	}
	return strings.ReplaceAll(v, "\x00", "")
}

// pool is a *sql.DB whose direct queries drop NULs from their arguments like q's and,
// on SQLite, run through prepared statements (stmtcache.go).
type pool struct {
	*sql.DB
	c *stmtCache // nil on PostgreSQL
}

func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if prepared := p.c.get(ctx, query); prepared != nil {
		return prepared.ExecContext(ctx, withoutNUL(args)...)
	}
	return p.DB.ExecContext(ctx, query, withoutNUL(args)...)
}

func (p pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if prepared := p.c.get(ctx, query); prepared != nil {
		return prepared.QueryContext(ctx, withoutNUL(args)...)
	}
	return p.DB.QueryContext(ctx, query, withoutNUL(args)...)
}

func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if prepared := p.c.get(ctx, query); prepared != nil {
		return prepared.QueryRowContext(ctx, withoutNUL(args)...)
	}
	return p.DB.QueryRowContext(ctx, query, withoutNUL(args)...)
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
	return q.ex.ExecContext(ctx, q.d.rebind(query), withoutNUL(args)...)
}

func (q q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.ex.QueryContext(ctx, q.d.rebind(query), withoutNUL(args)...)
}

func (q q) row(ctx context.Context, query string, args ...any) *sql.Row {
	return q.ex.QueryRowContext(ctx, q.d.rebind(query), withoutNUL(args)...)
}

func (s *Store) read() q { return q{s.r, s.d} }

// writer runs single statements on the write pool, outside a transaction.
func (s *Store) writer() q { return q{s.w, s.d} }

// tx runs fn in one write transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(q) error) (err error) {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	var ex execer = t
	var noted []string
	if s.w.c != nil {
		ex = cachedTx{t, s.w.c, &noted}
	}
	defer func() {
		p := recover()
		if p != nil || err != nil {
			t.Rollback()
		}
		// Only now is the writer's connection free to prepare on.
		if len(noted) > 0 && p == nil {
			s.w.c.prepareAll(ctx, noted)
		}
		if p != nil {
			panic(p)
		}
	}()
	if err = fn(q{ex, s.d}); err != nil {
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
