// Package id makes the identifiers every record carries. IDs are generated in the
// application (not by the database) so that the same code path works on SQLite and
// PostgreSQL and a batch can be linked before it is written.
package id

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"sync"
	"time"
)

// Crockford-style lowercase alphabet: sortable as plain strings, no ambiguous letters.
var enc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns a 26-character ID whose first 10 characters encode the creation time in
// milliseconds, so IDs sort by creation time and make good keyset cursors.
func New() string {
	return NewAt(time.Now())
}

// NewAt is New with an explicit time; generators use it to make history that sorts
// the way it happened. IDs made in the same millisecond by this process still sort in
// the order they were made: the random part of the next one is the previous one plus
// one (as ULID's monotonic mode does), so records created together keep their order
// in cursors and timelines.
func NewAt(t time.Time) string {
	ms := uint64(t.UnixMilli())
	mu.Lock()
	r, seen := last[ms]
	if seen {
		r = increment(r)
	} else {
		if _, err := rand.Read(r[:]); err != nil {
			panic("id: crypto/rand failed: " + err.Error())
		}
		r[0] &= 0x7f // headroom, so increments within a millisecond never wrap
		if len(last) >= 4096 {
			clear(last) // only recent milliseconds matter; backdated ones are rare
		}
	}
	last[ms] = r
	mu.Unlock()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	copy(b[6:], r[:])
	return enc.EncodeToString(b[:])
}

// last remembers, per millisecond, the random part of the newest ID made in it
// (per millisecond, not just the latest one: an ID backdated in between, such as a
// movement effective last year, must not break the order of today's IDs).
var (
	mu   sync.Mutex
	last = map[uint64][10]byte{}
)

func increment(r [10]byte) [10]byte {
	for i := len(r) - 1; i >= 0; i-- {
		r[i]++
		if r[i] != 0 {
			break
		}
	}
	return r
}

// NewAtSeeded is NewAt with the random part drawn from next, for generators that must
// produce the same IDs from the same seed.
func NewAtSeeded(t time.Time, next func() uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	binary.BigEndian.PutUint64(b[8:], next())
	r := next()
	b[6], b[7] = byte(r>>8), byte(r)
	return enc.EncodeToString(b[:])
}
