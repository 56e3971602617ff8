package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/notify"
)

// Settings → Webhooks lets an admin list the internal hosts webhooks may reach, one
// per line; a bad entry is refused naming it and nothing is saved.
func TestWebhookEgressForm(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		member := e.signedIn("mo@example.com", auth.RoleMember)
		wantStatus(t, e.Post("/settings/webhooks/egress", url.Values{"allow_hosts": {"hooks.internal"}}, member), http.StatusForbidden)
		wantStatus(t, e.Post("/settings/webhooks/egress", url.Values{"allow_hosts": {"Hooks.Internal\r\n10.0.0.12\n\n[::1]"}}, admin), http.StatusSeeOther)
		eg, err := notify.LoadEgress(e.ctx, e.s)
		if err != nil || len(eg.AllowHosts) != 3 || eg.AllowHosts[0] != "hooks.internal" || eg.AllowHosts[2] != "::1" {
			t.Fatalf("saved %+v %v", eg, err)
		}
		wantIn(t, e.Get("/settings/webhooks", admin), "hooks.internal\n10.0.0.12\n::1")
		r := e.Post("/settings/webhooks/egress", url.Values{"allow_hosts": {"http://evil.example/path"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not a host name")
		if eg, _ := notify.LoadEgress(e.ctx, e.s); len(eg.AllowHosts) != 3 {
			t.Fatalf("a refused save changed the hosts: %+v", eg)
		}
	})
}
