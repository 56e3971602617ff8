package main_test

import (
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// closeloop rebuild ranking recomputes the roll-ups of generated data with progress on
// stderr; without a name, or with an unknown one, it lists what can be rebuilt.
func TestRebuildCommand(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dataDir := t.TempDir()
			e := env{"CLOSELOOP_DATA_DIR=" + dataDir, "CLOSELOOP_LOG_LEVEL=warn", "DATABASE_URL="}
			if dialect == "postgres" {
				e = append(e, "DATABASE_URL="+storetest.DSN(t, "postgres"))
			}
			out := mustRun(t, e, "gen", "--accounts", "20", "--feedback", "300", "--tags", "30")
			if !strings.Contains(out, "ranking roll-ups:") || !strings.Contains(out, "ranking roll-ups up to date") {
				t.Fatalf("gen shows no roll-up progress:\n%s", out)
			}
			out = mustRun(t, e, "rebuild", "ranking")
			if !strings.Contains(out, "(100%)") || !strings.Contains(out, "/s, 0s left") || !strings.Contains(out, "rebuilt ranking in") {
				t.Fatalf("rebuild ranking:\n%s", out)
			}
			for _, args := range [][]string{{"rebuild"}, {"rebuild", "nope"}} {
				out, err := run(t, e, "", args...)
				if err == nil || !strings.Contains(out, "ranking") {
					t.Fatalf("%v: %v\n%s", args, err, out)
				}
			}
		})
	}
}
