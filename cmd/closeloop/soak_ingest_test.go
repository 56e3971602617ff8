package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// soakRounds is how many times the server is killed mid-ingestion per dialect.
const soakRounds = 20

// TestSIGKILLDuringIngestionLosesNoAcknowledgedEvent is the durability soak of issue
// 14: clients send batches to the real server; it is killed with SIGKILL at a random
// moment of sustained ingestion, restarted, and every event whose request was
// answered 200 must be stored — 20 times in a row, on each dialect. Events sent but
// not answered may or may not be stored (the client would resend them; the
// de-duplication makes that harmless), but none may be stored twice.
func TestSIGKILLDuringIngestionLosesNoAcknowledgedEvent(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		mustRun(t, b.env, "migrate")
		key := apiKey(t, b.env, "--name", "soak", "--scopes", "ingest")

		acked := map[string]bool{}
		var sent atomic.Int64
		start := time.Now()
		for round := 0; round < soakRounds; round++ {
			cmd, _ := startServer(t, b.env, b.addr, "serve")
			var mu sync.Mutex
			stop := make(chan struct{})
			var wg sync.WaitGroup
			hc := &http.Client{Timeout: 10 * time.Second}
			for c := 0; c < 4; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := 0; ; n++ {
						select {
						case <-stop:
							return
						default:
						}
						ids := make([]string, 50)
						var body bytes.Buffer
						body.WriteString(`{"batch":[`)
						for i := range ids {
							ids[i] = fmt.Sprintf("r%d-c%d-b%d-%d", round, c, n, i)
							if i > 0 {
								body.WriteByte(',')
							}
							fmt.Fprintf(&body, `{"type":"track","messageId":%q,"userId":"u%d","event":"Soak"}`, ids[i], i%7)
						}
						body.WriteString(`]}`)
						req, _ := http.NewRequest(http.MethodPost, "http://"+b.addr+"/v1/batch", &body)
						req.Header.Set("Content-Type", "application/json")
						req.SetBasicAuth(key, "")
						sent.Add(int64(len(ids)))
						res, err := hc.Do(req)
						if err != nil {
							return // the server is gone
						}
						var r struct{ Accepted int }
						json.NewDecoder(res.Body).Decode(&r)
						res.Body.Close()
						if res.StatusCode == 200 {
							mu.Lock()
							for _, id := range ids {
								acked[id] = true
							}
							mu.Unlock()
						}
					}
				}()
			}
			time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			close(stop)
			wg.Wait()
		}

		s := storetest.OpenDSN(t, b.dsn)
		stored, err := s.UsageAccounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.UsageStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for id := range acked {
			if _, ok := stored[id]; !ok {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("%d of %d acknowledged events are missing after %d SIGKILLs", lost, len(acked), soakRounds)
		}
		if st.Events != st.MessageIDs {
			t.Errorf("%d events stored for %d messageIds: some stored twice", st.Events, st.MessageIDs)
		}
		if len(acked) == 0 {
			t.Fatal("nothing was acknowledged: the soak measured nothing")
		}
		t.Logf("%d kills in %s: %d events sent, %d acknowledged, %d stored (%d sent but unanswered were committed), none lost",
			soakRounds, time.Since(start).Round(time.Second), sent.Load(), len(acked), st.Events, st.Events-len(acked))
	})
}
