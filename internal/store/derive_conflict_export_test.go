package store

import (
	"context"
	"database/sql"
)

// MarkTx is a write transaction that marks accounts dirty for health one at a time,
// as a multi-account writer (a group of captures) does through its triggers: a test's
// way to hold mark locks in an order of its choosing.
type MarkTx struct{ tx *sql.Tx }

// BeginMarks opens a write transaction on the writer pool. Its deadlock_timeout is a
// minute, so in a deadlock with it PostgreSQL's check (which aborts the transaction
// that runs it) fires in the other transaction, after that one's default second: the
// test decides who the victim is, whatever the machine's load.
func (s *Store) BeginMarks(ctx context.Context) (*MarkTx, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := (q{tx, postgres{}}).exec(ctx, `SET LOCAL deadlock_timeout = '60s'`); err != nil {
		tx.Rollback()
		return nil, err
	}
	return &MarkTx{tx}, nil
}

// Mark marks one account dirty for health, as the health triggers do.
func (m *MarkTx) Mark(ctx context.Context, accountID string) error {
	_, err := q{m.tx, postgres{}}.exec(ctx, `SELECT health_mark(?)`, accountID)
	return err
}

func (m *MarkTx) Commit() error   { return m.tx.Commit() }
func (m *MarkTx) Rollback() error { return m.tx.Rollback() }

// LockWaits counts PostgreSQL backends of this database waiting for a lock while
// running a statement LIKE pattern.
func (s *Store) LockWaits(ctx context.Context, pattern string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?`), pattern).Scan(&n)
	return n, err
}
