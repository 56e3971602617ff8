package auth

import (
	"sync"
	"time"
)

// Limiter is a token-bucket rate limiter keyed by a string (an IP, an email). It is
// per process: with several instances each keeps its own buckets, which still bounds
// a guesser to N times the rate — acceptable for sign-in and public endpoints.
type Limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows burst requests at once and then per requests every interval.
func NewLimiter(burst int, per time.Duration) *Limiter {
	return &Limiter{rate: 1 / per.Seconds(), burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes a token for key and reports whether one was there.
func (l *Limiter) Allow(key string) bool {
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
