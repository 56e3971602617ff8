package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
)

// benchSoak is the durability soak of usage ingestion (issue 14): this binary's own
// `serve` takes /v1/batch requests from several clients; at a random moment of
// sustained ingestion it is killed with SIGKILL and started again on the same database,
// kills times. Then every event of every request answered 200 must be stored, and no
// messageId twice. Events sent but not answered may or may not be stored: a client
// resends them and de-duplication makes that harmless. Any loss is an error.
func benchSoak(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("closeloop bench soak", flag.ContinueOnError)
	dsn := fs.String("db", "", "database to soak: a dedicated PostgreSQL URL (a scratch schema with search_path) or sqlite:DIR/closeloop.db; default a fresh SQLite file in a temporary folder")
	kills := fs.Int("kills", 20, "how many times the server is killed")
	clients := fs.Int("clients", 4, "concurrent HTTP clients")
	batch := fs.Int("batch", 50, "events per request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kills < 1 || *clients < 1 || *batch < 1 || *batch > 2500 {
		return errors.New("closeloop bench soak: --kills and --clients must be at least 1, --batch 1 to 2500")
	}
	tmp, err := os.MkdirTemp("", "closeloop-bench-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// The server finds its database as `serve` always does: DATABASE_URL, or the
	// SQLite file closeloop.db in the data folder.
	env := []string{"CLOSELOOP_DATA_DIR=" + tmp, "DATABASE_URL=", "CLOSELOOP_LOG_LEVEL=warn"}
	switch {
	case *dsn == "":
		*dsn = "sqlite:" + filepath.Join(tmp, "closeloop.db")
	case strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://"):
		env[1] = "DATABASE_URL=" + *dsn
	case strings.HasPrefix(*dsn, "sqlite:") && filepath.Base(*dsn) == "closeloop.db":
		env[0] = "CLOSELOOP_DATA_DIR=" + filepath.Dir(strings.TrimPrefix(*dsn, "sqlite:"))
	default:
		return fmt.Errorf("closeloop bench soak: --db %q: want a postgres:// URL or sqlite:DIR/closeloop.db (the file serve uses in its data folder)", *dsn)
	}
	s, key, err := ingestStore(ctx, *dsn, "bench soak")
	if err != nil {
		return err
	}
	s.Close() // the server is the one to write
	self, err := os.Executable()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	env = append(env, "CLOSELOOP_ADDR="+addr)

	acked := map[string]bool{}
	var mu sync.Mutex
	var sent atomic.Int64
	start := time.Now()
	hc := &http.Client{Timeout: 10 * time.Second}
	for round := 0; round < *kills; round++ {
		srv := exec.Command(self, "serve")
		srv.Env = append(os.Environ(), env...)
		var log bytes.Buffer
		srv.Stdout, srv.Stderr = &log, &log
		if err := srv.Start(); err != nil {
			return err
		}
		if err := waitReady(ctx, hc, addr); err != nil {
			srv.Process.Kill()
			srv.Wait()
			return fmt.Errorf("closeloop bench soak: round %d: %w\n%s", round+1, err, log.String())
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := 0; c < *clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					ids := make([]string, *batch)
					for i := range ids {
						ids[i] = fmt.Sprintf("r%d-c%d-b%d-%d", round, c, n, i)
					}
					sent.Add(int64(len(ids)))
					if !soakPost(hc, addr, key, ids) {
						return // the server is gone, or refused the batch
					}
					mu.Lock()
					for _, id := range ids {
						acked[id] = true
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
		if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
			return err
		}
		srv.Wait()
		close(stop)
		wg.Wait()
	}

	if s, err = store.Open(ctx, *dsn); err != nil {
		return err
	}
	defer s.Close()
	stored, err := s.UsageAccounts(ctx)
	if err != nil {
		return err
	}
	st, err := s.UsageStats(ctx)
	if err != nil {
		return err
	}
	lost := 0
	for id := range acked {
		if _, ok := stored[id]; !ok {
			lost++
		}
	}
	fmt.Fprintf(stdout, "closeloop bench soak: %s, %d kills in %s: %d events sent, %d acknowledged, %d stored (%d sent but unanswered were committed), %d acknowledged but missing, %d stored twice\n",
		s.Dialect(), *kills, time.Since(start).Round(time.Second), sent.Load(), len(acked), st.Events, st.Events-len(acked), lost, st.Events-st.MessageIDs)
	switch {
	case lost > 0:
		return fmt.Errorf("closeloop bench soak: %d of %d acknowledged events are missing", lost, len(acked))
	case st.Events != st.MessageIDs:
		return fmt.Errorf("closeloop bench soak: %d events stored for %d messageIds", st.Events, st.MessageIDs)
	case len(acked) == 0:
		return errors.New("closeloop bench soak: nothing was acknowledged, so nothing was measured")
	}
	return nil
}

// ingestStore opens and migrates the database a bench measures and makes the ingest
// key its clients send; the caller closes the store.
func ingestStore(ctx context.Context, dsn, name string) (*store.Store, string, error) {
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	_, err = s.Migrate(ctx)
	var key string
	if err == nil {
		_, key, err = s.CreateAPIKey(ctx, name, []auth.Scope{auth.ScopeIngest}, "")
	}
	if err != nil {
		s.Close()
		return nil, "", err
	}
	return s, key, nil
}

// soakPost sends one batch of track events and says whether it was answered 200.
func soakPost(hc *http.Client, addr, key string, ids []string) bool {
	var body bytes.Buffer
	body.WriteString(`{"batch":[`)
	for i, id := range ids {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"type":"track","messageId":%q,"userId":"u%d","event":"Soak"}`, id, i%7)
	}
	body.WriteString(`]}`)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/batch", &body)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(key, "")
	res, err := hc.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode == http.StatusOK
}

// waitReady polls /readyz until the server answers 200, for up to a minute.
func waitReady(ctx context.Context, hc *http.Client, addr string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := hc.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the server never became ready")
}
