package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/web"
)

func deviceCookie(r resp) *http.Cookie { return r.Cookie(web.DeviceCookie) }

// TestSignInKnownDevicePassesLockout: guessers exhaust an email's budget, yet the
// member's own browser (known from an earlier sign-in) still gets in with the right
// password; every other client stays locked (issue 13, defect 5).
func TestSignInKnownDevicePassesLockout(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("ada@example.com", auth.RoleMember)
		e.member("bob@example.com", auth.RoleMember)
		good := url.Values{"email": {"ada@example.com"}, "password": {testPassword}}
		r := e.Post("/signin", good, nil)
		wantStatus(t, r, http.StatusSeeOther)
		ada := deviceCookie(r)
		if ada == nil || !ada.HttpOnly || ada.Path != "/signin" {
			t.Fatalf("no known-device cookie after sign-in: %+v", ada)
		}
		r = e.Post("/signin", url.Values{"email": {"bob@example.com"}, "password": {testPassword}}, nil)
		wantStatus(t, r, http.StatusSeeOther)
		bob := deviceCookie(r)

		bad := url.Values{"email": {"ada@example.com"}, "password": {"guess"}}
		for i := 0; i < web.SignInBurstPerEmail-1; i++ { // one token went to the sign-in above
			wantStatus(t, e.Post("/signin", bad, nil), http.StatusUnauthorized)
		}
		wantStatus(t, e.Post("/signin", bad, nil), http.StatusTooManyRequests)
		wantStatus(t, e.Post("/signin", good, nil), http.StatusTooManyRequests)
		// Bob's browser is known, but for Bob: it does not open Ada's lock.
		wantStatus(t, e.Post("/signin", good, bob), http.StatusTooManyRequests)
		// An unknown or forged device cookie is no better than none.
		wantStatus(t, e.Post("/signin", good, &http.Cookie{Name: web.DeviceCookie, Value: "forged"}), http.StatusTooManyRequests)

		r = e.Post("/signin", good, ada)
		wantStatus(t, r, http.StatusSeeOther)
		if sessionCookie(r) == nil {
			t.Fatal("known device signed in without a session")
		}
		if c := deviceCookie(r); c == nil || c.Value != ada.Value {
			t.Errorf("known device's cookie changed: %+v", c)
		}
		// The device has a budget of its own, so a stolen cookie is no free pass.
		wrong := url.Values{"email": {"ada@example.com"}, "password": {"guess"}}
		n := 0
		for ; n <= web.SignInBurstPerEmail; n++ {
			if e.Post("/signin", wrong, ada).Code == http.StatusTooManyRequests {
				break
			}
		}
		if n != web.SignInBurstPerEmail-1 {
			t.Errorf("device bucket refused after %d wrong passwords, want %d", n, web.SignInBurstPerEmail-1)
		}
	})
}

// TestSignInTrustedProxy: behind a listed proxy each client has its own per-address
// budget (the right-most hop that is not a proxy); without the setting the header is
// ignored and the peer is the client (issue 13, defect 5).
func TestSignInTrustedProxy(t *testing.T) {
	for _, tc := range []struct {
		name        string
		proxies     string
		otherClient int
	}{
		{"listed proxy", "192.0.2.0/24", http.StatusUnauthorized},
		{"no proxies listed", "", http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				cfg := config.Default()
				ps, err := auth.ParseProxies(tc.proxies)
				if err != nil {
					t.Fatal(err)
				}
				cfg.TrustedProxies = ps
				// The shared limits refill by the store's clock: held still, a slow
				// machine cannot refill a token between the tries and shift the count.
				at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
				s.Now = func() time.Time { return at }
				e := newEnvConfig(t, s, cfg)
				try := func(n int, xff string) int {
					form := url.Values{"email": {fmt.Sprintf("x%d@example.com", n)}, "password": {"guess"}}
					// httptest's peer is 192.0.2.1; the client forges a hop to the left.
					return e.Do("POST", "/signin", form, nil, "X-Forwarded-For: 10.9.9.9, "+xff).Code
				}
				n := 0
				for ; n <= web.SignInBurstPerIP; n++ {
					if try(n, "198.51.100.1") == http.StatusTooManyRequests {
						break
					}
				}
				if n != web.SignInBurstPerIP {
					t.Fatalf("per-address limit after %d, want %d", n, web.SignInBurstPerIP)
				}
				if got := try(1000, "198.51.100.2"); got != tc.otherClient {
					t.Errorf("another client behind the proxy: %d, want %d", got, tc.otherClient)
				}
			})
		})
	}
}

func TestLimitsCleanupJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		past := time.Now().Add(-time.Hour)
		s.Now = func() time.Time { return past }
		if _, err := s.TakeToken(ctx, "old", 5, time.Second); err != nil {
			t.Fatal(err)
		}
		s.Now = time.Now
		if _, err := s.TakeToken(ctx, "fresh", 5, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := web.LimitsCleanupJob(s, slog.New(slog.DiscardHandler)).Run(ctx, ""); err != nil {
			t.Fatal(err)
		}
		// Only the full bucket went: the one still draining is left, and nothing else is due.
		if n, err := s.DeleteExpiredLimits(ctx); err != nil || n != 0 {
			t.Fatalf("after the job %d rows still due, %v", n, err)
		}
		s.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		if n, err := s.DeleteExpiredLimits(ctx); err != nil || n != 1 {
			t.Fatalf("the draining bucket: %d rows, %v; want 1", n, err)
		}
	})
}
