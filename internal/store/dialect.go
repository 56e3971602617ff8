package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the handful of places where SQLite and PostgreSQL differ. Everything
// else is one SQL source.
type dialect interface {
	name() string
	rebind(query string) string
	// isUnique reports whether err is a unique-constraint violation.
	isUnique(err error) bool
	// isConflict reports whether err is a transaction the database aborted to break a
	// deadlock or a serialisation conflict: nothing of it was kept, and running it
	// again once the other transaction is done succeeds.
	isConflict(err error) bool
	// forUpdate is the row-lock suffix for SELECTs inside write transactions.
	forUpdate() string
	// lockMigrations serialises migrations across app instances.
	lockMigrations(ctx context.Context, q q) (unlock func(), err error)
	// snapshot is the options for a read transaction that sees one consistent state.
	snapshot() *sql.TxOptions
}

type sqlite struct{}

func (sqlite) name() string               { return "sqlite" }
func (sqlite) rebind(query string) string { return query }
func (sqlite) isUnique(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// SQLite write transactions are BEGIN IMMEDIATE on one connection: already serialised.
func (sqlite) forUpdate() string { return "" }

// One writer connection: SQLite write transactions cannot deadlock each other.
func (sqlite) isConflict(error) bool { return false }

// A SQLite read transaction in WAL mode already reads one snapshot.
func (sqlite) snapshot() *sql.TxOptions { return nil }

// SQLite has one writer connection: migrations are already serialised.
func (sqlite) lockMigrations(context.Context, q) (func(), error) { return func() {}, nil }

type postgres struct{}

func (postgres) name() string { return "postgres" }

// rebind turns ? into $1, $2 … Our queries never hold a literal ? in a string.
func (postgres) rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (postgres) forUpdate() string { return " FOR UPDATE" }

func (postgres) snapshot() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}

func (postgres) isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// 40P01 deadlock_detected, 40001 serialization_failure.
func (postgres) isConflict(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

// A session-level advisory lock keeps two instances from migrating at once.
const migrationLockKey = 7428190331

func (postgres) lockMigrations(ctx context.Context, q q) (func(), error) {
	if _, err := q.exec(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	return func() { q.exec(context.Background(), "SELECT pg_advisory_unlock(?)", migrationLockKey) }, nil
}
