package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
)

// benchIngest measures usage ingestion end to end: the real handlers on a loopback
// HTTP server, clients posting /v1/batch as fast as they are answered, against a raw
// bulk insert of the same rows into the same table in the same run; then latency at
// half the measured rate.
func benchIngest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("closeloop bench ingest", flag.ContinueOnError)
	dsn := fs.String("db", "", "database to measure on: a dedicated PostgreSQL URL (use a scratch schema with search_path) or sqlite:PATH; default a fresh SQLite file in a temporary folder")
	events := fs.Int("events", 200_000, "events per phase")
	batch := fs.Int("batch", 100, "events per HTTP request")
	clients := fs.Int("clients", 8, "concurrent HTTP clients")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the HTTP phases to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "closeloop-bench-ingest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	s, key, err := ingestStore(ctx, *dsn, "bench ingest")
	if err != nil {
		return err
	}
	defer s.Close()
	a := app.New(config.Default(), s, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	fmt.Fprintf(stdout, "closeloop bench ingest: %s, %d events per phase, %d per request, %d clients, GOMAXPROCS %d\n",
		s.Dialect(), *events, *batch, *clients, runtime.GOMAXPROCS(0))

	// The 50 accounts the events belong to are known, as they are once a product's
	// group calls have arrived; so both paths below store attributed rows.
	accounts := make([]string, 50)
	for i := range accounts {
		body := fmt.Sprintf(`{"groupId":"acct-%d","userId":"user-%d","traits":{"name":"Account %d","plan":"pro"}}`, i, i, i)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/group", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(key, "")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		acc, err := s.GetAccountByExternalID(ctx, fmt.Sprintf("acct-%d", i))
		if err != nil {
			return err
		}
		accounts[i] = acc.ID
	}

	// 1. The raw rate: the same rows inserted in 10,000-row transactions, no
	// de-duplication, no attribution, no HTTP.
	raw := make([]store.UsageEvent, 0, 10_000)
	start := time.Now()
	for i := 0; i < *events; i++ {
		body := benchMessage(nil, "raw", i)
		raw = append(raw, store.UsageEvent{MessageID: string(appendMessageID(nil, "raw", i)), Type: "track", Event: "Report Viewed",
			UserID: "user-" + strconv.Itoa(i%500), GroupID: "acct-" + strconv.Itoa(i%50), AccountID: accounts[i%50],
			Timestamp: time.Now(), ReceivedAt: time.Now(), Payload: body})
		if len(raw) == cap(raw) || i == *events-1 {
			if err := s.InsertUsageRaw(ctx, raw); err != nil {
				return err
			}
			raw = raw[:0]
		}
	}
	rawRate := float64(*events) / time.Since(start).Seconds()
	fmt.Fprintf(stdout, "raw bulk insert:          %9.0f events/s\n", rawRate)
	rssBase := peakRSS()

	// 2. Sustained ingestion over HTTP, as fast as acknowledgements come back.
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	ht := &http.Transport{MaxIdleConnsPerHost: *clients}
	hc := &http.Client{Transport: ht, Timeout: time.Minute}
	full, err := benchPost(ctx, hc, srv.URL, key, "full", *events, *batch, *clients, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "HTTP ingestion, flat out: %9.0f events/s (%.2f of raw), ack p50 %s p99 %s, %d answered 429\n",
		full.rate, full.rate/rawRate, full.p50, full.p99, full.busy)

	// 3. Latency at half that load.
	half, err := benchPost(ctx, hc, srv.URL, key, "half", *events/2, *batch, *clients, full.rate/2)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "HTTP ingestion at half:   %9.0f events/s, ack p50 %s p99 %s\n", half.rate, half.p50, half.p99)

	// 4. Overload: four times the clients with 1,000-event (~340 KB) requests, to see
	// memory stay bounded and the excess told to come back (429).
	over, err := benchPost(ctx, hc, srv.URL, key, "over", *events, 1000, 4**clients, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "overload (1,000/request, %d clients): %9.0f events/s, ack p99 %s, %d answered 429\n", 4**clients, over.rate, over.p99, over.busy)

	st, err := s.UsageStats(ctx)
	if err != nil {
		return err
	}
	want := len(accounts) + *events + *events + *events/2 + *events
	fmt.Fprintf(stdout, "stored: %d events, %d distinct messageIds (want %d, every acknowledged event once)\n", st.Events, st.MessageIDs, want)
	fmt.Fprintf(stdout, "peak RSS: %d MiB after the raw phase, %d MiB at the end\n", rssBase>>20, peakRSS()>>20)
	if st.Events != want || st.MessageIDs != want {
		return fmt.Errorf("stored %d events (%d distinct), want %d", st.Events, st.MessageIDs, want)
	}
	return nil
}

