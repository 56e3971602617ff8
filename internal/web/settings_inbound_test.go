package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Settings → Inbound (admins) lists the ignored deliveries, escaped and filterable by
// channel, and says so when there are none.
func TestInboundSettingsListsIgnoredDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		admin := e.session(e.member("ada@example.com", auth.RoleAdmin))
		member := e.session(e.member("mo@example.com", auth.RoleMember))
		wantStatus(t, e.get("/settings/inbound", member), http.StatusForbidden)
		wantIn(t, e.get("/settings/inbound", admin), "Nothing was ignored in the last 30 days.")
		now := time.Now()
		if err := s.RecordIgnored(e.ctx, "email", "auto-reply (X-Autoreply)", "Ann <ann@acme.com><script>x</script>", now); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordIgnored(e.ctx, "slack", "message from our own workspace", "U123: hello", now); err != nil {
			t.Fatal(err)
		}
		r := e.get("/settings/inbound", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "auto-reply (X-Autoreply)", "Ann &lt;ann@acme.com&gt;&lt;script&gt;x&lt;/script&gt;", "message from our own workspace")
		wantNotIn(t, r, "<script>x</script>")
		r = e.get("/settings/inbound?source=slack", admin)
		wantIn(t, r, "message from our own workspace")
		wantNotIn(t, r, "auto-reply (X-Autoreply)")
		if n, err := s.PruneIgnored(e.ctx, now.Add(31*24*time.Hour)); err != nil || n != 2 {
			t.Fatalf("prune after 31 days: %d %v", n, err)
		}
	})
}
