// Package id makes the identifiers every record carries. IDs are generated in the
// application (not by the database) so that the same code path works on SQLite and
// PostgreSQL and a batch can be linked before it is written.
package id

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
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
// the way it happened.
func NewAt(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("id: crypto/rand failed: " + err.Error())
	}
	return enc.EncodeToString(b[:])
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
