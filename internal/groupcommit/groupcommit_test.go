package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// result is what the test commit function returns per item: its own key back, and
// whether it was a duplicate (the item "dup") or refused (the item "bad").
type result struct {
	key       string
	duplicate bool
	err       error
}

// gate is a commit function that holds each commit until released, recording the
// size of each group.
type gate struct {
	mu      sync.Mutex
	groups  []int
	started chan struct{}
	release chan struct{}
}

func (g *gate) commit(_ context.Context, items []string) ([]result, error) {
	g.started <- struct{}{}
	<-g.release
	g.mu.Lock()
	g.groups = append(g.groups, len(items))
	g.mu.Unlock()
	outs := make([]result, len(items))
	for i, it := range items {
		outs[i] = result{key: it, duplicate: it == "dup"}
		if it == "bad" {
			outs[i].err = errors.New("refused")
		}
	}
	return outs, nil
}

func (c *Committer[T, R]) openItems() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		return 0
	}
	return len(c.open.items)
}

type answer struct {
	outs []result
	err  error
}

func submitAsync(c *Committer[string, result], items []string, bytes int) chan answer {
	ch := make(chan answer, 1)
	go func() {
		outs, err := c.Submit(context.Background(), items, bytes)
		ch <- answer{outs, err}
	}()
	return ch
}

// TestGroupsAndPushesBack: requests that arrive while a commit runs share the next
// one; each gets back its own results, a refused item only its own; past the byte
// bound a request is refused at once (ErrBusy, a 429) instead of queued, and is
// admitted again once the queue drains.
func TestGroupsAndPushesBack(t *testing.T) {
	g := &gate{started: make(chan struct{}, 10), release: make(chan struct{})}
	c := &Committer[string, result]{Commit: g.commit, Linger: time.Millisecond, MaxGroup: 1000, MaxBytes: 100}

	first := submitAsync(c, []string{"a"}, 10)
	<-g.started // the first group is committing and held
	second := submitAsync(c, []string{"b", "dup"}, 20)
	third := submitAsync(c, []string{"bad"}, 30)
	// Wait until both have joined the open group (it cannot commit while the first runs).
	for c.openItems() != 3 {
		time.Sleep(time.Millisecond)
	}
	if _, err := c.Submit(context.Background(), []string{"x"}, 50); !errors.Is(err, ErrBusy) {
		t.Fatalf("over the bound (10+20+30+50 > 100): %v, want ErrBusy", err)
	}
	g.release <- struct{}{}
	if r := <-first; r.err != nil || len(r.outs) != 1 || r.outs[0].key != "a" {
		t.Fatalf("first: %+v", r)
	}
	<-g.started
	g.release <- struct{}{}
	r2, r3 := <-second, <-third
	if r2.err != nil || len(r2.outs) != 2 || r2.outs[0] != (result{key: "b"}) || r2.outs[1] != (result{key: "dup", duplicate: true}) {
		t.Errorf("second got %+v, want its own two results (b stored, dup duplicate)", r2)
	}
	if r3.err != nil || len(r3.outs) != 1 || r3.outs[0].key != "bad" || r3.outs[0].err == nil {
		t.Errorf("third got %+v, want its refused item's own error", r3)
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
	if _, err := c.Submit(context.Background(), []string{"y"}, 50); err != nil {
		t.Errorf("after draining: %v", err)
	}
}

// TestFullGroupCommitsEarly: a group that reaches MaxGroup does not wait out its
// linger (an hour here), and a request larger than the group goes whole into it.
func TestFullGroupCommitsEarly(t *testing.T) {
	var sizes []int
	c := &Committer[string, result]{Linger: time.Hour, MaxGroup: 2, MaxBytes: 1 << 20,
		Commit: func(_ context.Context, items []string) ([]result, error) {
			sizes = append(sizes, len(items))
			return make([]result, len(items)), nil
		}}
	if outs, err := c.Submit(context.Background(), []string{"a", "b", "c"}, 3); err != nil || len(outs) != 3 {
		t.Fatalf("got %v, %v", outs, err)
	}
	if len(sizes) != 1 || sizes[0] != 3 {
		t.Errorf("groups %v, want [3]", sizes)
	}
}

// TestFailedCommitFailsItsGroupOnly: an error or a panic in a commit reaches every
// member of that group, the queue is released, and the next group commits.
func TestFailedCommitFailsItsGroupOnly(t *testing.T) {
	fail := errors.New("disk full")
	calls := 0
	c := &Committer[string, result]{Linger: time.Microsecond, MaxGroup: 10, MaxBytes: 10,
		Commit: func(_ context.Context, items []string) ([]result, error) {
			calls++
			switch calls {
			case 1:
				return nil, fail
			case 2:
				panic("bug")
			case 3:
				return make([]result, len(items)+1), nil // a miscount is an error too
			}
			return make([]result, len(items)), nil
		}}
	if _, err := c.Submit(context.Background(), []string{"a"}, 10); !errors.Is(err, fail) {
		t.Errorf("first: %v, want the commit's error", err)
	}
	if _, err := c.Submit(context.Background(), []string{"b"}, 10); err == nil {
		t.Error("second: the commit panicked, want an error")
	}
	if _, err := c.Submit(context.Background(), []string{"c"}, 10); err == nil {
		t.Error("third: the commit returned 2 results for 1 item, want an error")
	}
	if outs, err := c.Submit(context.Background(), []string{"d"}, 10); err != nil || len(outs) != 1 {
		t.Errorf("fourth: %v, %v, want it committed: the failures released the queue", outs, err)
	}
}
