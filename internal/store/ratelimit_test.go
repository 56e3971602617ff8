package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestTakeToken walks one bucket (burst 3, one token a second) through a hand-worked
// timeline: 3 at once, refused, one back after 1 s, full again after 3 s, and the
// clean-up deletes only full buckets.
func TestTakeToken(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		take := func(key string) bool {
			t.Helper()
			ok, err := s.TakeToken(ctx, key, 3, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		steps := []struct {
			advance time.Duration
			want    []bool
		}{
			{0, []bool{true, true, true, false, false}},
			{999 * time.Millisecond, []bool{false}},
			{time.Millisecond, []bool{true, false}}, // one token back at +1 s
			{3 * time.Second, []bool{true, true, true, false}},
		}
		for i, st := range steps {
			clock.Add(st.advance)
			for j, want := range st.want {
				if got := take("a"); got != want {
					t.Fatalf("step %d take %d: %v, want %v", i, j, got, want)
				}
			}
		}
		if !take("b") {
			t.Fatal("another key shares a's bucket")
		}
		// a is empty until +3 s; b has 2 of 3 tokens and is full after +1 s.
		clock.Add(time.Second)
		if n, err := s.DeleteExpiredLimits(ctx); err != nil || n != 1 {
			t.Fatalf("clean-up at +1 s: %d rows, %v; want 1 (b)", n, err)
		}
		clock.Add(2 * time.Second)
		if n, err := s.DeleteExpiredLimits(ctx); err != nil || n != 1 {
			t.Fatalf("clean-up at +3 s: %d rows, %v; want 1 (a)", n, err)
		}
		if !take("a") || !take("a") || !take("a") || take("a") {
			t.Fatal("a bucket recreated after clean-up is not full")
		}
	})
}

// TestRateLimitsSharedAcrossInstances: two stores (two instances) on one PostgreSQL
// database draw from one bucket, so a limit of 4 is reached with 2 takes on each.
func TestRateLimitsSharedAcrossInstances(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "postgres")
	var stores []*store.Store
	for range 2 {
		s := storetest.OpenDSN(t, dsn)
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	a := auth.NewSharedLimiter("signin-email", 4, time.Minute, stores[0], nil)
	b := auth.NewSharedLimiter("signin-email", 4, time.Minute, stores[1], nil)
	for i, l := range []*auth.Limiter{a, b, a, b} {
		if !l.AllowCtx(ctx, "mia@example.com") {
			t.Fatalf("take %d refused", i)
		}
	}
	if a.AllowCtx(ctx, "mia@example.com") || b.AllowCtx(ctx, "mia@example.com") {
		t.Fatal("fifth take allowed: the instances keep separate buckets")
	}
	if !a.AllowCtx(ctx, "leo@example.com") {
		t.Fatal("another email is limited too")
	}
}

func TestKnownDevices(t *testing.T) {
	storetest.EachAt(t, time.Now().UTC(), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		m := auth.Member{Email: "mia@example.com", Role: auth.RoleAdmin}
		storetest.Members(t, s, &m)
		if err := s.AddKnownDevice(ctx, "h1", m.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		if id, err := s.KnownDevice(ctx, "h1"); err != nil || id != m.ID {
			t.Fatalf("known device: %q %v", id, err)
		}
		if _, err := s.KnownDevice(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown device: %v", err)
		}
		clock.Add(time.Hour)
		if _, err := s.KnownDevice(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired device: %v", err)
		}
		if n, err := s.DeleteExpiredLimits(ctx); err != nil || n != 1 {
			t.Fatalf("clean-up: %d %v", n, err)
		}
	})
}