type benchResult struct {
	rate     float64
	p50, p99 time.Duration
	busy     int64
}

// benchPost sends n events in batches from clients goroutines; rate > 0 paces the
// requests to that many events per second in total. A 429 is retried after a pause,
// as clients do, and counted.
func benchPost(ctx context.Context, hc *http.Client, base, key, prefix string, n, batch, clients int, rate float64) (benchResult, error) {
	var next atomic.Int64
	var busy atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	requests := (n + batch - 1) / batch
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(batch) / rate)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for {
				r := int(next.Add(1)) - 1
				if r >= requests || ctx.Err() != nil {
					return
				}
				if interval > 0 {
					if d := time.Until(start.Add(time.Duration(r) * interval)); d > 0 {
						time.Sleep(d)
					}
				}
				buf = append(buf[:0], `{"batch":[`...)
				for i := r * batch; i < min((r+1)*batch, n); i++ {
					if i > r*batch {
						buf = append(buf, ',')
					}
					buf = benchMessage(buf, prefix, i)
				}
				buf = append(buf, "]}"...)
				for {
					t0 := time.Now()
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/batch", bytes.NewReader(buf))
					req.Header.Set("Content-Type", "application/json")
					req.SetBasicAuth(key, "")
					res, err := hc.Do(req)
					if err != nil {
						mu.Lock()
						firstErr = cmpOr(firstErr, err)
						mu.Unlock()
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode == http.StatusTooManyRequests {
						busy.Add(1)
						time.Sleep(100 * time.Millisecond)
						continue
					}
					d := time.Since(t0)
					mu.Lock()
					if res.StatusCode != 200 {
						firstErr = cmpOr(firstErr, fmt.Errorf("POST /v1/batch: %s", res.Status))
					}
					lat = append(lat, d)
					mu.Unlock()
					break
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if firstErr != nil {
		return benchResult{}, firstErr
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(100 * time.Microsecond)
	}
	return benchResult{rate: float64(n) / el.Seconds(), p50: q(0.50), p99: q(0.99), busy: busy.Load()}, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// benchMessage appends one realistic track call (about 330 bytes): 500 users in 50
// accounts, a few properties and a context, as a browser or server SDK sends them.
func benchMessage(buf []byte, prefix string, i int) []byte {
	buf = append(buf, `{"type":"track","messageId":"`...)
	buf = appendMessageID(buf, prefix, i)
	buf = append(buf, `","userId":"user-`...)
	buf = strconv.AppendInt(buf, int64(i%500), 10)
	buf = append(buf, `","event":"Report Viewed","timestamp":"2026-06-01T12:00:00.000Z","sentAt":"2026-06-01T12:00:01.000Z",`+
		`"properties":{"report":"`...)
	buf = strconv.AppendInt(buf, int64(i%17), 10)
	buf = append(buf, `","rows":1234,"filtered":true},"context":{"groupId":"acct-`...)
	buf = strconv.AppendInt(buf, int64(i%50), 10)
	buf = append(buf, `","library":{"name":"analytics-go","version":"3.3.0"},"ip":"203.0.113.7"}}`...)
	return buf
}

// appendMessageID appends a UUID-shaped id derived from prefix and i: random-looking,
// as the ids Segment's clients make are, so that they land all over an index.
func appendMessageID(buf []byte, prefix string, i int) []byte {
	h := sha256.Sum256(strconv.AppendInt([]byte(prefix), int64(i), 10))
	x := hex.EncodeToString(h[:16])
	return append(buf, x[:8]+"-"+x[8:12]+"-"+x[12:16]+"-"+x[16:20]+"-"+x[20:]...)
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes; 0 where /proc
// is not there.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
