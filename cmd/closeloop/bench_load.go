package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/web"
)

// benchLoad is issue 13's load test: many clients against the real handlers on a
// loopback server and a fresh database, 70% reads (the account page, the requests
// ranking, the inbox, API GETs) and 30% feedback captures through the API, once with
// group commit on and once with it off (one transaction per capture, as before), on
// SQLite and, when given, PostgreSQL. It reports errors, whether every acknowledged
// write is in the database, and write and read latencies.
func benchLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("closeloop bench load", flag.ContinueOnError)
	clients := fs.Int("clients", 200, "concurrent clients")
	duration := fs.Duration("duration", 60*time.Second, "how long each run lasts")
	writes := fs.Float64("writes", 0.3, "share of requests that capture feedback")
	pg := fs.String("postgres", os.Getenv("DATABASE_URL"), "also run on this PostgreSQL (a scratch schema is made and dropped); default $DATABASE_URL")
	modes := fs.String("group-commit", "on,off", "the group commit settings to run, in order")
	maxReads := fs.String("max-reads", strconv.Itoa(config.DefaultMaxReads()), "the read bounds (CLOSELOOP_MAX_READS) to run each group commit setting with, in order; 0 is no bound")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	logErrors := fs.Bool("log", false, "log the server's errors to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || *duration <= 0 || *writes < 0 || *writes > 1 {
		return errors.New("bench load: --clients must be at least 1, --duration positive and --writes from 0 to 1")
	}
	dialects := []string{"sqlite"}
	if *pg != "" {
		dialects = append(dialects, "postgres")
	}
	fmt.Fprintf(stdout, "closeloop bench load: %d clients, %s per run, %.0f%% writes, GOMAXPROCS %d, %d CPUs, load average %s\n",
		*clients, *duration, *writes*100, runtime.GOMAXPROCS(0), runtime.NumCPU(), loadAverage())
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	var bounds []int
	for _, v := range strings.Split(*maxReads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return fmt.Errorf("bench load: --max-reads: %q is not a whole number, 0 or more", v)
		}
		bounds = append(bounds, n)
	}
	failed := false
	for _, d := range dialects {
		for _, m := range strings.Split(*modes, ",") {
			on := strings.TrimSpace(m) != "off"
			for _, bound := range bounds {
				log := slog.New(slog.DiscardHandler)
				if *logErrors {
					log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
				}
				r, err := loadRun(ctx, log, d, *pg, on, bound, *clients, *duration, *writes)
				if err != nil {
					return fmt.Errorf("bench load %s (group commit %s, max reads %d): %w", d, onOff(on), bound, err)
				}
				fmt.Fprintf(stdout, "%s\n  load average after this run: %s\n", r, loadAverage())
				failed = failed || r.errors > 0 || len(r.missing) > 0
			}
		}
	}
	fmt.Fprintf(stdout, "load average after: %s\n", loadAverage())
	if failed {
		return errors.New("bench load: errors, or acknowledged writes missing")
	}
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// loadResult is one run's figures.
type loadResult struct {
	dialect     string
	groupCommit bool
	maxReads    int
	clients     int
	elapsed     time.Duration
	writes      []time.Duration
	reads       []time.Duration
	errors      int
	firstError  string
	acked       int
	stored      int
	missing     []string
}

func (r loadResult) String() string {
	q := func(ds []time.Duration, p float64) string {
		if len(ds) == 0 {
			return "-"
		}
		return ds[min(len(ds)-1, int(float64(len(ds))*p))].Round(100 * time.Microsecond).String()
	}
	s := fmt.Sprintf("%-8s group commit %-3s max reads %-3d writes %6d (%4.0f/s) p50 %8s p99 %8s max %8s | reads %6d (%4.0f/s) p50 %8s p99 %8s | errors %d | acknowledged %d, stored %d, missing %d",
		r.dialect, onOff(r.groupCommit), r.maxReads, len(r.writes), float64(len(r.writes))/r.elapsed.Seconds(), q(r.writes, 0.5), q(r.writes, 0.99), q(r.writes, 1),
		len(r.reads), float64(len(r.reads))/r.elapsed.Seconds(), q(r.reads, 0.5), q(r.reads, 0.99), r.errors, r.acked, r.stored, len(r.missing))
	if r.firstError != "" {
		s += "\n  first error: " + r.firstError
	}
	return s
}

// loadFixture is what the clients need: the server, a session, a key and the ids
// their requests name.
type loadFixture struct {
	base     string
	session  string
	key      string
	accounts []string // ids
	requests []string // ids
}

const loadAccounts, loadRequests = 50, 20

