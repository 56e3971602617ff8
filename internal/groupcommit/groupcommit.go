// Package groupcommit gathers the small writes of concurrent requests into one
// transaction (group commit), so that a single writer's per-transaction cost is shared
// by every request that arrived while the previous commit ran, and latency stays flat
// as concurrency grows. Usage ingestion and feedback capture both use it.
//
// There is no committing goroutine: the first request to find no open group opens one
// and becomes its leader; it waits Linger (or until the group holds MaxGroup items),
// then for the previous group's commit to finish, while later requests keep joining;
// then it closes the group, commits it and wakes every member. A request is answered
// only after its items are committed. The queue is bounded in bytes: past MaxBytes a
// request is refused at once with ErrBusy (callers answer 429) instead of queued.
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBusy is the back-pressure: the queue holds as many bytes as it may.
var ErrBusy = errors.New("the write queue is full")

// Func stores one group of items in one transaction and returns one result per item,
// in order. A per-item failure belongs in the result (so it fails only that item); an
// error fails the whole group.
type Func[T, R any] func(ctx context.Context, items []T) ([]R, error)

// Committer is the group committer for items of type T with results of type R. Set
// the fields before the first Submit and do not change them afterwards.
type Committer[T, R any] struct {
	Commit   Func[T, R]
	Linger   time.Duration // how long a group's leader waits for more requests
	MaxGroup int           // items in a group that make its leader stop waiting
	MaxBytes int           // bytes queued (open and committing groups) before ErrBusy
	// Observe, when set, is told the size and commit time of every committed group.
	Observe func(items int, d time.Duration)

	mu     sync.Mutex
	open   *group[T, R]
	queued int // bytes

	commitMu sync.Mutex // one commit at a time
}

type group[T, R any] struct {
	items []T
	bytes int
	full  chan struct{} // closed when the group reaches MaxGroup
	done  chan struct{} // closed when committed (or failed)
	outs  []R
	err   error
}

// Submit queues items (of size bytes) and returns their results once committed. The
// caller's context does not cancel the commit: the group holds other requests' items.
func (c *Committer[T, R]) Submit(ctx context.Context, items []T, bytes int) ([]R, error) {
	c.mu.Lock()
	if c.queued > 0 && c.queued+bytes > c.MaxBytes {
		c.mu.Unlock()
		return nil, ErrBusy
	}
	c.queued += bytes
	g, leader := c.open, false
	if g == nil {
		g = &group[T, R]{full: make(chan struct{}), done: make(chan struct{})}
		c.open, leader = g, true
	}
	start := len(g.items)
	g.items = append(g.items, items...)
	g.bytes += bytes
	if len(g.items) >= c.MaxGroup && start < c.MaxGroup {
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
	return g.outs[start : start+len(items)], nil
}

// lead commits g on the leader request's goroutine.
func (c *Committer[T, R]) lead(g *group[T, R]) {
	t := time.NewTimer(c.Linger)
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
	// next group may commit: otherwise one bad commit would stall every writer for good.
	defer func() {
		if p := recover(); p != nil {
			g.outs, g.err = nil, fmt.Errorf("group commit panicked: %v", p)
		}
		c.commitMu.Unlock()
		c.mu.Lock()
		c.queued -= g.bytes
		c.mu.Unlock()
		g.items = nil
		close(g.done)
	}()
	start := time.Now()
	g.outs, g.err = c.Commit(context.Background(), g.items)
	if g.err == nil && len(g.outs) != len(g.items) {
		g.err = fmt.Errorf("group commit returned %d results for %d items", len(g.outs), len(g.items))
	}
	if c.Observe != nil && g.err == nil {
		c.Observe(len(g.items), time.Since(start))
	}
}
