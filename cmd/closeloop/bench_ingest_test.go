package main_test

import (
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// closeloop bench ingest runs its phases on a small scale and checks that every
// acknowledged event was stored once (it fails otherwise); on PostgreSQL it measures
// the database it is given.
func TestBenchIngestCommand(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		out := bench(t, dialect, env{"CLOSELOOP_LOG_LEVEL=warn"}, func() []string { return []string{"--db", storetest.DSN(t, "postgres")} },
			"ingest", "--events", "2000", "--clients", "2")
		for _, want := range []string{"raw bulk insert:", "HTTP ingestion, flat out:", "ack p50", "stored: 7050 events, 7050 distinct messageIds", "peak RSS:"} {
			if !strings.Contains(out, want) {
				t.Fatalf("no %q in:\n%s", want, out)
			}
		}
	})
}
