package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/api"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/ingest"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestBusyServerAnswers429WithRetryAfter: with every reader slot taken (here one,
// held by a client that sends its body slowly), a request waits AdmitWait and is then
// told to come back with 429 and Retry-After, and nothing of it is stored; once the
// slot is free the same request is accepted.
func TestBusyServerAnswers429WithRetryAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, post := oneSlotServer(t, s, true)
		pr, pw := io.Pipe()
		slow := make(chan *http.Response, 1)
		go func() { slow <- post(pr) }()
		pw.Write([]byte(`{"userId":"u","event":"Slow",`)) // the handler now holds the slot, reading
		time.Sleep(50 * time.Millisecond)

		res := post(strings.NewReader(`{"messageId":"m","userId":"u","event":"E"}`))
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("while busy: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if st, _ := s.UsageStats(context.Background()); st.Events != 0 {
			t.Fatalf("a refused request stored %+v", st)
		}
		pw.Write([]byte(`"messageId":"slow"}`))
		pw.Close()
		if r := <-slow; r.StatusCode != 200 {
			t.Fatalf("the slow request: %d", r.StatusCode)
		}
		res = post(strings.NewReader(`{"messageId":"m","userId":"u","event":"E"}`))
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("after the slot is free: %d", res.StatusCode)
		}
		if st, _ := s.UsageStats(context.Background()); st.Events != 2 {
			t.Errorf("stored %+v, want the slow one and the retried one", st)
		}
	})
}

// TestBusyBeforeTheHandlerAnswers429WithRetryAfter: a request whose write key is in
// its body must be read to be authenticated; when no reader slot is free that refusal
// comes from the authenticator, before any handler runs, and still carries
// Retry-After. Nothing of it is stored.
func TestBusyBeforeTheHandlerAnswers429WithRetryAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		key, post := oneSlotServer(t, s, false)
		// The slow request's key is in its body, so the authenticator holds the one
		// slot while it reads.
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() }) // before the server's Close, which waits for it
		slow := make(chan *http.Response, 1)
		go func() { slow <- post(pr) }()
		pw.Write([]byte(`{"writeKey":"` + key + `","userId":"u","event":"Slow",`))
		time.Sleep(50 * time.Millisecond)

		res := post(strings.NewReader(`{"writeKey":"` + key + `","messageId":"m","userId":"u","event":"E"}`))
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
			t.Fatalf("while busy: %d, Retry-After %q; want 429 with Retry-After 1", res.StatusCode, res.Header.Get("Retry-After"))
		}
		pw.Write([]byte(`"messageId":"slow"}`))
		pw.Close()
		if r := <-slow; r.StatusCode != 200 {
			t.Fatalf("the slow request: %d", r.StatusCode)
		}
		if st, _ := s.UsageStats(context.Background()); st.Events != 1 {
			t.Errorf("stored %+v, want only the slow one", st)
		}
	})
}

// oneSlotServer serves /v1 with a single reader slot and a short admission wait, and
// returns an ingest key and a poster for /v1/track that sends the key as basic auth
// when basicAuth is set (otherwise the body must carry it as writeKey).
func oneSlotServer(t *testing.T, s *store.Store, basicAuth bool) (string, func(io.Reader) *http.Response) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	sv := ingest.New(s, ingest.Config{MaxReaders: 1, AdmitWait: 20 * time.Millisecond}, log)
	ap := api.New(api.Deps{Store: s, Config: config.Default(), Log: log})
	rt := router.New(router.Authenticator{Session: func(*http.Request) (*auth.Member, error) { return nil, nil }, APIKey: sv.Authenticate(ap.Key)},
		api.RenderError, api.RenderError, log)
	sv.Register(rt)
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	_, key, err := s.CreateAPIKey(context.Background(), "ingest", []auth.Scope{auth.ScopeIngest}, "")
	if err != nil {
		t.Fatal(err)
	}
	return key, func(body io.Reader) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/track", body)
		req.Header.Set("Content-Type", "application/json")
		if basicAuth {
			req.SetBasicAuth(key, "")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err) // may run in a goroutine, where Fatal must not be called
			return &http.Response{StatusCode: 0, Body: http.NoBody}
		}
		return res
	}
}
