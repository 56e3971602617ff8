package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Replay protection. A verified request is remembered for a while under a key made of
// everything the vendor signs or sends as the delivery's identity — the decoded
// signature bytes (never the header's text, so a non-canonical base64 or hex spelling
// of the same MAC is the same key), the signed timestamp, and unsigned identity
// headers such as X-HelpScout-Event — so the exact same delivery seen again is
// answered 200 "duplicate" and stores nothing. Vendors redeliver identical bytes when
// they lose our 200; answering that with 401 would log an authentication failure on
// their side and may disable the hook. A forged request never gets this far: the
// signature is checked first.
//
// The timestamp window already kills old Slack and Zendesk requests, so their entries
// need only outlive the window; Intercom, Help Scout and Freshdesk sign no timestamp,
// so theirs live a day.
//
// With Deps.Inbound (the store) the cache lives in the database (inbound_deliveries),
// so every instance on one database shares it; without, it is this in-memory map.

// replayKey is the cache key of one delivery: vendor plus a hash of its identity parts.
// The parts are length-prefixed, so no two different lists hash alike.
func replayKey(vendor string, parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		for i, l := 0, uint64(len(p)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(p)
	}
	return vendor + ":" + hex.EncodeToString(h.Sum(nil))
}

// deliveries is where the replay cache lives: the store, or memoryDeliveries.
type deliveries interface {
	ReserveDelivery(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseDelivery(ctx context.Context, key string) error
}

// memoryDeliveries adapts the in-memory cache (one instance, tests) to deliveries.
type memoryDeliveries struct{ c *replayCache }

func (m memoryDeliveries) ReserveDelivery(_ context.Context, key string, now time.Time, ttl time.Duration) (bool, error) {
	return m.c.reserve(key, now, ttl), nil
}

func (m memoryDeliveries) ReleaseDelivery(_ context.Context, key string) error {
	m.c.release(key)
	return nil
}

// replayCache is the in-memory replay cache. Memory is bounded: when full, expired
// entries are swept and, if that is not enough, the entries closest to expiry go first.
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
