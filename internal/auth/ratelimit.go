package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"
)

// Limiter is a token-bucket rate limiter keyed by a string (an IP, an email). Made
// with NewLimiter its buckets are in this process; made with NewSharedLimiter they
// are rows in the database, so instances sharing a PostgreSQL database share the
// limit (otherwise N instances would let a guesser N times the rate). A shared
// limiter whose database fails falls back to its own buckets rather than refusing
// everyone or allowing everything.
type Limiter struct {
	mu      sync.Mutex
	per     time.Duration
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	now     func() time.Time

	name   string  // prefix of the shared bucket keys: "signin-email"
	shared Buckets // nil: in process only
	log    *slog.Logger
}

// Buckets keeps token buckets where every instance sees them (store.Store.TakeToken).
type Buckets interface {
	TakeToken(ctx context.Context, key string, burst int, per time.Duration) (bool, error)
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows burst requests at once and then per requests every interval.
func NewLimiter(burst int, per time.Duration) *Limiter {
	return &Limiter{per: per, rate: 1 / per.Seconds(), burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// NewSharedLimiter is NewLimiter with its buckets in b under keys "name:key"; log
// (optional) hears about database failures.
func NewSharedLimiter(name string, burst int, per time.Duration, b Buckets, log *slog.Logger) *Limiter {
	l := NewLimiter(burst, per)
	l.name, l.shared, l.log = name, b, log
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	return l
}

// Allow takes a token for key and reports whether one was there.
func (l *Limiter) Allow(key string) bool { return l.AllowCtx(context.Background(), key) }

// AllowCtx is Allow for a request's context (a shared limiter asks the database).
func (l *Limiter) AllowCtx(ctx context.Context, key string) bool {
	if l.shared != nil {
		ok, err := l.shared.TakeToken(ctx, l.name+":"+boundKey(key), int(l.burst), l.per)
		if err == nil {
			return ok
		}
		l.log.Warn("shared rate limit unavailable; using this instance's", "limit", l.name, "err", err)
	}
	return l.allowLocal(key)
}

// boundKey keeps a stored key short whatever the client sent (a 16 KB "email").
func boundKey(key string) string {
	if len(key) <= 200 {
		return key
	}
	h := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(h[:])
}

func (l *Limiter) allowLocal(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100000 { // bound memory under a flood of distinct keys
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * l.rate
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops buckets that have refilled completely; they hold no information.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
