package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestPortalLimitsAreSharedAndBehindProxies: two portal instances on one database
// draw from one bucket per client address (20 SSO attempts, then 429 from either),
// and behind a listed proxy the address is the forwarded client's (issue 13).
func TestPortalLimitsAreSharedAndBehindProxies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		ps, err := auth.ParseProxies("192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		cfg.TrustedProxies = ps
		a, b := newEnvConfig(t, s, cfg, true), newEnvConfig(t, s, cfg, false)
		bad := "/portal/sso?token=" + url.QueryEscape("x.y.z")
		n := 0
		for ; n <= 40; n++ {
			e := a
			if n%2 == 1 {
				e = b
			}
			if e.Do("GET", bad, nil, nil, "X-Forwarded-For: 198.51.100.7").Code == http.StatusTooManyRequests {
				break
			}
		}
		if n != 20 {
			t.Fatalf("limited after %d attempts across two instances, want 20", n)
		}
		// Another client behind the same proxy still has its budget.
		if r := b.Do("GET", bad, nil, nil, "X-Forwarded-For: 198.51.100.8"); r.Code != http.StatusUnauthorized {
			t.Fatalf("another client: %d", r.Code)
		}
	})
}
