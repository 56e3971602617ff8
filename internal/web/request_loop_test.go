package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

const (
	xssName  = `<script>alert(1)</script>`
	xssQuote = `"><img src=x onerror=alert(1)>`
)

// loopEnv is an install with a base URL, a request asked for by two people (one
// without an email address, one with a hostile name and quote), and its session cookies.
type loopEnv struct {
	*env
	req                   feedback.Request
	member, viewer, admin *http.Cookie
}

func newLoopEnv(t *testing.T, s *store.Store, baseURL string) *loopEnv {
	t.Helper()
	cfg := config.Default()
	cfg.BaseURL = baseURL
	e := &loopEnv{env: newEnvConfig(t, s, cfg)}
	e.member = e.session(e.env.member("pm@example.com", auth.RoleMember))
	e.viewer = e.session(e.env.member("viewer@example.com", auth.RoleViewer))
	e.admin = e.session(e.env.member("root@example.com", auth.RoleAdmin))
	acme := e.account(account.Account{Name: "Acme", Domain: "acme.com"})
	e.req = e.request("Dark mode")
	at := time.Now().UTC().AddDate(0, 0, -3)
	for _, c := range []feedback.Capture{
		{Text: "long text", Quote: xssQuote, Source: feedback.SourceEmail, Email: "ann@acme.com", Name: xssName, OccurredAt: at, RequestIDs: []string{e.req.ID}},
		{Text: "Dark mode please", Source: feedback.SourceCall, PersonExternalID: "crm-7", Name: "Nora Nomail", AccountID: acme.ID, OccurredAt: at, RequestIDs: []string{e.req.ID}},
	} {
		if _, _, err := s.Capture(e.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *loopEnv) ship() {
	e.t.Helper()
	r, err := e.s.GetRequest(e.ctx, e.req.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	r.Status = feedback.Shipped
	if _, err := e.s.UpdateRequest(e.ctx, &r); err != nil {
		e.t.Fatal(err)
	}
}

func (e *loopEnv) drafts() map[string]store.LoopEmail {
	e.t.Helper()
	ds, err := e.s.ListLoopEmails(e.ctx, e.req.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]store.LoopEmail{}
	for _, d := range ds {
		out[d.Name] = d
	}
	return out
}

func TestCloseTheLoopPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newLoopEnv(t, s, "https://cl.example.com")
		base := "/requests/" + e.req.ID

		// Not shipped: a friendly explanation, no drafts, no link on the request page.
		r := e.Get(base+"/loop", e.member)
		wantStatus(t, r, http.StatusConflict)
		wantIn(t, r, "not shipped yet", "Back to the request")
		wantNotIn(t, e.Get(base, e.member), base+"/loop")
		if len(e.drafts()) != 0 {
			t.Fatal("drafts prepared for a request that has not shipped")
		}

		e.ship()
		wantIn(t, e.Get(base, e.member), `href="`+base+`/loop"`, "Close the loop")
		r = e.Get(base+"/loop", e.member)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "ann@acme.com", "Nora Nomail", "cannot be emailed", "Send all 1 drafts", "Send selected", "delivery log",
			"Dark mode please", "a call with us")
		ds := e.drafts()
		ann, nora := ds[xssName], ds["Nora Nomail"]
		if ann.Status != store.LoopDraft || nora.Status != store.LoopSkipped || len(ds) != 2 {
			t.Fatalf("drafts %+v", ds)
		}
		// Opening the page again prepares nothing twice.
		wantStatus(t, e.Get(base+"/loop", e.member), http.StatusOK)
		if len(e.drafts()) != 2 {
			t.Fatal("a second visit duplicated drafts")
		}

		// Hostile name and quote show as text on the page, in the text preview and in
		// the HTML preview, which is sandboxed on top.
		r = e.Get(base+"/loop?draft="+ann.ID, e.member)
		wantNotIn(t, r, xssName, xssQuote, "<img src=x")
		wantIn(t, r, "&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", `sandbox=""`, `id="preview-text"`)
		p := e.Get(base+"/loop/"+ann.ID+"/preview", e.member)
		wantStatus(t, p, http.StatusOK)
		wantNotIn(t, p, xssName, "<img src=x")
		wantIn(t, p, "&lt;img src=x onerror=alert(1)&gt;")
		if csp := p.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("preview CSP %q", csp)
		}
		// A draft id under another request is not found.
		other := e.request("Other")
		wantStatus(t, e.Get("/requests/"+other.ID+"/loop/"+ann.ID+"/preview", e.member), http.StatusNotFound)

		// Viewers can neither open the page nor act.
		wantStatus(t, e.Get(base+"/loop", e.viewer), http.StatusForbidden)
		wantStatus(t, e.Post(base+"/loop/"+ann.ID+"/skip", url.Values{}, e.viewer), http.StatusForbidden)
		wantStatus(t, e.Post(base+"/loop/"+ann.ID+"/edit", url.Values{"subject": {"x"}, "body": {"y"}}, e.viewer), http.StatusForbidden)
		wantStatus(t, e.Post(base+"/loop/send", url.Values{"all": {"1"}}, e.viewer), http.StatusForbidden)
		if e.drafts()[xssName].Status != store.LoopDraft {
			t.Fatal("a viewer changed a draft")
		}

		// Edit: a blank body is refused and shown back as typed.
		r = e.Post(base+"/loop/"+ann.ID+"/edit", url.Values{"subject": {"Shipped for you"}, "body": {"  "}}, e.member)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Enter the text of the email.", `value="Shipped for you"`)
		body := "Hi Ann,\n\nIt is live.\n\n" + ann.BodyText[strings.Index(ann.BodyText, "https://cl.example.com/unsubscribe/"):]
		wantStatus(t, e.Post(base+"/loop/"+ann.ID+"/edit", url.Values{"subject": {"Shipped for you"}, "body": {body}}, e.member), http.StatusSeeOther)
		if got := e.drafts()[xssName]; got.Subject != "Shipped for you" || !strings.Contains(got.BodyText, "It is live.") {
			t.Fatalf("edit not saved: %+v", got)
		}
		// The redirect reopens the page, which prepares the drafts again: the edit stays.
		wantIn(t, e.Get(base+"/loop?draft="+ann.ID, e.member), "It is live.", ">edited</span>")
		if got := e.drafts()[xssName]; got.Subject != "Shipped for you" || !strings.Contains(got.BodyText, "It is live.") || !got.Edited {
			t.Fatalf("reopening the page undid the edit: %+v", got)
		}

		// Skip and unskip; someone without email cannot be unskipped.
		wantStatus(t, e.Post(base+"/loop/"+ann.ID+"/skip", url.Values{}, e.member), http.StatusSeeOther)
		if e.drafts()[xssName].Status != store.LoopSkipped {
			t.Fatal("not skipped")
		}
		wantStatus(t, e.Post(base+"/loop/"+nora.ID+"/unskip", url.Values{}, e.member), http.StatusConflict)
		// Send all with everyone skipped queues nothing.
		wantStatus(t, e.Post(base+"/loop/send", url.Values{"all": {"1"}}, e.member), http.StatusSeeOther)
		if e.drafts()[xssName].Status != store.LoopSkipped {
			t.Fatal("a skipped draft was sent")
		}
		wantStatus(t, e.Post(base+"/loop/"+ann.ID+"/unskip", url.Values{}, e.member), http.StatusSeeOther)

		// Send selected: only ids of this request count; Nora's row is never queued.
		r = e.Post(base+"/loop/send", url.Values{"draft": {ann.ID, nora.ID}}, e.member)
		wantStatus(t, r, http.StatusSeeOther)
		ds = e.drafts()
		if ds[xssName].Status != store.LoopQueued || ds["Nora Nomail"].Status != store.LoopSkipped {
			t.Fatalf("after send: %+v", ds)
		}
		r = e.Get(base+"/loop", e.member)
		wantIn(t, r, "1 queued", "can no longer be changed")
		// A queued email can no longer be skipped.
		wantStatus(t, e.Post(base+"/loop/"+ann.ID+"/skip", url.Values{}, e.member), http.StatusConflict)

	})
}

func TestCloseTheLoopWithoutBaseURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newLoopEnv(t, s, "")
		e.ship()
		r := e.Get("/requests/"+e.req.ID+"/loop", e.member)
		wantStatus(t, r, http.StatusConflict)
		wantIn(t, r, "CLOSELOOP_BASE_URL")
	})
}
