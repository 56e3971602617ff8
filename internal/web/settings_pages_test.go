package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/billing"
)

// Each settings page on a new install: an admin sees its defaults with its tab
// current, a member is refused it (and refused a post, where one is given).
func TestSettingsPagesFirstOpen(t *testing.T) {
	pages := []struct {
		path          string
		want, notWant []string
		post          url.Values // a member's post to path, refused
	}{
		{path: "/settings/health",
			want: []string{`name="cadence_strategic" inputmode="numeric" value="3"`, `name="cadence_important" inputmode="numeric" value="7"`,
				`name="cadence_standard" inputmode="numeric" value="30"`, `id="kind-email" checked`, `id="on-low_usage" aria-label="Low usage on" checked`,
				`<option value="v1" selected>v1</option>`, `href="/settings/health" aria-current="page"`},
			notWant: []string{`id="kind-note" checked`}},
		{path: "/settings/billing",
			want: []string{"None: every Stripe customer", "No Stripe event received yet.", "/hooks/stripe", billing.AccountKey}},
		{path: "/settings/onboarding",
			want: []string{`href="/settings/onboarding" aria-current="page"`, `name="rows" value="3"`, `name="event_2"`},
			post: url.Values{"rows": {"0"}}},
		{path: "/settings/inbound", want: []string{"Nothing was ignored in the last 30 days."}},
		{path: "/settings/slack",
			want:    []string{"Off: no webhook URL is set.", `href="/settings/slack" aria-current="page"`},
			notWant: []string{`id="slack-remove"`}},
		{path: "/settings/webhooks", want: []string{`id="webhook-egress"`, "Allowed internal hosts"}},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		member := e.signedIn("mo@example.com", auth.RoleMember)
		for _, p := range pages {
			t.Run(strings.TrimPrefix(p.path, "/settings/"), func(t *testing.T) {
				wantStatus(t, e.Get(p.path, member), http.StatusForbidden)
				if p.post != nil {
					wantStatus(t, e.Post(p.path, p.post, member), http.StatusForbidden)
				}
				r := e.Get(p.path, admin)
				wantStatus(t, r, http.StatusOK)
				wantIn(t, r, p.want...)
				wantNotIn(t, r, p.notWant...)
			})
		}
	})
}
