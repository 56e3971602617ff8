package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/groupcommit"
	"github.com/closeloop/closeloop/internal/store"
)

// errBusy is the committer's back-pressure: the queue holds as many bytes as it may.
var errBusy = groupcommit.ErrBusy

// commitFunc stores one group of events in one transaction.
type commitFunc = groupcommit.Func[store.UsageEvent, store.UsageOutcome]

// committer gathers the events of concurrent requests into one transaction: the
// shared group committer (internal/groupcommit), configured from the service's Config.
type committer struct {
	commit   commitFunc
	linger   time.Duration
	maxGroup int // events in a group that make its leader stop waiting
	maxBytes int // payload bytes queued (open and committing groups) before errBusy

	observe func(events int, d time.Duration) // metrics hook, may be nil

	once sync.Once
	gc   *groupcommit.Committer[store.UsageEvent, store.UsageOutcome]
}

// submit queues evs (of size bytes) and returns their outcomes once committed.
func (c *committer) submit(ctx context.Context, evs []store.UsageEvent, bytes int) ([]store.UsageOutcome, error) {
	c.once.Do(func() {
		c.gc = &groupcommit.Committer[store.UsageEvent, store.UsageOutcome]{Commit: c.commit, Linger: c.linger,
			MaxGroup: c.maxGroup, MaxBytes: c.maxBytes, Observe: c.observe}
	})
	return c.gc.Submit(ctx, evs, bytes)
}
