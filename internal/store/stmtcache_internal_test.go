package store

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openSQLiteForTest(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "stmt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *stmtCache) has(query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[query]
	return ok
}

// TestStmtCacheKeepsRepeatedQueries: a query is prepared the second time it runs, in a
// write transaction, a read snapshot or directly on a pool; one-off and long IN lists
// are not kept.
func TestStmtCacheKeepsRepeatedQueries(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteForTest(t)
	const write = `UPDATE settings SET value = value WHERE key = ?`
	const read = `SELECT COUNT(*) FROM settings WHERE key = ?`
	long := `SELECT COUNT(*) FROM settings WHERE key IN (?` + strings.Repeat(", ?", stmtCacheMaxArgs) + `)`
	longArgs := make([]any, stmtCacheMaxArgs+1)
	for i := range longArgs {
		longArgs[i] = "k"
	}
	for i := range 2 {
		if s.w.c.has(write) || s.r.c.has(read) {
			t.Fatalf("run %d: prepared before its second run", i)
		}
		if err := s.tx(ctx, func(q q) error {
			_, err := q.exec(ctx, write, "x")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rq, end, err := s.readSnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := rq.row(ctx, read, "x").Scan(&n); err != nil {
			t.Fatal(err)
		}
		end()
		if err := s.read().row(ctx, long, longArgs...).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if !s.w.c.has(write) || !s.r.c.has(read) {
		t.Fatalf("not prepared after two runs: write %v, read %v", s.w.c.has(write), s.r.c.has(read))
	}
	if s.r.c.has(long) {
		t.Fatal("an IN list of more than stmtCacheMaxArgs placeholders was kept")
	}
	// The kept statements run inside transactions and give the same answers.
	if err := s.tx(ctx, func(q q) error {
		_, err := q.exec(ctx, write, "y")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestStmtCacheDoesNotWaitForItself: preparing takes a connection of the pool, so a
// transaction holding SQLite's only writer, or readers holding every read connection,
// must not prepare while they hold it. Before the fix this hung.
func TestStmtCacheDoesNotWaitForItself(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openSQLiteForTest(t)
	var wg sync.WaitGroup
	errc := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 5 {
				query := `SELECT COUNT(*) FROM settings WHERE key <> ?` + strings.Repeat(" ", (g+i)%3)
				rq, end, err := s.readSnapshot(ctx)
				if err != nil {
					errc <- err
					return
				}
				var n int
				err = rq.row(ctx, query, "x").Scan(&n)
				end()
				if err != nil {
					errc <- err
					return
				}
				if err := s.tx(ctx, func(q q) error {
					_, err := q.exec(ctx, `UPDATE settings SET value = value WHERE key = ?`+strings.Repeat(" ", i%3), "x")
					return err
				}); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}
