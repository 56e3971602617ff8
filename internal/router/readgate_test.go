package router

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
)

// gateRouter is a router whose every web caller is a member, with reads bounded to n:
// GET /slow holds its slot until release is closed (entered says it has it), GET
// /fast and POST /write answer at once, and GET /public is a public route.
func gateRouter(n int) (rt *Router, entered chan struct{}, release chan struct{}) {
	render := func(w http.ResponseWriter, r *http.Request, e *Error) { http.Error(w, e.Msg, e.Status) }
	member := func(*http.Request) (*auth.Member, error) { return &auth.Member{ID: "m", Role: auth.RoleMember}, nil }
	rt = New(Authenticator{Session: member}, render, render, slog.New(slog.DiscardHandler))
	rt.LimitReads(n)
	entered, release = make(chan struct{}, 8), make(chan struct{})
	ok := func(w http.ResponseWriter, r *http.Request) error { _, err := w.Write([]byte("ok")); return err }
	rt.Web("GET /slow", auth.RoleViewer, func(w http.ResponseWriter, r *http.Request) error {
		entered <- struct{}{}
		<-release
		return ok(w, r)
	})
	rt.Web("GET /fast", auth.RoleViewer, ok)
	rt.Web("POST /write", auth.RoleMember, ok)
	rt.Public("GET /public", ok)
	return rt, entered, release
}

// serve runs one request in the background; the channel gets its status.
func serve(rt *Router, ctx context.Context, method, path string) <-chan int {
	done := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, method, path, nil))
		done <- rec.Code
	}()
	return done
}

// waitFor polls cond, which the router's own counters make exact (no timing is
// asserted: the deadline only turns a hang into a failure).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func status(t *testing.T, what string, c <-chan int) int {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never answered", what)
		return 0
	}
}

// With one read slot held by a slow page, a second read waits (it is counted as
// waiting and has not answered), while a write and a public page are answered at
// once; when the slow page ends, the waiting read runs.
func TestReadGateQueuesReadsAndNeverWrites(t *testing.T) {
	rt, entered, release := gateRouter(1)
	slow := serve(rt, context.Background(), http.MethodGet, "/slow")
	<-entered
	if rt.ReadsRunning() != 1 {
		t.Fatalf("running = %d, want 1", rt.ReadsRunning())
	}
	fast := serve(rt, context.Background(), http.MethodGet, "/fast")
	waitFor(t, "the second read waits", func() bool { return rt.ReadsWaiting() == 1 })
	select {
	case s := <-fast:
		t.Fatalf("a read ran past the bound (status %d)", s)
	default:
	}
	if s := status(t, "a write while reads are full", serve(rt, context.Background(), http.MethodPost, "/write")); s != http.StatusOK {
		t.Fatalf("write: %d", s)
	}
	if s := status(t, "a public page while reads are full", serve(rt, context.Background(), http.MethodGet, "/public")); s != http.StatusOK {
		t.Fatalf("public: %d", s)
	}
	if rt.ReadsWaiting() != 1 {
		t.Fatalf("waiting = %d after the write, want the read still waiting", rt.ReadsWaiting())
	}
	close(release)
	if s := status(t, "the slow read", slow); s != http.StatusOK {
		t.Fatalf("slow: %d", s)
	}
	if s := status(t, "the waiting read", fast); s != http.StatusOK {
		t.Fatalf("fast: %d", s)
	}
	if rt.ReadsWaiting() != 0 || rt.ReadsRunning() != 0 {
		t.Fatalf("after both: waiting %d, running %d; want 0, 0", rt.ReadsWaiting(), rt.ReadsRunning())
	}
}

// A read whose caller goes away while it waits leaves the queue with a 503 and
// Retry-After, and never runs its handler.
func TestReadGateCallerGoneWhileWaiting(t *testing.T) {
	rt, entered, release := gateRouter(1)
	defer close(release)
	serve(rt, context.Background(), http.MethodGet, "/slow")
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		rt.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/slow", nil))
		close(done)
	}()
	waitFor(t, "the read waits", func() bool { return rt.ReadsWaiting() == 1 })
	cancel()
	<-done
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("got %d, Retry-After %q; want 503 with Retry-After 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	if len(entered) != 0 {
		t.Fatal("the abandoned read ran its handler")
	}
}

// Without a bound (0), reads never wait: two slow pages run at once.
func TestReadGateOffRunsEveryRead(t *testing.T) {
	rt, entered, release := gateRouter(0)
	a := serve(rt, context.Background(), http.MethodGet, "/slow")
	b := serve(rt, context.Background(), http.MethodGet, "/slow")
	<-entered
	<-entered // both are in their handlers together
	close(release)
	if status(t, "a", a) != http.StatusOK || status(t, "b", b) != http.StatusOK {
		t.Fatal("a slow read failed")
	}
}

// An Error's RetryAfter becomes the Retry-After header, also for refusals made before
// any handler runs (here the authenticator's).
func TestRetryAfterOfARefusalBeforeTheHandler(t *testing.T) {
	render := func(w http.ResponseWriter, r *http.Request, e *Error) { http.Error(w, e.Msg, e.Status) }
	busy := func(*http.Request) (*auth.APIKey, error) {
		return nil, &Error{Status: http.StatusTooManyRequests, Msg: "busy", RetryAfter: 3}
	}
	rt := New(Authenticator{APIKey: busy}, render, render, slog.New(slog.DiscardHandler))
	rt.API("POST /v1/track", auth.ScopeIngest, func(http.ResponseWriter, *http.Request) error {
		t.Fatal("the handler ran")
		return nil
	})
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/track", nil))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "3" {
		t.Fatalf("got %d, Retry-After %q; want 429 with Retry-After 3", rec.Code, rec.Header().Get("Retry-After"))
	}
}
