package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TakeToken takes one token from the rate-limit bucket named key, which holds burst
// tokens and gains one every per, and reports whether there was one. The state is a
// row of rate_limits, so every instance on the database draws from the same bucket.
//
// The bucket is GCRA: tat (theoretical arrival time) is when the bucket will be full
// again; a request is allowed when, after it, tat is at most burst·per ahead of now.
// One upsert decides and records atomically on both dialects: a refused request
// leaves the row as it was and returns no row.
func (s *Store) TakeToken(ctx context.Context, key string, burst int, per time.Duration) (bool, error) {
	if burst < 1 || per <= 0 {
		return false, nil
	}
	now := ms(s.Now())
	step := per.Milliseconds()
	if step < 1 {
		step = 1
	}
	limit := int64(burst) * step
	const from = `(CASE WHEN rate_limits.tat > ? THEN rate_limits.tat ELSE ? END)`
	var tat int64
	err := s.writer().row(ctx, `INSERT INTO rate_limits (bucket, tat) VALUES (?, ?)
		ON CONFLICT (bucket) DO UPDATE SET tat = `+from+` + ?
		WHERE `+from+` + ? - ? <= ?
		RETURNING tat`,
		key, now+step, now, now, step, now, now, step, now, limit).Scan(&tat)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrapf(err, "store: take token")
}

// AddKnownDevice records that the device holding the cookie token whose hash is
// tokenHash signed in as memberID, until ttl from now.
func (s *Store) AddKnownDevice(ctx context.Context, tokenHash, memberID string, ttl time.Duration) error {
	_, err := s.writer().exec(ctx, `INSERT INTO known_devices (token_hash, member_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET member_id = excluded.member_id, expires_at = excluded.expires_at`,
		tokenHash, memberID, ms(s.Now().Add(ttl)))
	return wrapf(err, "store: add known device %s", memberID)
}

// KnownDevice answers the member a device cookie's hash signed in as, or ErrNotFound
// (unknown or expired).
func (s *Store) KnownDevice(ctx context.Context, tokenHash string) (memberID string, err error) {
	err = s.read().row(ctx, `SELECT member_id FROM known_devices WHERE token_hash = ? AND expires_at > ?`, tokenHash, ms(s.Now())).Scan(&memberID)
	return memberID, wrapf(notFound(err), "store: known device")
}

// DeleteExpiredLimits removes full rate-limit buckets and expired device records:
// rows that no longer change any decision. It answers how many rows went.
func (s *Store) DeleteExpiredLimits(ctx context.Context) (int64, error) {
	now := ms(s.Now())
	var n int64
	for _, q := range []string{`DELETE FROM rate_limits WHERE tat <= ?`, `DELETE FROM known_devices WHERE expires_at <= ?`} {
		res, err := s.writer().exec(ctx, q, now)
		if err != nil {
			return n, fmt.Errorf("store: delete expired limits: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}
