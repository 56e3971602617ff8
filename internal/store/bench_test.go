package store_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// benchAccounts is the data-set size for list benchmarks; CLOSELOOP_BENCH_ACCOUNTS
// overrides it for quick runs.
func benchAccounts() int {
	if v, err := strconv.Atoi(os.Getenv("CLOSELOOP_BENCH_ACCOUNTS")); err == nil && v > 0 {
		return v
	}
	return 50000
}

var (
	benchMu     sync.Mutex
	benchStores = map[string]*store.Store{}
)

// benchStore generates the data set once per dialect per process.
func benchStore(b *testing.B, dialect string) *store.Store {
	benchMu.Lock()
	defer benchMu.Unlock()
	if s, ok := benchStores[dialect]; ok {
		return s
	}
	// The store outlives this sub-benchmark, so it is built on a throwaway T-like
	// scope: storetest cleans up at process exit via the OS temp dir / schema drop.
	s := storetest.Open(b, dialect)
	start := time.Now()
	if _, err := demo.Generate(context.Background(), s, demo.Options{Accounts: benchAccounts(), Seed: 1, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: generated %d accounts in %s", dialect, benchAccounts(), time.Since(start).Round(time.Millisecond))
	benchStores[dialect] = s
	return s
}

// BenchmarkListAccounts measures the accounts-list query the UI and API run, at 50,000
// accounts, for the shapes people use: first page, sorted by MRR, filtered, searched,
// and a page deep into the list. It reports p50 and p95 latency per query.
func BenchmarkListAccounts(b *testing.B) {
	storetest.EachDialectB(b, func(b *testing.B, dialect string) {
		s := benchStore(b, dialect)
		ctx := context.Background()
		// A cursor 40 pages in, for the deep-page case.
		deep := store.AccountFilter{Sort: "mrr", Desc: true, Limit: 50}
		for i := 0; i < 40; i++ {
			p, err := s.ListAccounts(ctx, deep)
			if err != nil {
				b.Fatal(err)
			}
			deep.Cursor = p.Next
		}
		members, err := s.ListMembers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		cases := []struct {
			name string
			f    store.AccountFilter
		}{
			{"first_page_by_name", store.AccountFilter{Limit: 50}},
			{"by_mrr_desc", store.AccountFilter{Sort: "mrr", Desc: true, Limit: 50}},
			{"filter_tier_owner", store.AccountFilter{Tier: "strategic", OwnerID: members[0].ID, Sort: "renewal", Limit: 50}},
			{"search_text", store.AccountFilter{Q: "harbor", Limit: 50}},
			{"page_41_by_mrr", deep},
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					p, err := s.ListAccounts(ctx, c.f)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Items) == 0 {
						b.Fatalf("%s returned nothing", c.name)
					}
					lat = append(lat, time.Since(t0))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
			})
		}
	})
}
