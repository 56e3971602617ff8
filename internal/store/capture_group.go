package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/groupcommit"
)

// ErrBusy is Capture's back-pressure: the group commit queue is full. The API answers
// 429 with Retry-After; a webhook's 5xx makes the vendor send again.
var ErrBusy = groupcommit.ErrBusy

// Group commit of captures. On SQLite every write queues for the one writer
// connection, and a capture's own transaction (begin, a few reads, the insert, the
// event-log append, commit) made 200 concurrent clients wait seconds; captures that
// arrive within a couple of milliseconds now share one transaction, each under its
// own savepoint so that one refused item undoes only itself.
const (
	captureLinger   = 2 * time.Millisecond
	captureMaxGroup = 256
	captureMaxBytes = 32 << 20 // text held by queued captures before ErrBusy
)

// captureGroup is the Store's capture committer, made on first use.
type captureGroup struct {
	once sync.Once
	off  atomic.Bool
	c    *groupcommit.Committer[feedback.Capture, captureResult]
}

type captureResult struct {
	item    feedback.Item
	created bool
	err     error
}

// SetGroupCommit turns group commit of captures on or off (each capture in its own
// transaction, as before). It is on for SQLite and off for PostgreSQL by default:
// there writers run in parallel on their own connections, and one transaction
// serialising a group measured slower and deadlocked against the health and ranking
// roll-ups (BENCHMARKS.md, "Writes under load"). CLOSELOOP_GROUP_COMMIT=off or =on
// overrides the default at start; closeloop bench load compares the two.
func (s *Store) SetGroupCommit(on bool) {
	s.captures()
	s.cg.off.Store(!on)
}

func (s *Store) captures() *captureGroup {
	s.cg.once.Do(func() {
		s.cg.c = &groupcommit.Committer[feedback.Capture, captureResult]{Commit: s.commitCaptures,
			Linger: captureLinger, MaxGroup: captureMaxGroup, MaxBytes: captureMaxBytes}
		off := s.d.name() == "postgres"
		switch strings.TrimSpace(os.Getenv("CLOSELOOP_GROUP_COMMIT")) {
		case "off", "0", "false":
			off = true
		case "on", "1", "true":
			off = false
		}
		s.cg.off.Store(off)
	})
	return &s.cg
}

// captureGrouped stores one normalised, valid capture through the group committer.
func (s *Store) captureGrouped(ctx context.Context, c feedback.Capture) (feedback.Item, bool, error) {
	alone := func() (it feedback.Item, created bool, err error) {
		err = s.captureTx(ctx, func(q q) (err error) {
			it, created, err = s.capture(ctx, q, &c)
			return err
		})
		return it, created, err
	}
	g := s.captures()
	if g.off.Load() {
		return alone()
	}
	size := 256 + len(c.Text) + len(c.Quote) + len(c.Original) + len(c.ExternalURL) + len(c.Name)
	outs, err := g.c.Submit(ctx, []feedback.Capture{c}, size)
	if errors.Is(err, ErrBusy) {
		return feedback.Item{}, false, wrapf(err, "capture grouped")
	}
	if err != nil {
		// The group's transaction failed as a whole (a deadlock, a failed commit) and
		// was rolled back: one member's trouble must not fail the others, so each tries
		// again on its own.
		return alone()
	}
	return outs[0].item, outs[0].created, outs[0].err
}

// commitCaptures stores a group in one transaction. A capture that fails is rolled
// back to its savepoint and answered with its own error; the others commit.
func (s *Store) commitCaptures(ctx context.Context, cs []feedback.Capture) ([]captureResult, error) {
	out := make([]captureResult, len(cs))
	err := s.tx(ctx, func(q q) error {
		for i := range cs {
			r, err := s.captureSavepoint(ctx, q, &cs[i])
			if err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("commit captures: %w", err)
	}
	return out, nil
}

// captureSavepoint runs one capture under a savepoint. A lost race on PostgreSQL (two
// groups creating one new sender, or one idempotency key, at once) is retried as
// captureTx retries it: after the rollback the next attempt reads what the winner
// committed. The error returned is the savepoint's own, which fails the group.
func (s *Store) captureSavepoint(ctx context.Context, q q, c *feedback.Capture) (captureResult, error) {
	var r captureResult
	for attempt := 0; attempt < 3; attempt++ {
		if _, err := q.exec(ctx, "SAVEPOINT capture"); err != nil {
			return r, fmt.Errorf("capture savepoint: %w", err)
		}
		r.item, r.created, r.err = s.capture(ctx, q, c)
		if r.err != nil {
			if _, err := q.exec(ctx, "ROLLBACK TO SAVEPOINT capture"); err != nil {
				return r, fmt.Errorf("capture savepoint: %w", err)
			}
		}
		if _, err := q.exec(ctx, "RELEASE SAVEPOINT capture"); err != nil {
			return r, fmt.Errorf("capture savepoint: %w", err)
		}
		if r.err == nil || !(errors.Is(r.err, errPersonTaken) || s.d.isUnique(r.err)) {
			break
		}
	}
	if r.err != nil {
		r.item, r.created = feedback.Item{}, false
	}
	return r, nil
}
