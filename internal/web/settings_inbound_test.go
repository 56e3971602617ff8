package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Settings → Inbound (admins) lists the ignored deliveries, escaped and filterable by
// channel (that it says so when there are none: TestSettingsPagesFirstOpen).
func TestInboundSettingsListsIgnoredDeliveries(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		now := time.Now()
		storetest.Must(t, e.s.RecordIgnored(e.ctx, "email", "auto-reply (X-Autoreply)", "Ann <ann@acme.com><script>x</script>", now))
		storetest.Must(t, e.s.RecordIgnored(e.ctx, "slack", "message from our own workspace", "U123: hello", now))
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		r := e.Get("/settings/inbound", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "auto-reply (X-Autoreply)", "Ann &lt;ann@acme.com&gt;&lt;script&gt;x&lt;/script&gt;", "message from our own workspace")
		wantNotIn(t, r, "<script>x</script>")
		r = e.Get("/settings/inbound?source=slack", admin)
		wantIn(t, r, "message from our own workspace")
		wantNotIn(t, r, "auto-reply (X-Autoreply)")
		if n, err := e.s.PruneIgnored(e.ctx, now.Add(31*24*time.Hour)); err != nil || n != 2 {
			t.Fatalf("prune after 31 days: %d %v", n, err)
		}
	})
}
