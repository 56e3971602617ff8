package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

// errBusy is the committer's back-pressure: the queue holds as many bytes as it may.
var errBusy = errors.New("ingest queue full")

// commitFunc stores one group of events in one transaction.
type commitFunc func(ctx context.Context, evs []store.UsageEvent) ([]store.UsageOutcome, error)

// committer gathers the events of concurrent requests into one transaction (group
// commit). There is no committing goroutine: the first request to find no open group
// opens one and becomes its leader; it waits linger (or until the group is full), then
// for the previous group's commit to finish, while later requests keep joining; then
// it closes the group, commits it and wakes every member. So a commit's cost is shared
// by every request that arrived during the previous commit, and a request is answered
// only after its events are committed.
type committer struct {
	commit   commitFunc
	linger   time.Duration
	maxGroup int // events in a group that make its leader stop waiting
	maxBytes int // payload bytes queued (open and committing groups) before errBusy

	mu     sync.Mutex
	open   *group
	queued int // bytes

	commitMu sync.Mutex // one commit at a time

	observe func(events int, d time.Duration) // metrics hook, may be nil
}

type group struct {
	events []store.UsageEvent
	bytes  int
	full   chan struct{} // closed when the group reaches maxGroup
	done   chan struct{} // closed when committed (or failed)
	outs   []store.UsageOutcome
	err    error
}

// submit queues evs (of size bytes) and returns their outcomes once committed.
func (c *committer) submit(ctx context.Context, evs []store.UsageEvent, bytes int) ([]store.UsageOutcome, error) {
	c.mu.Lock()
	if c.queued > 0 && c.queued+bytes > c.maxBytes {
		c.mu.Unlock()
		return nil, errBusy
	}
	c.queued += bytes
	g, leader := c.open, false
	if g == nil {
		g = &group{full: make(chan struct{}), done: make(chan struct{})}
		c.open, leader = g, true
	}
	start := len(g.events)
	g.events = append(g.events, evs...)
	g.bytes += bytes
	if len(g.events) >= c.maxGroup && start < c.maxGroup {
		close(g.full)
	}
	c.mu.Unlock()

	if leader {
		c.lead(g)
	}
	<-g.done
	if g.err != nil {
		return nil, g.err
	}
	return g.outs[start : start+len(evs)], nil
}

// lead commits g. It runs on the leader request's goroutine and does not stop when
// that request is cancelled: the group holds other requests' events too.
func (c *committer) lead(g *group) {
	t := time.NewTimer(c.linger)
	select {
	case <-t.C:
	case <-g.full:
		t.Stop()
	}
	c.commitMu.Lock()
	c.mu.Lock()
	if c.open == g {
		c.open = nil
	}
	c.mu.Unlock()
	// Whatever happens in the commit (a panic included), the members are woken and the
	// next group may commit: otherwise one bad commit would stall ingestion for good.
	defer func() {
		if p := recover(); p != nil {
			g.outs, g.err = nil, fmt.Errorf("group commit panicked: %v", p)
		}
		c.commitMu.Unlock()
		c.mu.Lock()
		c.queued -= g.bytes
		c.mu.Unlock()
		g.events = nil
		close(g.done)
	}()
	start := time.Now()
	g.outs, g.err = c.commit(context.Background(), g.events)
	if g.err == nil && len(g.outs) != len(g.events) {
		g.err = fmt.Errorf("group commit returned %d outcomes for %d events", len(g.outs), len(g.events))
	}
	if c.observe != nil && g.err == nil {
		c.observe(len(g.events), time.Since(start))
	}
}
