package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
)

// The account page shows 90 days of usage — the active-users chart with a titled
// point per day, the totals, the top events, last seen — and says how to send usage
// when there is none.
func TestAccountPageUsage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("vic@example.com", auth.RoleViewer)
		quiet := e.accountMRR("Quiet", "standard", 1000)
		r := e.Get("/accounts/"+quiet.ID, c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Product usage, last 90 days", "No product usage yet.")

		now := time.Now().UTC()
		var evs []store.UsageEvent
		for i, ev := range []struct{ typ, name, user string }{{"group", "", "ann"}, {"track", "Report Created", "ann"}, {"track", "Report Created", "bob"}, {"page", "Pricing", "bob"}} {
			evs = append(evs, store.UsageEvent{MessageID: fmt.Sprint("m", i), Type: ev.typ, Event: ev.name, UserID: ev.user, GroupID: "busy",
				Timestamp: now.Add(-time.Hour), ReceivedAt: now, Payload: []byte(`{}`), Traits: []byte(`{"name":"Busy <b>Co</b>"}`)})
		}
		if _, err := e.s.CommitUsage(e.ctx, evs, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		busy, err := e.s.GetAccountByExternalID(e.ctx, "busy")
		if err != nil {
			t.Fatal(err)
		}
		r = e.Get("/accounts/"+busy.ID, c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="top-events"`, "<td>Report Created</td><td class=\"num\">2</td>", "2 active users, 3 events; last seen",
			now.Format("2006-01-02")+": 2 active users, 3 events", "Busy &lt;b&gt;Co&lt;/b&gt;")
		wantNotIn(t, r, "No product usage yet.", "<b>Co</b>")
	})
}
