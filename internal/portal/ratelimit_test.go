package portal_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ck := e.signIn(claims("ann@acme.com"))

		// Ideas: a burst of 5 per person, then 429.
		for i := 0; ; i++ {
			r := e.post("/portal/submit", url.Values{"title": {"Idea " + strconv.Itoa(i)}}, ck)
			if r.Code == http.StatusTooManyRequests {
				if i != 5 {
					t.Fatalf("ideas limited after %d, want 5", i)
				}
				wantIn(t, r, "Slow down a little")
				if r.Header().Get("Retry-After") == "" {
					t.Error("no Retry-After")
				}
				break
			}
			wantStatus(t, r, http.StatusSeeOther)
			if i > 10 {
				t.Fatal("ideas are not rate limited")
			}
		}

		// Votes: a burst of 30 per person.
		req := e.request("Dark mode", feedback.Open, true)
		limited := false
		for i := 0; i < 40 && !limited; i++ {
			action := "/vote"
			if i%2 == 1 {
				action = "/unvote"
			}
			limited = e.post("/portal/requests/"+req.ID+action, url.Values{}, ck).Code == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("votes are not rate limited")
		}

		// SSO: a burst of 20 per address (one was spent above).
		limited = false
		for i := 0; i < 25 && !limited; i++ {
			limited = e.get("/portal/sso?token=x", nil).Code == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("sso is not rate limited")
		}
	})
}
