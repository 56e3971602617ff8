// Package storetest gives each test a fresh, migrated database of each dialect: a new
// SQLite file in the test's temp dir, and a new schema in the PostgreSQL database named
// by CLOSELOOP_TEST_POSTGRES_URL (default: the local server's "test" database).
//
// When PostgreSQL cannot be reached the PostgreSQL half is skipped on a laptop, but
// fails when CI=true: CI must never pass on SQLite alone.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// DefaultPostgresURL is used when CLOSELOOP_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects are the databases every store test runs against.
var Dialects = []string{"sqlite", "postgres"}

// PostgresURL returns the base URL for test databases.
func PostgresURL() string {
	if v := os.Getenv("CLOSELOOP_TEST_POSTGRES_URL"); v != "" {
		return v
	}
	return DefaultPostgresURL
}

var (
	pgOnce sync.Once
	pgErr  error
)

func postgresReachable() error {
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		pgErr = db.Ping()
	})
	return pgErr
}

// RequirePostgres skips (or, under CI=true, fails) a test when PostgreSQL is missing.
func RequirePostgres(t testing.TB) {
	t.Helper()
	if err := postgresReachable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI but unreachable at %s: %v", PostgresURL(), err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set CLOSELOOP_TEST_POSTGRES_URL", err)
	}
}

// DSN returns a connection string for a fresh, empty database of the dialect, removed
// when the test ends.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case "postgres":
		RequirePostgres(t)
		b := make([]byte, 6)
		rand.Read(b)
		schema := "t_" + hex.EncodeToString(b)
		admin, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			admin.Close()
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		})
		u, err := url.Parse(PostgresURL())
		if err != nil {
			t.Fatal(err)
		}
		qv := u.Query()
		qv.Set("search_path", schema)
		u.RawQuery = qv.Encode()
		return u.String()
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

// Open returns a fresh migrated store of the dialect, closed when the test ends.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	return OpenMigrated(t, DSN(t, dialect))
}

// OpenMigrated opens a store on dsn as OpenDSN does and applies every migration.
func OpenMigrated(t testing.TB, dsn string) *store.Store {
	t.Helper()
	s := OpenDSN(t, dsn)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// OpenEmpty returns a store of the dialect on a fresh database with no migration
// applied, closed when the test ends.
func OpenEmpty(t testing.TB, dialect string) *store.Store {
	t.Helper()
	return OpenDSN(t, DSN(t, dialect))
}

// OpenDSN opens a store on dsn, a database the test made (DSN) or shares with the
// binary it runs, closed when the test ends; it migrates nothing.
func OpenDSN(t testing.TB, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Each runs fn as a subtest on a fresh store of every dialect.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	EachDialect(t, func(t *testing.T, dialect string) {
		fn(t, Open(t, dialect))
	})
}

// EachDialect runs fn as a subtest per dialect, for tests that open their databases
// themselves: an unmigrated one, or two stores on one database.
func EachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// EachDialectB is EachDialect for a benchmark.
func EachDialectB(b *testing.B, fn func(b *testing.B, dialect string)) {
	b.Helper()
	for _, d := range Dialects {
		b.Run(d, func(b *testing.B) { fn(b, d) })
	}
}

// EachAt is Each with the store's clock standing at start: the test moves it with
// clock.Add, AddDate or Set, and every time the store reads (s.Now) is the clock's.
func EachAt(t *testing.T, start time.Time, fn func(t *testing.T, s *store.Store, clock *clocktest.Clock)) {
	t.Helper()
	Each(t, func(t *testing.T, s *store.Store) {
		clock := clocktest.New(start)
		s.Now = clock.Now
		fn(t, s, clock)
	})
}

// Must fails the test at once when a set-up step fails (creating the account,
// linking the request): a fixture that was not made would only make a later
// assertion fail for the wrong reason, or pass for one.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("set-up: %v", err)
	}
}

// Members creates each team member, failing the test if one cannot be made.
func Members(t testing.TB, s *store.Store, ms ...*auth.Member) {
	t.Helper()
	for _, m := range ms {
		Must(t, s.CreateMember(context.Background(), m))
	}
}

// Accounts creates each account, failing the test if one cannot be made.
func Accounts(t testing.TB, s *store.Store, as ...*account.Account) {
	t.Helper()
	for _, a := range as {
		Must(t, s.CreateAccount(context.Background(), a))
	}
}

// Account creates a, failing the test if it cannot be made, and returns it as stored
// (with its id and timestamps).
func Account(t testing.TB, s *store.Store, a account.Account) account.Account {
	t.Helper()
	Accounts(t, s, &a)
	return a
}

// Tag creates tg, failing the test if it cannot be made, and returns it with its id.
func Tag(t testing.TB, s *store.Store, tg store.Tag) store.Tag {
	t.Helper()
	Must(t, s.CreateTag(context.Background(), &tg))
	return tg
}

// Request creates r, failing the test if it cannot be made, and returns it with its id.
func Request(t testing.TB, s *store.Store, r feedback.Request) feedback.Request {
	t.Helper()
	Must(t, s.CreateRequest(context.Background(), &r))
	return r
}

// Tags returns a maker of tags in s: mk(name, parentID) creates one, failing the test
// if it cannot, and returns its id.
func Tags(t testing.TB, s *store.Store) func(name, parentID string) string {
	return func(name, parentID string) string {
		t.Helper()
		tg := store.Tag{Name: name, ParentID: parentID}
		Must(t, s.CreateTag(context.Background(), &tg))
		return tg.ID
	}
}

// Capture records the feedback c, failing the test if it cannot, and returns the item.
func Capture(t testing.TB, s *store.Store, c feedback.Capture) feedback.Item {
	t.Helper()
	it, _, err := s.Capture(context.Background(), c)
	Must(t, err)
	return it
}
