package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// BenchmarkHealth measures account health at CLOSELOOP_BENCH_HEALTH_ACCOUNTS accounts
// (default 50,000) with 90 days of usage roll-ups each:
//
//   - daily: the day moves on, so every account is rescored (what the health-daily
//     job does after midnight): one op is the whole recompute;
//
//   - incremental: 1% of the accounts get a touchpoint, then the sync rescores just
//     those (what the health-sync job does through the day): one op is that sync.
//
//     go test -run '^$' -bench BenchmarkHealth -benchtime 3x ./internal/store
func BenchmarkHealth(b *testing.B) {
	n := 50000
	if v, err := strconv.Atoi(os.Getenv("CLOSELOOP_BENCH_HEALTH_ACCOUNTS")); err == nil && v > 0 {
		n = v
	}
	storetest.EachDialectB(b, func(b *testing.B, dialect string) {
		ctx := context.Background()
		s := storetest.Open(b, dialect)
		now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		start := time.Now()
		if err := s.SeedHealthBench(ctx, n, now); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: seeded %d accounts × 90 days in %s", dialect, n, time.Since(start).Round(time.Millisecond))
		if err := s.SyncHealth(ctx, now); err != nil { // the first build
			b.Fatal(err)
		}
		day := 0
		b.Run("daily", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				day++
				if err := s.SyncHealth(ctx, now.AddDate(0, 0, day)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "accounts")
		})
		round := 0
		b.Run("incremental", func(b *testing.B) {
			at := now.AddDate(0, 0, day)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				round++
				if err := s.TouchHealthBench(ctx, 100, round, at); err != nil {
					b.Fatal(err)
				}
				pending, err := s.HealthPending(ctx)
				if err != nil || pending == 0 {
					b.Fatal("nothing marked", err)
				}
				b.StartTimer()
				if err := s.SyncHealth(ctx, at); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(pending), "accounts")
			}
		})
	})
}
