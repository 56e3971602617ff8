package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/notify"
)

// Settings → Slack (off at first, admins only: TestSettingsPagesFirstOpen): a URL that
// is not http(s), or an internal host not allowed by the egress rules, is refused with
// the reason; a good one is saved and shown back only as host and last characters; it
// can be turned off.
func TestSlackSettingsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		r := e.Post("/settings/slack", url.Values{"url": {"ftp://hooks.slack.com/services/x"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "must be an http(s) URL")
		const secret = "http://127.0.0.1:9/services/T000/B000/SECRETtokenWXYZ"
		r = e.Post("/settings/slack", url.Values{"url": {secret}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "egress")
		if err := notify.SaveEgress(e.ctx, e.s, []string{"127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		r = e.Post("/settings/slack", url.Values{"url": {secret}}, admin)
		wantStatus(t, r, http.StatusSeeOther)
		wantFlash(t, r, "Slack alerts are on: accounts turning red are posted to the channel.")
		r = e.Get("/settings/slack", admin)
		wantIn(t, r, "Posting to <code>http://127.0.0.1:9/…WXYZ</code>.", `id="slack-remove"`)
		wantNotIn(t, r, "SECRETtoken")
		wantStatus(t, e.Post("/settings/slack", url.Values{"url": {""}}, admin), http.StatusUnprocessableEntity)
		wantStatus(t, e.Post("/settings/slack", url.Values{"remove": {"1"}}, admin), http.StatusSeeOther)
		if set, err := notify.LoadSlack(e.ctx, e.s); err != nil || set.URL != "" {
			t.Fatalf("after removing: %+v %v", set, err)
		}
	})
}
