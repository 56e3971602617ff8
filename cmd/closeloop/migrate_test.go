package main_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// closeloop migrate applies the ranking marks it finds: a few through the incremental
// path, many (at least --rebuild-at, as after migration 0029, which marks every unit)
// by a one-pass rebuild, which at 1M items takes a minute instead of tens of minutes.
func TestMigrateRebuildsALargeRankingBacklog(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			e := env{"CLOSELOOP_DATA_DIR=" + dir, "CLOSELOOP_LOG_LEVEL=warn", "DATABASE_URL="}
			driver, dsn := "sqlite", filepath.Join(dir, "closeloop.db")
			if dialect == "postgres" {
				dsn = storetest.DSN(t, "postgres")
				driver = "pgx"
				e = append(e, "DATABASE_URL="+dsn)
			}
			mustRun(t, e, "gen", "--accounts", "10", "--feedback", "200", "--tags", "20")
			db, err := sql.Open(driver, dsn)
			storetest.Must(t, err)
			defer db.Close()
			// What an upgrade that re-derives the roll-ups does (migration 0029's own
			// statement), limited to n units.
			mark := func(n int) int {
				t.Helper()
				_, err := db.ExecContext(context.Background(), `INSERT INTO rank_dirty (unit)
					SELECT feedback_id FROM (SELECT feedback_id FROM feedback_tags UNION SELECT feedback_id FROM request_links) u
					ORDER BY feedback_id LIMIT `+strconv.Itoa(n)+` ON CONFLICT (unit) DO NOTHING`)
				storetest.Must(t, err)
				var marked int
				storetest.Must(t, db.QueryRow(`SELECT COUNT(*) FROM rank_dirty`).Scan(&marked))
				return marked
			}
			many := mark(100000)
			if many < 20 {
				t.Fatalf("only %d units to mark", many)
			}
			out := mustRun(t, e, "migrate", "--rebuild-at", "20")
			if !strings.Contains(out, "ranking: "+strconv.Itoa(many)+" items marked, rebuilding in one pass") || !strings.Contains(out, "(100%)") || !strings.Contains(out, "ranking roll-ups up to date") {
				t.Fatalf("migrate with %d marked units and --rebuild-at 20:\n%s", many, out)
			}
			if n := mark(0); n != 0 {
				t.Fatalf("%d marks left after the rebuild", n)
			}
			if n := mark(5); n != 5 {
				t.Fatalf("marked %d", n)
			}
			out = mustRun(t, e, "migrate", "--rebuild-at", "20")
			if strings.Contains(out, "rebuilding") || !strings.Contains(out, "ranking roll-ups up to date") {
				t.Fatalf("migrate with 5 marked units:\n%s", out)
			}
			if n := mark(0); n != 0 {
				t.Fatalf("%d marks left after the sync", n)
			}
		})
	}
}
