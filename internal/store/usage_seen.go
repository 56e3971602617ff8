package store

import (
	"context"
	"encoding/json"
	"hash/maphash"
	"sync"
)

// seenIDs is SQLite's messageId de-duplication window (PostgreSQL keeps usage_dedup,
// whose unique key also settles two instances' concurrent commits).
//
// usage_dedup held the window as a B-tree keyed by (bucket, messageId). messageIds are
// random, so each of a group's ids landed on its own leaf page: an 800-event commit
// dirtied ~700 pages, wrote them all to the WAL and checkpointed them back, and
// de-duplication cost ingestion half its rate (bench ingest: 45,000 events/s without
// it, 22,000–26,000 with it). usage_seen is instead an append-only log of (seq, bucket,
// messageId) — a commit adds its ids at the log's end, a few pages — and this map,
// rebuilt from the log, answers the look-ups.
//
// The log stays the truth: every commit first reads the rows appended since it last
// looked (by other instances on the same file, or by a commit of its own whose outcome
// it could not know), inside its write transaction, which SQLite serialises; the map
// learns a commit's own rows only once it has committed. So two instances, a restart
// and a rolled-back commit all see exactly what the log says.
type seenIDs struct {
	mu   sync.Mutex
	seed maphash.Seed
	last int64 // the highest seq read from the log, or written to it and committed
	// ids: hash of a messageId → seq of its newest row. A hit is confirmed against the
	// row itself (bucket and full id), so a hash collision can only make an event look
	// new, never drop one as a duplicate.
	ids map[uint64]int64
	// newest is the newest bucket a commit has used; firsts holds each bucket's lowest
	// seq, so that when buckets move on the entries no look-up can match are dropped
	// and the map holds the last two windows' ids (20–40 bytes each), not more.
	newest int64
	firsts map[int64]int64
	// max bounds the map. An install that receives more ids within two windows than
	// that (8 million at the default, some 160–320 MB: four million events a day,
	// every day, with the 24-hour window) forgets its oldest tenth when it is reached,
	// so the window it enforces shortens to what fits: a client's late resend may then
	// be stored twice, never dropped. evicted counts the ids forgotten so.
	max     int
	evicted int64
}

// DefaultUsageDedupMaxIDs bounds the ids SQLite's de-duplication window holds in
// memory (seenIDs.max).
const DefaultUsageDedupMaxIDs = 8_000_000

func newSeenIDs() *seenIDs {
	return &seenIDs{seed: maphash.MakeSeed(), ids: map[uint64]int64{}, firsts: map[int64]int64{}, max: DefaultUsageDedupMaxIDs}
}

// seenRow is one row of usage_seen.
type seenRow struct {
	seq    int64
	bucket int64
	id     string
}

func (c *seenIDs) hash(id string) uint64 { return maphash.String(c.seed, id) }

func (c *seenIDs) learn(r seenRow) {
	c.last = max(c.last, r.seq)
	if r.bucket < c.newest-1 {
		return // too old to match
	}
	c.ids[c.hash(r.id)] = r.seq
	if f, ok := c.firsts[r.bucket]; !ok || r.seq < f {
		c.firsts[r.bucket] = r.seq
	}
	if len(c.ids) > c.max {
		c.evictOldest()
	}
}

// evictOldest forgets the ids with the lowest seqs until a tenth of the bound is free,
// so that it runs once per max/10 new ids, not at every one.
func (c *seenIDs) evictOldest() {
	before := len(c.ids)
	for len(c.ids) > c.max-c.max/10 {
		lo := c.last
		for _, seq := range c.ids {
			lo = min(lo, seq)
		}
		c.drop(lo + (c.last-lo)/10 + 1)
	}
	c.evicted += int64(before - len(c.ids))
}

// drop forgets the ids whose newest row is below seq.
func (c *seenIDs) drop(seq int64) {
	for h, s := range c.ids {
		if s < seq {
			delete(c.ids, h)
		}
	}
}

// advance drops what can no longer match once bucket is current: the ids whose newest
// row is older than every row of the previous bucket.
func (c *seenIDs) advance(bucket int64) {
	if bucket <= c.newest {
		return
	}
	c.newest = bucket
	keep := c.last + 1
	for b, f := range c.firsts {
		if b < bucket-1 {
			delete(c.firsts, b)
		} else {
			keep = min(keep, f)
		}
	}
	c.drop(keep)
}

func scanSeen(sc scanner) (seenRow, error) {
	var r seenRow
	err := sc.Scan(&r.seq, &r.bucket, &r.id)
	return r, err
}

// catchUp reads the rows appended since the map last looked.
func (c *seenIDs) catchUp(ctx context.Context, q q) error {
	rows, err := collect(ctx, q, scanSeen, `SELECT seq, bucket, message_id FROM usage_seen WHERE seq > ? ORDER BY seq`, c.last)
	for _, r := range rows {
		c.learn(r)
	}
	return err
}

// dedup is dedupUsage on SQLite: ids are a group's distinct keys; it returns which are
// fresh, and the rows it appended, for commit to hand to learn once the transaction has
// committed. An id whose newest row is in the current bucket is a duplicate; one in the
// previous bucket is a duplicate too and is recorded again in the current one, so it is
// caught for at least one window after it was last seen (usage_dedup's rule).
func (c *seenIDs) dedup(ctx context.Context, q q, ids []string, bucket int64) (map[string]bool, []seenRow, error) {
	c.advance(bucket)
	if err := c.catchUp(ctx, q); err != nil {
		return nil, nil, err
	}
	var hits []int64
	for _, id := range ids {
		if seq, ok := c.ids[c.hash(id)]; ok {
			hits = append(hits, seq)
		}
	}
	// What the log says of each hit: confirms it is the same id, and in which bucket.
	newestBucket := map[string]int64{}
	if len(hits) > 0 {
		list, _ := json.Marshal(hits)
		rows, err := collect(ctx, q, scanSeen, `SELECT seq, bucket, message_id FROM usage_seen WHERE seq IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			newestBucket[r.id] = r.bucket
		}
	}
	fresh := make(map[string]bool, len(ids))
	record := make([]string, 0, len(ids))
	for _, id := range ids {
		b, seen := newestBucket[id]
		switch {
		case seen && b == bucket:
			fresh[id] = false
		case seen && b == bucket-1:
			fresh[id] = false
			record = append(record, id)
		default:
			fresh[id] = true
			record = append(record, id)
		}
	}
	if len(record) == 0 {
		return fresh, nil, nil
	}
	list, err := json.Marshal(record)
	if err != nil {
		return nil, nil, err
	}
	added, err := collect(ctx, q, scanSeen, `INSERT INTO usage_seen (bucket, message_id) SELECT ?, value FROM json_each(?) RETURNING seq, bucket, message_id`, bucket, string(list))
	if err != nil {
		return nil, nil, err
	}
	return fresh, added, nil
}

// committed hands a committed transaction's rows to the map.
func (c *seenIDs) committed(rows []seenRow) {
	for _, r := range rows {
		c.learn(r)
	}
}

// forget drops the map's entries when the log's old buckets have been deleted.
func (c *seenIDs) forget(bucket int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(bucket)
}

// UsageDedupMemory says, on SQLite, how many messageIds the de-duplication window
// holds in memory and how many the memory bound has made it forget (both 0 on
// PostgreSQL, which keeps them in the database only).
func (s *Store) UsageDedupMemory() (held, evicted int64) {
	if s.seen == nil {
		return 0, 0
	}
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	return int64(len(s.seen.ids)), s.seen.evicted
}
