package main_test

import (
	"strings"
	"testing"
)

// closeloop rebuild ranking recomputes the roll-ups of generated data with progress on
// stderr; without a name, or with an unknown one, it lists what can be rebuilt.
func TestRebuildCommand(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		out := mustRun(t, b.env, "gen", "--accounts", "20", "--feedback", "300", "--tags", "30")
		if !strings.Contains(out, "ranking roll-ups:") || !strings.Contains(out, "ranking roll-ups up to date") {
			t.Fatalf("gen shows no roll-up progress:\n%s", out)
		}
		out = mustRun(t, b.env, "rebuild", "ranking")
		if !strings.Contains(out, "(100%)") || !strings.Contains(out, "/s, 0s left") || !strings.Contains(out, "rebuilt ranking in") {
			t.Fatalf("rebuild ranking:\n%s", out)
		}
		for _, args := range [][]string{{"rebuild"}, {"rebuild", "nope"}} {
			out, err := run(t, b.env, "", args...)
			if err == nil || !strings.Contains(out, "ranking") {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
		}
	})
}
