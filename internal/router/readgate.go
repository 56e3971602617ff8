package router

import (
	"context"
	"net/http"
	"sync/atomic"
)

// readGate bounds how many reads (GET and HEAD of the team UI and the API) run at
// once. The process is CPU-bound under load, and the read pages are what use the
// CPU: with every read running at once, a small write waits its turn behind them for
// a core (BENCHMARKS.md, "Writes under load"). With a bound, the reads beyond it wait
// here, costing nothing, while writes never wait, so a write's latency stays that of
// its own work. The bound is per instance, as the CPU is.
type readGate struct {
	slots   chan struct{}
	waiting atomic.Int64
}

func newReadGate(n int) *readGate {
	if n <= 0 {
		return nil
	}
	return &readGate{slots: make(chan struct{}, n)}
}

// isRead reports whether a request is one the gate bounds: a read of a signed-in
// caller's page or resource. Public routes (health, assets, sign-in, webhooks, the
// portal) and every state-changing method pass.
func isRead(r *http.Request, kind Kind) bool {
	return kind != Public && (r.Method == http.MethodGet || r.Method == http.MethodHead)
}

// enter waits for a slot (first come, first served: a channel's senders are woken in
// order) until ctx ends. A nil gate admits everyone.
func (g *readGate) enter(ctx context.Context) bool {
	if g == nil {
		return true
	}
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (g *readGate) leave() {
	if g != nil {
		<-g.slots
	}
}

// LimitReads bounds the reads that run at once to n (n ≤ 0: no bound). Call it
// before serving.
func (rt *Router) LimitReads(n int) { rt.reads = newReadGate(n) }

// ReadsWaiting is how many reads are waiting for a slot now (for metrics and tests).
func (rt *Router) ReadsWaiting() int {
	if rt.reads == nil {
		return 0
	}
	return int(rt.reads.waiting.Load())
}

// ReadsRunning is how many reads hold a slot now.
func (rt *Router) ReadsRunning() int {
	if rt.reads == nil {
		return 0
	}
	return len(rt.reads.slots)
}

// errReadGone answers a read whose caller went away while it waited for a slot.
var errReadGone = &Error{Status: http.StatusServiceUnavailable, Msg: "the server is busy: try again", RetryAfter: 1}
