package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

var newSettingsPages = []string{"/settings/email", "/settings/loop-template", "/settings/webhooks", "/settings/deliveries", "/settings/portal"}

func TestNotifySettingsAreAdminOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("pm@example.com", auth.RoleMember)
		for _, p := range newSettingsPages {
			wantStatus(t, e.Get(p, c), http.StatusForbidden)
		}
		wantStatus(t, e.Post("/settings/email", url.Values{"host": {"smtp.evil.com"}, "from_address": {"x@evil.com"}}, c), http.StatusForbidden)
		wantStatus(t, e.Post("/settings/webhooks", url.Values{"url": {"https://evil.com"}, "event": {"vote.created"}}, c), http.StatusForbidden)
		wantStatus(t, e.Post("/settings/portal/sso", url.Values{"action": {"generate"}}, c), http.StatusForbidden)
		if smtp, _ := notify.LoadSMTP(e.ctx, e.s); smtp.Host != "" {
			t.Fatal("a member changed SMTP settings")
		}
		a := e.signedIn("root@example.com", auth.RoleAdmin)
		for _, p := range newSettingsPages {
			r := e.Get(p, a)
			wantStatus(t, r, http.StatusOK)
			wantIn(t, r, `href="/settings/deliveries"`, `href="/settings/portal"`)
		}
		wantIn(t, e.Get("/settings/webhooks", a), "No webhook endpoints yet")
		wantIn(t, e.Get("/settings/deliveries", a), "Nothing has been sent yet")
	})
}

func TestEmailSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("root@example.com", auth.RoleAdmin)
		form := url.Values{"host": {"smtp.example.com"}, "port": {""}, "username": {"apikey"}, "password": {"s3cret-pw"},
			"from_address": {"product@example.com"}, "from_name": {"Acme"}, "tls": {"starttls"}}
		wantStatus(t, e.Post("/settings/email", form, c), http.StatusSeeOther)
		r := e.Get("/settings/email", c)
		wantIn(t, r, `value="smtp.example.com"`, `value="587"`, "a password is stored")
		wantNotIn(t, r, "s3cret-pw")

		// A blank password keeps the stored one.
		form.Set("password", "")
		form.Set("from_name", "Acme product")
		wantStatus(t, e.Post("/settings/email", form, c), http.StatusSeeOther)
		got, _ := notify.LoadSMTP(e.ctx, e.s)
		if got.Password != "s3cret-pw" || got.FromName != "Acme product" {
			t.Fatalf("saved %+v", got)
		}

		// A bad address is refused and shown back as typed.
		form.Set("from_address", "not an address")
		r = e.Post("/settings/email", form, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not an email address", `value="not an address"`, `value="Acme product"`)

		// The test email reports the server's error (nothing listens on this host).
		r = e.Post("/settings/email/test", url.Values{"to": {"me@example.com"}}, c)
		wantStatus(t, r, http.StatusBadGateway)
		wantIn(t, r, `id="test-err"`)
		r = e.Post("/settings/email/test", url.Values{"to": {"nope"}}, c)
		wantIn(t, r, "is not an email address")
	})
}

