package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
)

// hookSink is a webhook receiver that keeps what it was sent.
type hookSink struct {
	*httptest.Server
	mu   sync.Mutex
	got  []http.Header
	body [][]byte
}

func newHookSink(t *testing.T) *hookSink {
	h := &hookSink{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got, h.body = append(h.got, r.Header.Clone()), append(h.body, b)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookSink) count() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.got) }

func TestWebhookEdit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("root@example.com", auth.RoleAdmin)
		member := e.signedIn("pm@example.com", auth.RoleMember)
		oldSink, newSink := newHookSink(t), newHookSink(t)
		// The sinks listen on 127.0.0.1, which webhooks reach only when allowed.
		if err := notify.SaveEgress(e.ctx, e.s, []string{"127.0.0.1"}); err != nil {
			t.Fatal(err)
		}

		r := e.Post("/settings/webhooks", url.Values{"url": {oldSink.URL + "/in"}, "event": {"vote.created"}, "description": {"Zap"}}, admin)
		wantStatus(t, r, http.StatusCreated)
		secret := hookSecretRE.FindStringSubmatch(r.Text)[1]
		eps, err := e.s.ListWebhookEndpoints(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ep := eps[0]
		edit := "/settings/webhooks/" + ep.ID + "/edit"
		// Disabled before the edit, to see that the edit leaves that alone.
		wantStatus(t, e.Post("/settings/webhooks/"+ep.ID+"/active", url.Values{"active": {"0"}}, admin), http.StatusSeeOther)

		wantIn(t, e.Get("/settings/webhooks", admin), `href="`+edit+`"`)
		r = e.Get(edit, admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `value="`+oldSink.URL+`/in"`, `value="vote.created" checked`, `value="Zap"`, "stays disabled", `action="`+edit+`"`)
		wantNotIn(t, r, secret, `value="feedback.created" checked`)

		// Members cannot open or post the form.
		wantStatus(t, e.Get(edit, member), http.StatusForbidden)
		wantStatus(t, e.Post(edit, url.Values{"url": {"https://evil.example.com"}, "event": {"vote.created"}}, member), http.StatusForbidden)

		unchanged := func(what string) {
			t.Helper()
			got, err := e.s.GetWebhookEndpoint(e.ctx, ep.ID)
			if err != nil || got.URL != ep.URL || !slices.Equal(got.Events, ep.Events) || got.Description != "Zap" || got.Secret != secret {
				t.Fatalf("%s changed the endpoint: %+v %v", what, got, err)
			}
		}
		unchanged("a member")

		// Each invalid field is refused and the whole form comes back as typed.
		r = e.Post(edit, url.Values{"url": {"ftp://files.example.com"}, "event": {"feedback.created", "request.status_changed"}, "description": {"Files"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "URL must be an http(s) URL", `value="ftp://files.example.com"`, `value="Files"`,
			`value="feedback.created" checked`, `value="request.status_changed" checked`, "was not saved")
		wantNotIn(t, r, `value="vote.created" checked`)
		unchanged("a bad URL")
		r = e.Post(edit, url.Values{"url": {newSink.URL + "/hook"}, "description": {"Moved"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "choose at least one event", `value="`+newSink.URL+`/hook"`, `value="Moved"`)
		unchanged("no events")
		r = e.Post(edit, url.Values{"url": {newSink.URL + "/hook"}, "event": {"feedback.created"}, "description": {strings.Repeat("d", 301)}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "longer than 300 characters", `value="feedback.created" checked`)
		unchanged("a long description")
		r = e.Post(edit, url.Values{"url": {"https://x.example.com"}, "event": {"no.such.event"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not one of")
		unchanged("an unknown event")

		// A good form saves URL, events and description; secret and state stay.
		r = e.Post(edit, url.Values{"url": {" " + newSink.URL + "/hook "}, "event": {"feedback.created", "vote.created"}, "description": {"Moved"}}, admin)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/settings/webhooks" {
			t.Fatalf("redirect to %q", loc)
		}
		got, err := e.s.GetWebhookEndpoint(e.ctx, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != newSink.URL+"/hook" || !slices.Equal(got.Events, []string{"feedback.created", "vote.created"}) || got.Description != "Moved" ||
			got.Secret != secret || got.Active || got.ID != ep.ID {
			t.Fatalf("after edit: %+v", got)
		}
		r = e.Do("GET", "/settings/webhooks", nil, nil, cookies(admin, respCookie(r, "closeloop_flash")))
		wantIn(t, r, "Endpoint saved", newSink.URL+"/hook", "Moved")

		// Re-enabled, the endpoint gets the newly subscribed event at its new URL,
		// signed with the secret shown at creation.
		wantStatus(t, e.Post("/settings/webhooks/"+ep.ID+"/active", url.Values{"active": {"1"}}, admin), http.StatusSeeOther)
		if _, _, err := e.s.Capture(e.ctx, feedback.Capture{Text: "Exports should keep filters", Source: feedback.SourceAPI}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.s.FanOutWebhooks(e.ctx, 0); err != nil { // webhooks consume the event log
			t.Fatal(err)
		}
		w := &notify.Worker{Store: e.s, Log: slog.New(slog.DiscardHandler)}
		if _, err := w.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
		if oldSink.count() != 0 || newSink.count() != 1 {
			t.Fatalf("deliveries: old URL %d, new URL %d", oldSink.count(), newSink.count())
		}
		if h := newSink.got[0]; h.Get(notify.HeaderEvent) != "feedback.created" {
			t.Fatalf("event %q", h.Get(notify.HeaderEvent))
		}
		if err := notify.VerifySignature(secret, newSink.got[0], newSink.body[0], 5*time.Minute); err != nil {
			t.Fatalf("signature: %v", err)
		}

		// Unknown endpoints are 404 on both verbs.
		wantStatus(t, e.Get("/settings/webhooks/nope/edit", admin), http.StatusNotFound)
		wantStatus(t, e.Post("/settings/webhooks/nope/edit", url.Values{"url": {"https://x.example.com"}, "event": {"vote.created"}}, admin), http.StatusNotFound)
	})
}

// TestWebhookEditKeepsEveryEvent: an endpoint subscribed to "*" sees that box
// ticked on the edit form, so saving does not drop it.
func TestWebhookEditKeepsEveryEvent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("root@example.com", auth.RoleAdmin)
		ep := store.WebhookEndpoint{URL: "https://hooks.example.com/all", Events: []string{"*"}, Active: true}
		if err := notify.CreateEndpoint(e.ctx, e.s, &ep); err != nil {
			t.Fatal(err)
		}
		r := e.Get("/settings/webhooks/"+ep.ID+"/edit", admin)
		wantIn(t, r, `value="*" checked`)
		wantStatus(t, e.Post("/settings/webhooks/"+ep.ID+"/edit", url.Values{"url": {"https://hooks.example.com/everything"}, "event": {"*"}}, admin), http.StatusSeeOther)
		if got, _ := e.s.GetWebhookEndpoint(e.ctx, ep.ID); got.URL != "https://hooks.example.com/everything" || !slices.Equal(got.Events, []string{"*"}) {
			t.Fatalf("after edit: %+v", got)
		}
		wantNotIn(t, e.Get("/settings/webhooks", admin), `value="*"`)
	})
}
