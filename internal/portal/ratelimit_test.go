package portal_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

// untilLimited sends up to tries requests and returns the number let through before
// the first 429 and that answer; n is -1 when none was refused.
func untilLimited(tries int, send func(i int) resp) (n int, refused resp) {
	for i := 0; i < tries; i++ {
		if r := send(i); r.Code == http.StatusTooManyRequests {
			return i, r
		}
	}
	return -1, resp{}
}

func TestRateLimits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ck := e.ann()
		t.Run("ideas: a burst of 5 per person, then 429", func(t *testing.T) {
			n, r := untilLimited(12, func(i int) resp {
				r := e.Post("/portal/submit", url.Values{"title": {"Idea " + strconv.Itoa(i)}}, ck)
				if r.Code != http.StatusTooManyRequests {
					wantStatus(t, r, http.StatusSeeOther)
				}
				return r
			})
			switch {
			case n < 0:
				t.Fatal("ideas are not rate limited")
			case n != 5:
				t.Fatalf("ideas limited after %d, want 5", n)
			}
			wantIn(t, r, "Slow down a little")
			if r.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})
		t.Run("votes: a burst of 30 per person", func(t *testing.T) {
			req := e.request("Dark mode", feedback.Open, true)
			n, _ := untilLimited(40, func(i int) resp {
				action := "/vote"
				if i%2 == 1 {
					action = "/unvote"
				}
				return e.Post("/portal/requests/"+req.ID+action, url.Values{}, ck)
			})
			if n < 0 {
				t.Fatal("votes are not rate limited")
			}
		})
		t.Run("sso: a burst of 20 per address (one was spent above)", func(t *testing.T) {
			if n, _ := untilLimited(25, func(int) resp { return e.Get("/portal/sso?token=x", nil) }); n < 0 {
				t.Fatal("sso is not rate limited")
			}
		})
	})
}
