package integration

import (
	"sync"
	"time"
)

// replayCache remembers verified requests for a while so the exact same signed request
// delivered again is refused (401) rather than processed twice. The timestamp window
// already kills old Slack and Zendesk requests, so their entries need only outlive the
// window; Intercom and Help Scout sign no timestamp, so theirs live longer.
//
// It is per process and in memory: with several instances a replay to a different
// instance passes this check — the store's (Source, ExternalID) idempotency still
// stops a second item. Memory is bounded: when full, expired entries are swept and,
// if that is not enough, the entries closest to expiry go first.
type replayCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]entry
}

// entry is one seen request. It is written before the capture runs (so a concurrent
// duplicate is refused) and removed again if the capture fails (so the retry is not).
type entry struct {
	expires time.Time
}

const (
	replayCacheMax = 100000
	// timestamped vendors: the window on both sides plus slack for clock skew.
	replayTTLWindowed = 2*replayWindow + time.Minute
	// vendors without a signed timestamp: long enough to cover their retry schedules.
	replayTTLUnwindowed = 24 * time.Hour
)

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, entries: map[string]entry{}}
}

// reserve records key and reports whether it was new (or had expired).
func (c *replayCache) reserve(key string, now time.Time, ttl time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && now.Before(e.expires) {
		return false
	}
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[key] = entry{expires: now.Add(ttl)}
	return true
}

// release forgets key: the request was not processed, so its retry must be let in.
func (c *replayCache) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

func (c *replayCache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	// Still full: drop a tenth, soonest to expire first (approximately: map order is
	// random, so take the earliest-expiring of a sample). Under a flood of distinct
	// valid signatures this only weakens the replay check, never idempotency.
	for len(c.entries) >= c.max {
		var victim string
		var at time.Time
		n := 0
		for k, e := range c.entries {
			if victim == "" || e.expires.Before(at) {
				victim, at = k, e.expires
			}
			if n++; n >= 64 {
				break
			}
		}
		delete(c.entries, victim)
	}
}