func loadRun(ctx context.Context, log *slog.Logger, dialect, pgURL string, groupCommit bool, maxReads, clients int, duration time.Duration, writeShare float64) (loadResult, error) {
	res := loadResult{dialect: dialect, groupCommit: groupCommit, maxReads: maxReads, clients: clients}
	dsn, cleanup, err := scratchDSN(dialect, pgURL)
	if err != nil {
		return res, err
	}
	defer cleanup()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return res, err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return res, err
	}
	s.SetGroupCommit(groupCommit)
	fx, err := seedLoad(ctx, s)
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	cfg := config.Default()
	cfg.MaxReads = maxReads
	a := app.New(cfg, s, log)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	fx.base = srv.URL
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}}

	type clientOut struct {
		writes, reads []time.Duration
		acked         []string
		errors        int
		firstError    string
	}
	outs := make([]clientOut, clients)
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &outs[c]
			rng := mrand.New(mrand.NewPCG(uint64(c), 13))
			for n := 0; time.Now().Before(deadline); n++ {
				t0 := time.Now()
				if rng.Float64() < writeShare {
					id, err := loadWrite(ctx, hc, fx, rng, fmt.Sprintf("c%d-%d", c, n))
					o.writes = append(o.writes, time.Since(t0))
					if err == nil {
						o.acked = append(o.acked, id)
					} else if o.errors++; o.firstError == "" {
						o.firstError = err.Error()
					}
					continue
				}
				err := loadRead(ctx, hc, fx, rng)
				o.reads = append(o.reads, time.Since(t0))
				if err != nil {
					if o.errors++; o.firstError == "" {
						o.firstError = err.Error()
					}
				}
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	srv.Close()
	acked := map[string]bool{}
	for _, o := range outs {
		res.writes, res.reads = append(res.writes, o.writes...), append(res.reads, o.reads...)
		res.errors += o.errors
		if res.firstError == "" {
			res.firstError = o.firstError
		}
		for _, id := range o.acked {
			acked[id] = true
		}
	}
	slices.Sort(res.writes)
	slices.Sort(res.reads)
	res.acked = len(acked)
	// Every acknowledged write must be in the database: list every stored id.
	stored := map[string]bool{}
	for before := ""; ; {
		items, next, err := s.ListFeedback(ctx, store.FeedbackFilter{Before: before, Limit: 500})
		if err != nil {
			return res, err
		}
		for _, it := range items {
			stored[it.ID] = true
		}
		if next == "" {
			break
		}
		before = next
	}
	res.stored = len(stored)
	for id := range acked {
		if !stored[id] {
			res.missing = append(res.missing, id)
		}
	}
	return res, nil
}

// loadWrite captures one piece of feedback from one of 500 people at the 50 accounts'
// domains; one in three names a request. The unique idempotency key makes it a write.
func loadWrite(ctx context.Context, hc *http.Client, fx *loadFixture, rng *mrand.Rand, idem string) (string, error) {
	body := map[string]any{"text": "Load test feedback " + idem + ": please make exports faster",
		"email": fmt.Sprintf("person%d@acct%d.example", rng.IntN(10), rng.IntN(loadAccounts))}
	if rng.IntN(3) == 0 {
		body["request_ids"] = []string{fx.requests[rng.IntN(len(fx.requests))]}
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fx.base+"/api/v1/feedback", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+fx.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", idem)
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /api/v1/feedback: %d %s", res.StatusCode, bytes.TrimSpace(raw))
	}
	var it struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &it); err != nil || it.ID == "" {
		return "", fmt.Errorf("POST /api/v1/feedback: no id in %s", raw)
	}
	return it.ID, nil
}

// loadRead asks for one page or API resource: the account page, the requests list,
// the inbox, or an API GET (a feedback page, the request ranking, an account).
func loadRead(ctx context.Context, hc *http.Client, fx *loadFixture, rng *mrand.Rand) error {
	acct := fx.accounts[rng.IntN(len(fx.accounts))]
	var path string
	isWeb := true
	switch rng.IntN(6) {
	case 0:
		path = "/accounts/" + acct
	case 1:
		path = "/requests"
	case 2:
		path = "/feedback/inbox"
	case 3:
		path, isWeb = "/api/v1/feedback?limit=20", false
	case 4:
		path, isWeb = "/api/v1/rankings/requests", false
	default:
		path, isWeb = "/api/v1/accounts/"+acct, false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fx.base+path, nil)
	if err != nil {
		return err
	}
	if isWeb {
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: fx.session})
	} else {
		req.Header.Set("Authorization", "Bearer "+fx.key)
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return nil
}

// seedLoad makes the accounts, requests, a member with a session and a read-write key.
func seedLoad(ctx context.Context, s *store.Store) (*loadFixture, error) {
	fx := &loadFixture{}
	for i := 0; i < loadAccounts; i++ {
		a := account.Account{ExternalID: fmt.Sprintf("acct-%d", i), Name: fmt.Sprintf("Account %d", i),
			Domain: fmt.Sprintf("acct%d.example", i)}
		if err := s.CreateAccount(ctx, &a); err != nil {
			return nil, err
		}
		fx.accounts = append(fx.accounts, a.ID)
	}
	for i := 0; i < loadRequests; i++ {
		r := feedback.Request{Title: fmt.Sprintf("Request %d", i)}
		if err := s.CreateRequest(ctx, &r); err != nil {
			return nil, err
		}
		fx.requests = append(fx.requests, r.ID)
	}
	m := auth.Member{Email: "load@example.com", Name: "Load", Role: auth.RoleMember}
	if err := s.CreateMember(ctx, &m); err != nil {
		return nil, err
	}
	fx.session = auth.NewSessionToken()
	if _, err := s.CreateSession(ctx, auth.HashToken(fx.session), m.ID, 24*time.Hour); err != nil {
		return nil, err
	}
	var err error
	_, fx.key, err = s.CreateAPIKey(ctx, "bench load", []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, m.ID)
	return fx, err
}

// scratchDSN is a fresh database: a SQLite file in a temporary folder, or a new
// schema on the PostgreSQL server (dropped afterwards).
func scratchDSN(dialect, pgURL string) (string, func(), error) {
	if dialect == "sqlite" {
		dir, err := os.MkdirTemp("", "closeloop-bench-load-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "load.db"), func() { os.RemoveAll(dir) }, nil
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "bench_load_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	cleanup := func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), cleanup, nil
}

// loadAverage is the machine's 1, 5 and 15 minute load, where Linux says it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
