package store_test

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// BenchmarkRank measures request and tag ranking. Generating 1,000,000 feedback items
// takes minutes, so the full-scale run reads a database made beforehand with
//
//	closeloop gen --accounts 50000 --feedback 1000000
//
// named by CLOSELOOP_BENCH_SQLITE (a file path) and CLOSELOOP_BENCH_POSTGRES (a URL).
// Without them it generates 5,000 accounts and 50,000 items per dialect.
func BenchmarkRank(b *testing.B) {
	storetest.EachDialectB(b, func(b *testing.B, dialect string) {
		ctx := context.Background()
		var s *store.Store
		env := map[string]string{"sqlite": "CLOSELOOP_BENCH_SQLITE", "postgres": "CLOSELOOP_BENCH_POSTGRES"}[dialect]
		if dsn := os.Getenv(env); dsn != "" {
			var err error
			if s, err = store.Open(ctx, dsn); err != nil {
				b.Fatal(err)
			}
			defer s.Close()
		} else {
			s = storetest.Open(b, dialect)
			if _, err := demo.Generate(ctx, s, demo.Options{Accounts: 5000, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			if _, err := demo.GenerateVoC(ctx, s, demo.VoCOptions{Tags: 700, Items: 50000, Requests: 100, Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
		now := time.Now()
		// A write followed by a ranking: what a page shows right after triage.
		items, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Limit: 200})
		if err != nil {
			b.Fatal(err)
		}
		tags, err := s.ListTags(ctx)
		if err != nil || len(items) == 0 || len(tags) == 0 {
			b.Fatal("no feedback or tags to write to", err)
		}
		writes := 0
		tagThenRank := func() (int, error) {
			writes++
			it, tag := items[writes%len(items)], tags[(writes*7)%len(tags)]
			if err := s.TagFeedback(ctx, it.ID, tag.ID, ""); err != nil {
				return 0, err
			}
			r, err := s.RankTags(ctx, store.RankFilter{}, now)
			return len(r), err
		}
		cases := []struct {
			name string
			run  func() (int, error)
		}{
			{"requests", func() (int, error) { r, err := s.RankRequests(ctx, store.RankFilter{}, now); return len(r), err }},
			{"requests_tier", func() (int, error) {
				r, err := s.RankRequests(ctx, store.RankFilter{Tier: "strategic"}, now)
				return len(r), err
			}},
			{"requests_tier_90d", func() (int, error) {
				r, err := s.RankRequests(ctx, store.RankFilter{Tier: "strategic", From: now.AddDate(0, 0, -90)}, now)
				return len(r), err
			}},
			{"tags", func() (int, error) { r, err := s.RankTags(ctx, store.RankFilter{}, now); return len(r), err }},
			{"tag_then_rank_tags", tagThenRank},
			{"tags_kind", func() (int, error) {
				r, err := s.RankTags(ctx, store.RankFilter{Kind: "feature_request"}, now)
				return len(r), err
			}},
			{"tags_kind_90d", func() (int, error) {
				r, err := s.RankTags(ctx, store.RankFilter{Kind: "feature_request", From: now.AddDate(0, 0, -90)}, now)
				return len(r), err
			}},
			// The UI's period control: the last 30 or 90 days, from roll-ups.
			{"requests_last30", func() (int, error) {
				r, err := s.RankRequests(ctx, store.RankFilter{LastDays: 30}, now)
				return len(r), err
			}},
			{"requests_tier_last90", func() (int, error) {
				r, err := s.RankRequests(ctx, store.RankFilter{Tier: "strategic", LastDays: 90}, now)
				return len(r), err
			}},
			{"tags_kind_last90", func() (int, error) {
				r, err := s.RankTags(ctx, store.RankFilter{Kind: "feature_request", LastDays: 90}, now)
				return len(r), err
			}},
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					n, err := c.run()
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						b.Fatal("nothing ranked")
					}
					lat = append(lat, time.Since(t0))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*95/100)].Microseconds())/1000, "p95-ms")
			})
		}
	})
}
