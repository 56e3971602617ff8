//go:build unix

package web_test

import (
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/web"
)

// revenueBenchAccounts is the data-set size; CLOSELOOP_BENCH_ACCOUNTS overrides it
// for a quick run.
func revenueBenchAccounts() int {
	if v, err := strconv.Atoi(os.Getenv("CLOSELOOP_BENCH_ACCOUNTS")); err == nil && v > 0 {
		return v
	}
	return 50000
}

// seedRevenueLedger writes n accounts with three years of movements (2023-12 to
// 2026-11): each starts in a random month, then changes MRR in about one month in
// six — expansions, contractions, churn and returns — a quarter of them in EUR.
// Every movement passes the set-MRR rules; it goes in through BulkLoad.
func seedRevenueLedger(b *testing.B, s *store.Store, n int) int {
	r := rand.New(rand.NewSource(15))
	start := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	tiers := []string{"strategic", "important", "standard"}
	plans := []string{"starter", "growth", "pro", "enterprise"}
	total := 0
	for lo := 0; lo < n; lo += 1000 {
		var batch store.Batch
		for i := lo; i < min(n, lo+1000); i++ {
			at := start.AddDate(0, r.Intn(36), r.Intn(28)).Add(time.Duration(r.Intn(24)) * time.Hour)
			a := account.Account{ID: id.NewAt(at), Name: fmt.Sprintf("Account %06d", i), Tier: tiers[i%3], Plan: plans[r.Intn(4)],
				Stage: account.Active, SignupDate: at.Format("2006-01-02")}
			batch.Accounts = append(batch.Accounts, a)
			cur := "USD"
			if i%4 == 0 {
				cur = "EUR"
			}
			var st revenue.State
			mrr := int64(1+r.Intn(40)) * 2500
			end := start.AddDate(3, 0, 0)
			for at.Before(end) {
				if m, ok, err := revenue.SetMRR(st, mrr, cur, at); err != nil {
					b.Fatal(err)
				} else if ok {
					m.AccountID = a.ID
					batch.Movements = append(batch.Movements, m)
					st = st.Next(m)
				}
				at = at.AddDate(0, 1+r.Intn(10), r.Intn(20))
				switch k := r.Intn(10); {
				case k < 4:
					mrr += int64(1+r.Intn(8)) * 2500
				case k < 7:
					mrr = max(2500, mrr-int64(1+r.Intn(4))*2500)
				case k < 9 && st.MRR > 0:
					mrr = 0
				default:
					mrr = int64(1+r.Intn(40)) * 2500
				}
			}
		}
		total += len(batch.Movements)
		if err := s.BulkLoad(b.Context(), &batch); err != nil {
			b.Fatal(err)
		}
	}
	return total
}

// BenchmarkRevenuePage renders /revenue (36 months of metrics, GRR/NRR, the cohort
// tables) at 50,000 accounts on SQLite, through the whole app as a browser asks for
// it: the metrics are computed per request from the per-account paths roll-up. It
// reports p50 and p95 per page, and p95 apart for renders after a change.
//
//	go test -run XXX -bench BenchmarkRevenuePage -benchtime 20x ./internal/web/
func BenchmarkRevenuePage(b *testing.B) {
	s := storetest.Open(b, "sqlite")
	n := revenueBenchAccounts()
	t0 := time.Now()
	moves := seedRevenueLedger(b, s, n)
	b.Logf("seeded %d accounts, %d movements in %s", n, moves, time.Since(t0).Round(time.Millisecond))
	h := app.New(config.Default(), s, slog.New(slog.DiscardHandler)).Handler()
	m := auth.Member{Email: "vic@example.com", Name: "Vic", Role: auth.RoleViewer}
	if err := s.CreateMember(b.Context(), &m); err != nil {
		b.Fatal(err)
	}
	tok := auth.NewSessionToken()
	if _, err := s.CreateSession(b.Context(), auth.HashToken(tok), m.ID, time.Hour); err != nil {
		b.Fatal(err)
	}
	get := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/revenue?from=2023-12-01&to=2026-12-01&interval=month", nil)
		r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	t0 = time.Now()
	if w := get(); w.Code != 200 || !strings.Contains(w.Body.String(), "movements-chart-USD") {
		b.Fatalf("status %d", w.Code)
	}
	b.Logf("first render, which derives every account's path from the movements: %s", time.Since(t0).Round(time.Millisecond))
	// Half the renders follow a new movement (recorded outside the timing), so the
	// roll-up syncs one account and the decoded paths are read again; the other half
	// find nothing changed. Both are what people see; the figures report each.
	probe := account.Account{Name: "Probe", Tier: "standard"}
	if err := s.CreateAccount(b.Context(), &probe); err != nil {
		b.Fatal(err)
	}
	var warm, changed []time.Duration
	var cpu time.Duration // the process's CPU time, which the machine's other load does not inflate
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		after := i%2 == 1
		if after {
			b.StopTimer()
			day = day.Add(time.Minute)
			if _, _, err := s.SetMRR(b.Context(), probe.ID, int64(1000+i), "USD", day, ""); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		c0 := cpuTime()
		t1 := time.Now()
		w := get()
		d := time.Since(t1)
		cpu += cpuTime() - c0
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		if after {
			changed = append(changed, d)
		} else {
			warm = append(warm, d)
		}
		i++
	}
	b.StopTimer()
	q := func(lat []time.Duration, p float64) float64 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	all := append(append([]time.Duration(nil), warm...), changed...)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(all)), "cpu-ms/op")
	b.ReportMetric(q(all, 0.5), "p50-ms")
	b.ReportMetric(q(all, 0.95), "p95-ms")
	if len(changed) > 0 {
		b.ReportMetric(q(warm, 0.95), "unchanged-p95-ms")
		b.ReportMetric(q(changed, 0.95), "after-change-p95-ms")
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
