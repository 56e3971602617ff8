package main_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// rankBacklog gives a test the ranking marks of a database made by the binary: mark
// adds up to n units (migration 0029's own statement, which an upgrade runs for every
// unit) and returns how many are marked; mark(0) only counts.
func rankBacklog(t *testing.T, dialect, dsn string) (mark func(n int) int) {
	// A running server may hold SQLite's write lock: wait for it as the store does.
	driver, src := "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(10000)"
	if dialect == "postgres" {
		driver, src = "pgx", dsn
	}
	db, err := sql.Open(driver, src)
	storetest.Must(t, err)
	t.Cleanup(func() { db.Close() })
	return func(n int) int {
		t.Helper()
		if n == 0 { // only count: no write to wait for
			var marked int
			storetest.Must(t, db.QueryRow(`SELECT COUNT(*) FROM rank_dirty`).Scan(&marked))
			return marked
		}
		_, err := db.ExecContext(context.Background(), `INSERT INTO rank_dirty (unit)
			SELECT feedback_id FROM (SELECT feedback_id FROM feedback_tags UNION SELECT feedback_id FROM request_links) u
			ORDER BY feedback_id LIMIT `+strconv.Itoa(n)+` ON CONFLICT (unit) DO NOTHING`)
		storetest.Must(t, err)
		var marked int
		storetest.Must(t, db.QueryRow(`SELECT COUNT(*) FROM rank_dirty`).Scan(&marked))
		return marked
	}
}

// closeloop migrate applies the ranking marks it finds: a few through the incremental
// path, many (at least --rebuild-at, as after migration 0029, which marks every unit)
// by a one-pass rebuild, which at 1M items takes a minute instead of tens of minutes.
func TestMigrateRebuildsALargeRankingBacklog(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		e := b.env
		mustRun(t, e, "gen", "--accounts", "10", "--feedback", "200", "--tags", "20")
		mark := rankBacklog(t, b.dialect, b.dsn)
		many := mark(100000)
		if many < 20 {
			t.Fatalf("only %d units to mark", many)
		}
		out := mustRun(t, e, "migrate", "--rebuild-at", "20")
		if !strings.Contains(out, "ranking: "+strconv.Itoa(many)+" items were marked, rebuilt in one pass") || !strings.Contains(out, "(100%)") || !strings.Contains(out, "ranking roll-ups up to date") {
			t.Fatalf("migrate with %d marked units and --rebuild-at 20:\n%s", many, out)
		}
		if n := mark(0); n != 0 {
			t.Fatalf("%d marks left after the rebuild", n)
		}
		if n := mark(5); n != 5 {
			t.Fatalf("marked %d", n)
		}
		out = mustRun(t, e, "migrate", "--rebuild-at", "20")
		if strings.Contains(out, "rebuilt in one pass") || !strings.Contains(out, "ranking roll-ups up to date") {
			t.Fatalf("migrate with 5 marked units:\n%s", out)
		}
		if n := mark(0); n != 0 {
			t.Fatalf("%d marks left after the sync", n)
		}
	})
}

// closeloop serve on SQLite rebuilds a large ranking backlog before it serves, so
// ranking pages do not count from the raw evidence while the marks drain.
func TestServeRebuildsALargeRankingBacklogFirst(t *testing.T) {
	e, addr, dsn := binaryEnv(t, "sqlite", "info")
	mustRun(t, e, "gen", "--accounts", "10", "--feedback", "200", "--tags", "20")
	mark := rankBacklog(t, "sqlite", dsn)
	many := mark(100000)
	_, out := startServer(t, e, addr, "serve", "--rebuild-at", "20")
	if !strings.Contains(out.String(), "ranking roll-ups rebuilt in one pass before serving") || !strings.Contains(out.String(), "marked="+strconv.Itoa(many)) {
		t.Fatalf("serve with %d marked units:\n%s", many, out)
	}
	if n := mark(0); n != 0 {
		t.Fatalf("%d marks left once serving", n)
	}
}