// TestEmailSettingsTestSendArrives saves settings pointing at a real SMTP server
// through the form, sends the test email, and finds it in the server's mailbox while
// the page reports success.
func TestEmailSettingsTestSendArrives(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("root@example.com", auth.RoleAdmin)
		srv := smtptest.Start(t)
		st := srv.Settings()
		form := url.Values{"host": {st.Host}, "port": {strconv.Itoa(st.Port)}, "username": {st.Username}, "password": {st.Password},
			"from_address": {st.FromAddress}, "from_name": {st.FromName}, "tls": {string(notify.TLSNone)}}
		wantStatus(t, e.Post("/settings/email", form, c), http.StatusSeeOther)

		r := e.Post("/settings/email/test", url.Values{"to": {"ops@example.com"}}, c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="test-ok"`, "Test email sent to ops@example.com")
		wantNotIn(t, r, `id="test-err"`)

		msgs := srv.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ops@example.com" || msgs[0].From != st.FromAddress {
			t.Fatalf("server received %+v", msgs)
		}
		p, err := smtptest.Parse(msgs[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Subject") != "closeloop test email" || !strings.Contains(p.Text, "outgoing email works") {
			t.Fatalf("message: %v\n%s", p.Header, p.Text)
		}
		if from := p.Header.Get("From"); !strings.Contains(from, st.FromAddress) || !strings.Contains(from, "Closeloop Team") {
			t.Errorf("From: %q", from)
		}

		// A wrong stored password is the server's refusal, shown on the page; nothing
		// more arrives.
		form.Set("password", "wrong")
		wantStatus(t, e.Post("/settings/email", form, c), http.StatusSeeOther)
		r = e.Post("/settings/email/test", url.Values{"to": {"ops@example.com"}}, c)
		wantStatus(t, r, http.StatusBadGateway)
		wantIn(t, r, `id="test-err"`, "The mail server said")
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("%d messages after a refused login", n)
		}
	})
}

func TestLoopTemplateSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("root@example.com", auth.RoleAdmin)
		r := e.Get("/settings/loop-template", c)
		wantIn(t, r, "{{.UnsubscribeURL}}", "{{.FirstName}}", "default")

		r = e.Post("/settings/loop-template", url.Values{"subject": {"Shipped: {{.RequestTitle}}"}, "body": {"Hi {{.FirstName}}, it is live."}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "must contain {{.UnsubscribeURL}}", "Hi {{.FirstName}}, it is live.", `value="Shipped: {{.RequestTitle}}"`)
		if t2, _ := loop.LoadTemplate(e.ctx, e.s); t2 != loop.DefaultTemplate {
			t.Fatal("a template without the unsubscribe link was saved")
		}

		body := "Hi {{.FirstName}}, it is live.\n\nStop: {{.UnsubscribeURL}}\n"
		wantStatus(t, e.Post("/settings/loop-template", url.Values{"subject": {"Shipped: {{.RequestTitle}}"}, "body": {body}}, c), http.StatusSeeOther)
		if t2, _ := loop.LoadTemplate(e.ctx, e.s); t2.Body != body {
			t.Fatalf("saved %+v", t2)
		}
		wantIn(t, e.Get("/settings/loop-template", c), "customized")
		wantStatus(t, e.Post("/settings/loop-template", url.Values{"reset": {"1"}}, c), http.StatusSeeOther)
		if t2, _ := loop.LoadTemplate(e.ctx, e.s); t2 != loop.DefaultTemplate {
			t.Fatal("reset did not restore the default")
		}
	})
}

var hookSecretRE = regexp.MustCompile(`<code id="new-secret" class="once-secret">([^<]+)</code>`)

func TestWebhookSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("root@example.com", auth.RoleAdmin)
		r := e.Post("/settings/webhooks", url.Values{"url": {"ftp://x"}, "description": {"Zap"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "must be an http(s) URL", `value="Zap"`)

		r = e.Post("/settings/webhooks", url.Values{"url": {"https://hooks.example.com/in"}, "event": {"vote.created", "feedback.created"}, "description": {"Zap"}}, c)
		wantStatus(t, r, http.StatusCreated)
		wantIn(t, r, "it will not be shown again")
		m := hookSecretRE.FindStringSubmatch(r.Text)
		if m == nil {
			t.Fatal("secret not shown")
		}
		eps, err := e.s.ListWebhookEndpoints(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != 1 || eps[0].Secret != m[1] || !eps[0].Active || len(eps[0].Events) != 2 {
			t.Fatalf("endpoints %+v", eps)
		}
		r = e.Get("/settings/webhooks", c)
		wantIn(t, r, "https://hooks.example.com/in", "vote.created", "enabled")
		wantNotIn(t, r, m[1], "not be shown again")

		wantStatus(t, e.Post("/settings/webhooks/"+eps[0].ID+"/active", url.Values{"active": {"0"}}, c), http.StatusSeeOther)
		got, err := e.s.GetWebhookEndpoint(e.ctx, eps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Active || got.Secret != m[1] {
			t.Fatalf("after disable %+v", got)
		}
		wantStatus(t, e.Post("/settings/webhooks/"+eps[0].ID+"/delete", url.Values{}, c), http.StatusSeeOther)
		wantStatus(t, e.Post("/settings/webhooks/"+eps[0].ID+"/delete", url.Values{}, c), http.StatusNotFound)
	})
}

func TestDeliveriesSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("root@example.com", auth.RoleAdmin)
		it, err := notify.EnqueueEmail(e.ctx, e.s, "test", notify.EmailPayload{Message: notify.Message{ToEmail: "ann@acme.com", Subject: "<b>Hello</b>", Text: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		r := e.Get("/settings/deliveries", c)
		wantIn(t, r, "ann@acme.com", "queued", "&lt;b&gt;Hello&lt;/b&gt;")
		wantNotIn(t, r, "Retry now")
		wantIn(t, e.Get("/settings/deliveries?status=failed", c), "No deliveries match")
		r = e.Get("/settings/deliveries?show="+it.ID, c)
		wantIn(t, r, "No attempt yet")
		// Only failed or skipped rows can be retried.
		wantStatus(t, e.Post("/settings/deliveries/"+it.ID+"/retry", url.Values{}, c), http.StatusConflict)
		storetest.Must(t, e.s.FinishOutbox(e.ctx, store.OutboxResult{ID: it.ID, At: time.Now().UTC(), Error: "550 no such user"}))
		r = e.Get("/settings/deliveries?status=failed", c)
		wantIn(t, r, "550 no such user", "Retry now")
		wantStatus(t, e.Post("/settings/deliveries/"+it.ID+"/retry", url.Values{}, c), http.StatusSeeOther)
		if got, _ := e.s.GetOutbox(e.ctx, it.ID); got.Status != store.OutboxQueued {
			t.Fatalf("after retry %s", got.Status)
		}
	})
}

var ssoRE = regexp.MustCompile(`<code id="new-sso-secret" class="once-secret">([^<]+)</code>`)

func TestPortalSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("root@example.com", auth.RoleAdmin)
		r := e.Post("/settings/portal", url.Values{"name": {"Acme ideas"}, "accent": {"red"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not a hex colour", `value="Acme ideas"`, `value="red"`)
		wantStatus(t, e.Post("/settings/portal", url.Values{"name": {"Acme ideas"}, "accent": {"#ff0000"}, "sign_in_url": {"https://app.example.com/sso"}}, c), http.StatusSeeOther)
		if ps, _ := portal.LoadSettings(e.ctx, e.s); ps.Name != "Acme ideas" || ps.Accent != "#ff0000" {
			t.Fatalf("saved %+v", ps)
		}
		wantIn(t, e.Get("/settings/portal", c), `id="sso-status">disabled`)

		r = e.Post("/settings/portal/sso", url.Values{"action": {"generate"}}, c)
		wantStatus(t, r, http.StatusCreated)
		m := ssoRE.FindStringSubmatch(r.Text)
		if m == nil {
			t.Fatal("secret not shown")
		}
		if got, _ := portal.LoadSSOSecret(e.ctx, e.s); got != m[1] {
			t.Fatal("shown secret is not the stored one")
		}
		r = e.Get("/settings/portal", c)
		wantIn(t, r, `id="sso-status">enabled`)
		wantNotIn(t, r, m[1])
		wantStatus(t, e.Post("/settings/portal/sso", url.Values{"action": {"disable"}}, c), http.StatusSeeOther)
		if got, _ := portal.LoadSSOSecret(e.ctx, e.s); got != "" {
			t.Fatal("not disabled")
		}
	})
}
