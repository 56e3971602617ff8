package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

// GET /api/v1/accounts/{id}/usage answers every day of the range with the roll-ups'
// figures; bad days and unknown accounts get their documented answers.
func TestAccountUsageAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		now := e.s.Now()
		var evs []store.UsageEvent
		for i, typ := range []string{"group", "track", "track"} {
			evs = append(evs, store.UsageEvent{MessageID: "m" + string(rune('a'+i)), Type: typ, Event: "Report Created", UserID: "ann", GroupID: "acme",
				Timestamp: now.Add(-time.Minute), ReceivedAt: now, Payload: []byte(`{}`)})
		}
		if _, err := e.s.CommitUsage(context.Background(), evs, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		var a account
		e.call(e.read, "GET", "/api/v1/accounts/by-external-id/acme", nil, 200, &a)
		var u store.AccountUsage
		e.call(e.read, "GET", "/api/v1/usage/accounts/"+a.ID+"?days=7", nil, 200, &u)
		if len(u.Days) != 7 || u.Days[6].Events != 2 || u.Days[6].ActiveUsers != 1 || u.ActiveUsers != 1 || u.Events != 2 ||
			len(u.TopEvents) != 1 || u.TopEvents[0].Count != 2 || u.LastSeen == nil {
			t.Fatalf("usage: %+v", u)
		}
		for _, q := range []string{"?days=0", "?days=401", "?days=x"} {
			r := e.call(e.read, "GET", "/api/v1/usage/accounts/"+a.ID+q, nil, 400, nil)
			if !strings.Contains(string(r.Body), "days") {
				t.Errorf("%s: %s", q, r.Body)
			}
		}
		e.call(e.read, "GET", "/api/v1/usage/accounts/nonesuch", nil, 404, nil)
	})
}
