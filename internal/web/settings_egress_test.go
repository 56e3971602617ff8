package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Settings → Webhooks lets an admin list the internal hosts webhooks may reach, one
// per line; a bad entry is refused naming it and nothing is saved.
func TestWebhookEgressForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		admin := e.session(e.member("ada@example.com", auth.RoleAdmin))
		member := e.session(e.member("mo@example.com", auth.RoleMember))
		wantIn(t, e.get("/settings/webhooks", admin), `id="webhook-egress"`, "Allowed internal hosts")
		wantStatus(t, e.post("/settings/webhooks/egress", url.Values{"allow_hosts": {"hooks.internal"}}, member), http.StatusForbidden)
		wantStatus(t, e.post("/settings/webhooks/egress", url.Values{"allow_hosts": {"Hooks.Internal\r\n10.0.0.12\n\n[::1]"}}, admin), http.StatusSeeOther)
		eg, err := notify.LoadEgress(e.ctx, s)
		if err != nil || len(eg.AllowHosts) != 3 || eg.AllowHosts[0] != "hooks.internal" || eg.AllowHosts[2] != "::1" {
			t.Fatalf("saved %+v %v", eg, err)
		}
		wantIn(t, e.get("/settings/webhooks", admin), "hooks.internal\n10.0.0.12\n::1")
		r := e.post("/settings/webhooks/egress", url.Values{"allow_hosts": {"http://evil.example/path"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not a host name")
		if eg, _ := notify.LoadEgress(e.ctx, s); len(eg.AllowHosts) != 3 {
			t.Fatalf("a refused save changed the hosts: %+v", eg)
		}
	})
}
