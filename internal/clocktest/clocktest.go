// Package clocktest is the tests' one controllable clock: give its Now to the store
// (s.Now = c.Now) and to whatever else reads the time (a worker, a job runner), then
// move it with Add or Set. It is safe for concurrent use, so a background worker and
// the test may read and move it at once.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a time that moves only when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock standing at t (in UTC).
func New(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// AddDate moves the clock by calendar years, months and days, as time.Time.AddDate.
func (c *Clock) AddDate(years, months, days int) {
	c.mu.Lock()
	c.t = c.t.AddDate(years, months, days)
	c.mu.Unlock()
}

// Set moves the clock to t (in UTC).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}
