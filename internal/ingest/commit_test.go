package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

// gate is a commit function that holds each commit until released, recording the
// size of each group.
type gate struct {
	mu      sync.Mutex
	groups  []int
	started chan struct{}
	release chan struct{}
}

func (g *gate) commit(_ context.Context, evs []store.UsageEvent) ([]store.UsageOutcome, error) {
	g.started <- struct{}{}
	<-g.release
	g.mu.Lock()
	g.groups = append(g.groups, len(evs))
	g.mu.Unlock()
	outs := make([]store.UsageOutcome, len(evs))
	for i := range evs {
		outs[i].Duplicate = evs[i].MessageID == "dup"
	}
	return outs, nil
}

func events(ids ...string) []store.UsageEvent {
	out := make([]store.UsageEvent, len(ids))
	for i, id := range ids {
		out[i].MessageID = id
	}
	return out
}

// TestCommitterGroupsAndPushesBack: requests that arrive while a commit runs share the
// next one; each gets back its own outcomes; past the byte bound a request is refused
// at once (429) instead of queued, and is admitted again once the queue drains.
func TestCommitterGroupsAndPushesBack(t *testing.T) {
	g := &gate{started: make(chan struct{}, 10), release: make(chan struct{})}
	c := &committer{commit: g.commit, linger: time.Millisecond, maxGroup: 1000, maxBytes: 100}

	type result struct {
		outs []store.UsageOutcome
		err  error
	}
	submit := func(evs []store.UsageEvent, bytes int) chan result {
		ch := make(chan result, 1)
		go func() {
			outs, err := c.submit(context.Background(), evs, bytes)
			ch <- result{outs, err}
		}()
		return ch
	}
	first := submit(events("a"), 10)
	<-g.started // the first group is committing and held
	second := submit(events("b", "dup"), 20)
	third := submit(events("c"), 30)
	// Wait until both have joined the open group (it cannot commit while the first runs).
	for {
		c.mu.Lock()
		n := 0
		if c.open != nil {
			n = len(c.open.events)
		}
		c.mu.Unlock()
		if n == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := c.submit(context.Background(), events("x"), 50); !errors.Is(err, errBusy) {
		t.Fatalf("over the bound (10+20+30+50 > 100): %v, want errBusy", err)
	}
	g.release <- struct{}{}
	if r := <-first; r.err != nil || len(r.outs) != 1 {
		t.Fatalf("first: %+v", r)
	}
	<-g.started
	g.release <- struct{}{}
	r2, r3 := <-second, <-third
	if r2.err != nil || len(r2.outs) != 2 || r2.outs[0].Duplicate || !r2.outs[1].Duplicate {
		t.Errorf("second got %+v, want its own two outcomes (b stored, dup duplicate)", r2)
	}
	if r3.err != nil || len(r3.outs) != 1 || r3.outs[0].Duplicate {
		t.Errorf("third got %+v", r3)
	}
	if len(g.groups) != 2 || g.groups[0] != 1 || g.groups[1] != 3 {
		t.Errorf("groups %v, want [1 3]: the two waiting requests share one commit", g.groups)
	}
	c.mu.Lock()
	q := c.queued
	c.mu.Unlock()
	if q != 0 {
		t.Errorf("queued %d bytes after everything committed, want 0", q)
	}
	// Drained: admitted again.
	go func() { <-g.started; g.release <- struct{}{} }()
	if _, err := c.submit(context.Background(), events("y"), 50); err != nil {
		t.Errorf("after draining: %v", err)
	}
}
