package store_test

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// benchUsageRows is how many raw events the table holds before the timed inserts
// (CLOSELOOP_BENCH_USAGE_ROWS; default 200,000 for a quick run — the write
// amplification of a random-key index shows once it outgrows SQLite's 64 MB page
// cache, around 1.5 million 36-character ids).
func benchUsageRows() int {
	if v, err := strconv.Atoi(os.Getenv("CLOSELOOP_BENCH_USAGE_ROWS")); err == nil && v > 0 {
		return v
	}
	return 200_000
}

// uuidLike makes the kind of messageId Segment clients send: random-looking 36
// characters, so consecutive ids land all over an index.
func uuidLike(prefix string, i int) string {
	h := sha256.Sum256([]byte(prefix + strconv.Itoa(i)))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

func benchUsageBatch(prefix string, from, n int, accounts []string) []store.UsageEvent {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	out := make([]store.UsageEvent, n)
	for k := range out {
		i := from + k
		out[k] = store.UsageEvent{MessageID: uuidLike(prefix, i), Type: "track", Event: "Report Viewed",
			UserID: "user-" + strconv.Itoa(i%500), GroupID: "", AccountID: accounts[i%len(accounts)],
			Timestamp: now, ReceivedAt: now,
			Payload: []byte(`{"event":"Report Viewed","properties":{"report":"` + strconv.Itoa(i%17) + `","rows":1234},"context":{"library":{"name":"analytics-go"}}}`)}
	}
	return out
}

// BenchmarkUsageDedup compares three ways of storing the same events on a table that
// already holds benchUsageRows() of them (SQLite): a raw insert with no
// de-duplication; a raw insert guarded by a unique index on message_id (the design
// the issue warns against); and CommitUsage, whose de-duplication table holds about
// two days of ids (1/200 of the table, as with 400 days kept).
//
//	CLOSELOOP_BENCH_USAGE_ROWS=2000000 go test -run XXX -bench BenchmarkUsageDedup -benchtime 1x ./internal/store/
func BenchmarkUsageDedup(b *testing.B) {
	const batch, batches = 2_000, 25
	accounts := []string{"acc-1", "acc-2", "acc-3"}
	for _, variant := range []string{"raw", "unique-index", "dedup-table"} {
		b.Run(variant, func(b *testing.B) {
			ctx := context.Background()
			dsn := storetest.DSN(b, "sqlite")
			s := storetest.OpenMigrated(b, dsn)
			s.Now = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
			prefill := benchUsageRows()
			for from := 0; from < prefill; from += 10_000 {
				if err := s.InsertUsageRaw(ctx, benchUsageBatch("old", from, min(10_000, prefill-from), accounts)); err != nil {
					b.Fatal(err)
				}
			}
			switch variant {
			case "unique-index":
				db, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.Exec(`CREATE UNIQUE INDEX usage_events_message ON usage_events (message_id)`); err != nil {
					b.Fatal(err)
				}
				db.Close()
			case "dedup-table":
				// The users belong to accounts (group calls), so CommitUsage attributes
				// every event as the raw variants' rows are.
				groups := make([]store.UsageEvent, 500)
				for i := range groups {
					groups[i] = store.UsageEvent{MessageID: "g" + strconv.Itoa(i), Type: "group", UserID: "user-" + strconv.Itoa(i),
						GroupID: "g-" + strconv.Itoa(i%3), Traits: []byte(`{"name":"Group"}`), Timestamp: s.Now(), ReceivedAt: s.Now(), Payload: []byte(`{}`)}
				}
				if _, err := s.CommitUsage(ctx, groups, 24*time.Hour); err != nil {
					b.Fatal(err)
				}
				// The window's ids: the last prefill/200 events were received today.
				for from := prefill - prefill/200; from < prefill; from += batch {
					if _, err := s.CommitUsage(ctx, benchUsageBatch("old", from, min(batch, prefill-from), accounts), 24*time.Hour); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for r := 0; r < b.N; r++ {
				start := time.Now()
				for k := 0; k < batches; k++ {
					var err error
					evs := benchUsageBatch("new"+strconv.Itoa(r), k*batch, batch, accounts)
					if variant == "dedup-table" {
						_, err = s.CommitUsage(ctx, evs, 24*time.Hour)
					} else {
						err = s.InsertUsageRaw(ctx, evs)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(batch*batches)/time.Since(start).Seconds(), "events/s")
			}
		})
	}
}

// benchCommitPrefills is the sizes of the table (and of the de-duplication window's
// ids) BenchmarkCommitUsageCPU commits against: CLOSELOOP_BENCH_USAGE_PREFILLS, a
// comma-separated list, default 200,000.
func benchCommitPrefills() []int {
	out := []int{}
	for _, f := range strings.Split(os.Getenv("CLOSELOOP_BENCH_USAGE_PREFILLS"), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n >= 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []int{200_000}
	}
	return out
}

// BenchmarkCommitUsageCPU measures what ingestion's commit costs in CPU time per event
// (user + system of the whole process, getrusage), which, unlike a rate, a machine
// shared with other work does not inflate: each iteration commits one group of 800
// new track events (bench ingest's flat-out group: 8 clients × 100) to a database that
// already holds prefill events, all received today, so the window's de-duplication
// ids are as many. The events are attributed through context.groupId to 50 accounts.
// CLOSELOOP_BENCH_DIALECT=postgres runs it on PostgreSQL.
//
//	CLOSELOOP_BENCH_USAGE_PREFILLS=200000,1000000 go test -run XXX -bench BenchmarkCommitUsageCPU -benchtime 200x ./internal/store/
func BenchmarkCommitUsageCPU(b *testing.B) {
	const group, window = 800, 24 * time.Hour
	dialect := cmp.Or(os.Getenv("CLOSELOOP_BENCH_DIALECT"), "sqlite")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, prefill := range benchCommitPrefills() {
		// The testing package calls a sub-benchmark's function more than once (b.N = 1
		// first): the filled store is made once, and every call commits new ids.
		var s *store.Store
		calls := 0
		b.Run(dialect+"/prefill="+strconv.Itoa(prefill), func(b *testing.B) {
			ctx := context.Background()
			if s == nil {
				s = benchFilledStore(b, dialect, prefill, now, window)
			}
			calls++
			prefix := "new" + strconv.Itoa(calls) + "-"
			runtime.GC()
			b.ResetTimer()
			cpu0 := processCPU(b)
			for r := 0; r < b.N; r++ {
				outs, err := s.CommitUsage(ctx, benchCommitBatch(prefix, r*group, group, now), window)
				if err != nil {
					b.Fatal(err)
				}
				for _, o := range outs {
					if o.Duplicate || o.Err != nil {
						b.Fatalf("a new event was not stored: %+v", o)
					}
				}
			}
			b.StopTimer()
			events := float64(b.N * group)
			b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/events, "cpu-ns/event")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
		})
		if s != nil {
			s.Close()
		}
	}
}

// benchFilledStore is a migrated store (on the benchmark's own database, removed with
// it) holding 50 accounts made by group calls and prefill track events committed by
// CommitUsage at now, so their ids are in the de-duplication window.
func benchFilledStore(b *testing.B, dialect string, prefill int, now time.Time, window time.Duration) *store.Store {
	ctx := context.Background()
	s := storetest.Open(b, dialect)
	s.Now = func() time.Time { return now }
	groups := make([]store.UsageEvent, 50)
	for i := range groups {
		groups[i] = store.UsageEvent{MessageID: "g" + strconv.Itoa(i), Type: "group", UserID: "user-" + strconv.Itoa(i),
			GroupID: "acct-" + strconv.Itoa(i), Traits: []byte(`{"name":"Account ` + strconv.Itoa(i) + `"}`),
			Timestamp: now, ReceivedAt: now, Payload: []byte(`{}`)}
	}
	if _, err := s.CommitUsage(ctx, groups, window); err != nil {
		b.Fatal(err)
	}
	for from := 0; from < prefill; from += 10_000 {
		if _, err := s.CommitUsage(ctx, benchCommitBatch("old", from, min(10_000, prefill-from), now), window); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// benchCommitBatch is n track calls shaped as bench ingest sends them: UUID-like ids,
// 500 users in 50 accounts named by context.groupId, a ~230-byte payload.
func benchCommitBatch(prefix string, from, n int, at time.Time) []store.UsageEvent {
	out := make([]store.UsageEvent, n)
	for k := range out {
		i := from + k
		out[k] = store.UsageEvent{MessageID: uuidLike(prefix, i), Type: "track", Event: "Report Viewed",
			UserID: "user-" + strconv.Itoa(i%500), GroupID: "acct-" + strconv.Itoa(i%50), Timestamp: at, ReceivedAt: at,
			Payload: []byte(`{"event":"Report Viewed","properties":{"report":"` + strconv.Itoa(i%17) + `","rows":1234,"filtered":true},` +
				`"context":{"groupId":"acct-` + strconv.Itoa(i%50) + `","library":{"name":"analytics-go","version":"3.3.0"},"ip":"203.0.113.7"}}`)}
	}
	return out
}

// processCPU is the user + system time the process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
