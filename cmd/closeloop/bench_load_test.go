package main_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestBenchLoad runs `closeloop bench load` briefly through the built binary: a run
// with group commit on and one with it off, each with its figures, no errors and
// every acknowledged write stored.
func TestBenchLoad(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		out := bench(t, dialect, env{"DATABASE_URL="}, func() []string {
			storetest.RequirePostgres(t)
			return []string{"--postgres", storetest.PostgresURL()}
		}, "load", "--clients", "4", "--duration", "1s")
		line := regexp.MustCompile(`(?m)^` + dialect + ` +group commit (on|off) +max reads (\d+) +writes +(\d+) .* errors (\d+) \| acknowledged (\d+), stored (\d+), missing (\d+)$`)
		runs := line.FindAllStringSubmatch(out, -1)
		var modes []string
		for _, m := range runs {
			modes = append(modes, m[1])
			if m[2] != strconv.Itoa(config.DefaultMaxReads()) {
				t.Errorf("run %q: max reads %s, want the default %d", m[0], m[2], config.DefaultMaxReads())
			}
			m = append(m[:2], m[3:]...) // the figures below
			if m[2] == "0" || m[3] != "0" || m[4] != m[2] || m[5] != m[4] || m[6] != "0" {
				t.Errorf("run %q: want some writes, no errors, every write acknowledged and stored", m[0])
			}
		}
		if strings.Join(modes, ",") != "on,off" {
			t.Errorf("runs %v, want group commit on then off:\n%s", modes, out)
		}
	})
}
