package loop_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/webtest"
)

// world is a shipped request with its askers, a real SMTP server and a worker.
type world struct {
	t     *testing.T
	s     *store.Store
	c     *clocktest.Clock
	srv   *smtptest.Server
	w     *notify.Worker
	svc   *loop.Service
	acme  account.Account
	sso   feedback.Request
	quote map[string]string // person name → the quote their email must carry
}

func newWorld(t *testing.T, s *store.Store) *world {
	ctx := context.Background()
	c := clocktest.New(time.Now().Truncate(time.Millisecond))
	s.Now = c.Now
	srv := smtptest.Start(t)
	if _, err := notify.SaveSMTP(ctx, s, srv.Settings()); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, s: s, c: c, srv: srv, quote: map[string]string{},
		w:   &notify.Worker{Store: s, Now: c.Now, Log: slog.New(slog.DiscardHandler)},
		svc: loop.New(s, "https://cl.example.com/")}
	w.acme = account.Account{Name: "Acme", Domain: "acme.com"}
	if err := s.CreateAccount(ctx, &w.acme); err != nil {
		t.Fatal(err)
	}
	w.sso = feedback.Request{Title: "Single sign-on", ReleaseNote: "Turn it on under Settings → Security."}
	saml := feedback.Request{Title: "SAML"}
	storetest.Must(t, s.CreateRequest(ctx, &w.sso))
	storetest.Must(t, s.CreateRequest(ctx, &saml))
	if err := s.MergeRequest(ctx, saml.ID, w.sso.ID); err != nil {
		t.Fatal(err)
	}
	ago := func(d int) time.Time { return c.Now().AddDate(0, 0, -d) }
	// Ann asked twice, through two channels: her email quotes the most recent.
	w.capture(feedback.Capture{Text: "We really need SSO for our auditors.", Source: feedback.SourceEmail, Email: "ann@acme.com", Name: "Ann Archer", OccurredAt: ago(30), RequestIDs: []string{w.sso.ID}})
	w.capture(feedback.Capture{Text: "Long call.", Quote: "Okta login is a blocker for our renewal", Source: feedback.SourceCall, Email: "ann@acme.com", OccurredAt: ago(3), RequestIDs: []string{w.sso.ID}})
	w.quote["Ann Archer"] = "Okta login is a blocker for our renewal"
	// Bob asked for the request that was merged into SSO.
	w.capture(feedback.Capture{Text: "SAML support please, our IT insists on it.", Source: feedback.SourceIntercom, Email: "bob@acme.com", Name: "Bob Baker", OccurredAt: ago(10), RequestIDs: []string{saml.ID}})
	w.quote["Bob Baker"] = "SAML support please, our IT insists on it."
	// Cat's words are hostile markup: they must arrive as text.
	catQuote := "Please ship SSO " + webtest.XSSScript + " and " + webtest.XSSAttr
	w.capture(feedback.Capture{Text: catQuote, Quote: catQuote, Source: feedback.SourceSlack, Email: "cat@acme.com", Name: "Cat Carter", OccurredAt: ago(5), RequestIDs: []string{w.sso.ID}})
	w.quote["Cat Carter"] = catQuote
	// Dan only voted; Nomail asked but has no address.
	dan := account.Person{Email: "dan@acme.com", Name: "Dan Dunn", AccountID: w.acme.ID}
	storetest.Must(t, s.CreatePerson(ctx, &dan))
	if _, err := s.Vote(ctx, &feedback.Vote{RequestID: w.sso.ID, PersonID: dan.ID, Source: feedback.VotePortal}); err != nil {
		t.Fatal(err)
	}
	w.capture(feedback.Capture{Text: "SSO!", Source: feedback.SourceCall, PersonExternalID: "crm-7", Name: "Nora Nomail", AccountID: w.acme.ID, OccurredAt: ago(2), RequestIDs: []string{w.sso.ID}})
	w.ship(&w.sso)
	return w
}

func (w *world) capture(c feedback.Capture) {
	if _, _, err := w.s.Capture(context.Background(), c); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) ship(r *feedback.Request) {
	r.Status = feedback.Shipped
	prev, err := w.s.UpdateRequest(context.Background(), r)
	if err != nil || prev == feedback.Shipped {
		w.t.Fatalf("ship: %v %v", prev, err)
	}
}

func (w *world) byName(ds []store.LoopEmail) map[string]store.LoopEmail {
	m := map[string]store.LoopEmail{}
	for _, d := range ds {
		if _, dup := m[d.Name]; dup {
			w.t.Fatalf("%s has two drafts", d.Name)
		}
		m[d.Name] = d
	}
	return m
}

// received parses every accepted message, keyed by recipient address.
func (w *world) received() map[string]smtptest.Parsed {
	out := map[string]smtptest.Parsed{}
	for _, m := range w.srv.Messages() {
		p, err := smtptest.Parse(m.Data)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(m.To) != 1 {
			w.t.Fatalf("one recipient per message, got %v", m.To)
		}
		if _, dup := out[m.To[0]]; dup {
			w.t.Fatalf("%s received two messages", m.To[0])
		}
		out[m.To[0]] = p
	}
	return out
}

func TestCloseTheLoopEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		res, err := w.svc.Prepare(ctx, w.sso.ID)
		if err != nil {
			t.Fatal(err)
		}
		drafts := w.byName(res.Drafts)
		if len(res.Sendable()) != 4 || len(drafts) != 5 {
			t.Fatalf("drafts: %+v", res.Drafts)
		}
		if cant := res.CannotEmail(); len(cant) != 1 || cant[0].Name != "Nora Nomail" || cant[0].Status != store.LoopSkipped {
			t.Fatalf("cannot be emailed: %+v", cant)
		}
		for name, q := range w.quote {
			if d := drafts[name]; d.Quote != q || !strings.Contains(d.BodyText, q) {
				t.Fatalf("%s's draft does not quote them: %+v", name, d)
			}
		}
		if d := drafts["Ann Archer"]; d.Channel != "call" || !strings.Contains(d.BodyText, "via a call with us") || !strings.HasPrefix(d.BodyText, "Hi Ann,") {
			t.Fatalf("ann: %q", d.BodyText)
		}
		if d := drafts["Dan Dunn"]; d.Quote != "" || !d.Voted || !strings.Contains(d.BodyText, `You voted for "Single sign-on"`) {
			t.Fatalf("dan: %q", d.BodyText)
		}
		if !strings.Contains(drafts["Dan Dunn"].BodyText, "Turn it on under Settings → Security.") {
			t.Fatal("release note missing")
		}
		// Preview renders the same draft as text and escaped HTML.
		pv, err := w.svc.Preview(ctx, drafts["Cat Carter"].ID)
		if err != nil || strings.Contains(pv.HTML, "<script>") || strings.Contains(pv.HTML, "<img") || !strings.Contains(pv.HTML, "&lt;script&gt;") {
			t.Fatalf("preview: %v\n%s", err, pv.HTML)
		}
		// Prepare again changes nothing: still one draft per person.
		again, _ := w.svc.Prepare(ctx, w.sso.ID)
		if len(again.Drafts) != 5 || again.Drafts[0].ID != res.Drafts[0].ID {
			t.Fatalf("second prepare: %+v", again.Drafts)
		}

		if err := w.svc.Skip(ctx, drafts["Bob Baker"].ID); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range res.Drafts {
			ids = append(ids, d.ID) // including the skipped and the address-less: Send must refuse them
		}
		sent, err := w.svc.Send(ctx, ids)
		if err != nil || sent.Queued != 3 || sent.Skipped != 2 {
			t.Fatalf("send: %+v %v", sent, err)
		}
		if again, _ := w.svc.Send(ctx, ids); again.Queued != 0 {
			t.Fatalf("a second Send queued %d again", again.Queued)
		}
		if n, err := w.w.Tick(ctx); n != 3 || err != nil {
			t.Fatalf("tick: %d %v", n, err)
		}

		got := w.received()
		if len(got) != 3 {
			t.Fatalf("the server received %d messages", len(w.srv.Messages()))
		}
		if _, ok := got["bob@acme.com"]; ok {
			t.Fatal("the skipped recipient got an email")
		}
		names := map[string]string{"ann@acme.com": "Ann Archer", "cat@acme.com": "Cat Carter", "dan@acme.com": "Dan Dunn"}
		for addr, name := range names {
			m, ok := got[addr]
			if !ok {
				t.Fatalf("%s got nothing", addr)
			}
			to, _ := m.Header.AddressList("To")
			if to[0].Name != name || !strings.Contains(m.Text, "Hi "+strings.Fields(name)[0]+",") {
				t.Fatalf("%s: to %v, text %q", addr, to, m.Text)
			}
			if q := w.quote[name]; q != "" && !strings.Contains(m.Text, q) {
				t.Fatalf("%s's email lacks their own words:\n%s", addr, m.Text)
			}
			for other, oq := range w.quote {
				if other != name && (strings.Contains(m.Text, oq) || strings.Contains(m.Text, other)) {
					t.Fatalf("%s's email contains %s's words", addr, other)
				}
			}
			if !strings.HasPrefix(m.Header.Get("List-Unsubscribe"), "<https://cl.example.com/unsubscribe/") ||
				m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || m.Header.Get("Message-Id") == "" {
				t.Fatalf("%s: headers %v", addr, m.Header)
			}
			if !strings.Contains(m.HTML, "<blockquote") && name != "Dan Dunn" {
				t.Fatalf("%s: no quotation in the HTML part", addr)
			}
		}
		// The hostile quote: plain in the text part, inert in the HTML part.
		cat := got["cat@acme.com"]
		if !strings.Contains(cat.Text, webtest.XSSScript) || !strings.Contains(cat.Text, webtest.XSSAttr) {
			t.Fatalf("text part altered the quote:\n%s", cat.Text)
		}
		if strings.Contains(cat.HTML, "<script") || strings.Contains(cat.HTML, "<img") || strings.Contains(cat.HTML, "onerror=alert(1)>") {
			t.Fatalf("markup from a quote survived in the HTML part:\n%s", cat.HTML)
		}
		if !strings.Contains(cat.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(cat.HTML, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
			t.Fatalf("the quote is not shown escaped:\n%s", cat.HTML)
		}
		if !strings.Contains(cat.HTML, `<a href="https://cl.example.com/unsubscribe/`) {
			t.Fatalf("no unsubscribe link in the HTML part:\n%s", cat.HTML)
		}

		tps, _, err := s.ListTouchpoints(ctx, store.TouchpointFilter{AccountID: w.acme.ID})
		if err != nil {
			t.Fatal(err)
		}
		tpPeople := map[string]bool{}
		for _, tp := range tps {
			if tp.Kind != account.Email || tp.Direction != account.Outbound || tp.Summary != "Told about shipped: Single sign-on" {
				t.Fatalf("touchpoint: %+v", tp)
			}
			tpPeople[tp.PersonName] = true
		}
		if len(tps) != 3 || !tpPeople["Ann Archer"] || !tpPeople["Cat Carter"] || !tpPeople["Dan Dunn"] {
			t.Fatalf("touchpoints: %+v", tps)
		}
		after, err := s.ListLoopEmails(ctx, w.sso.ID)
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range w.byName(after) {
			want := map[string]string{"Bob Baker": store.LoopSkipped, "Nora Nomail": store.LoopSkipped}[name]
			if want == "" {
				want = store.LoopSent
			}
			if d.Status != want {
				t.Fatalf("%s: status %s, want %s", name, d.Status, want)
			}
		}

		// A new asker after the release; the SMTP server refuses the next RCPT with 451.
		w.capture(feedback.Capture{Text: "Is SSO coming?", Source: feedback.SourceEmail, Email: "eve@acme.com", Name: "Eve Evans", RequestIDs: []string{w.sso.ID}})
		res, _ = w.svc.Prepare(ctx, w.sso.ID)
		eve := w.byName(res.Drafts)["Eve Evans"]
		if eve.Status != store.LoopDraft || len(res.Sendable()) != 1 {
			t.Fatalf("eve: %+v", res.Drafts)
		}
		w.srv.FailRcpt(1, 451)
		if r, err := w.svc.Send(ctx, []string{eve.ID}); err != nil || r.Queued != 1 {
			t.Fatalf("send eve: %+v %v", r, err)
		}
		w.w.Tick(ctx)
		eve, _ = s.GetLoopEmail(ctx, eve.ID)
		row, err := s.GetOutbox(ctx, eve.OutboxID)
		if err != nil {
			t.Fatal(err)
		}
		if row.Status != store.OutboxQueued || row.Attempts != 1 || !row.NextAttemptAt.Equal(w.c.Now().Add(time.Minute)) || eve.Status != store.LoopQueued {
			t.Fatalf("after a 451: %+v %+v", row, eve)
		}
		log, err := s.OutboxAttempts(ctx, row.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].OK || !strings.Contains(log[0].Error, "451") {
			t.Fatalf("delivery log: %+v", log)
		}
		if n, _ := w.w.Tick(ctx); n != 0 {
			t.Fatal("retried before the backoff elapsed")
		}
		w.c.Add(time.Minute)
		if n, _ := w.w.Tick(ctx); n != 1 {
			t.Fatal("not retried after the backoff")
		}
		row, _ = s.GetOutbox(ctx, row.ID)
		log, _ = s.OutboxAttempts(ctx, row.ID)
		eve, _ = s.GetLoopEmail(ctx, eve.ID)
		if row.Status != store.OutboxSent || len(log) != 2 || !log[1].OK || eve.Status != store.LoopSent {
			t.Fatalf("after the retry: %+v %+v %+v", row, log, eve)
		}
		if m, ok := w.received()["eve@acme.com"]; !ok || !strings.Contains(m.Text, "Is SSO coming?") || len(w.srv.Messages()) != 4 {
			t.Fatalf("eve's email: %v %d", ok, len(w.srv.Messages()))
		}
		if tps, _, _ := s.ListTouchpoints(ctx, store.TouchpointFilter{AccountID: w.acme.ID}); len(tps) != 4 {
			t.Fatalf("touchpoints after eve: %d", len(tps))
		}
	})
}

func TestUnsubscribe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		res, _ := w.svc.Prepare(ctx, w.sso.ID)
		drafts := w.byName(res.Drafts)
		// Ann's link comes from the email she received, as in real life.
		w.svc.Send(ctx, []string{drafts["Ann Archer"].ID})
		w.w.Tick(ctx)
		link := strings.Trim(w.received()["ann@acme.com"].Header.Get("List-Unsubscribe"), "<>")
		u, _ := url.Parse(link)
		token := strings.TrimPrefix(u.Path, "/unsubscribe/")

		mux := http.NewServeMux()
		mux.Handle("/unsubscribe/{token}", w.svc.Unsubscribe())
		web := httptest.NewServer(mux)
		defer web.Close()
		do := func(method, tok string) (int, string) {
			req, _ := http.NewRequest(method, web.URL+"/unsubscribe/"+tok, strings.NewReader("List-Unsubscribe=One-Click"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		unsub := func() bool {
			u, err := s.IsUnsubscribed(ctx, drafts["Ann Archer"].PersonID, "ann@acme.com")
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		// Tampered: another person's id under Ann's signature, a flipped signature, junk.
		payload, sig, _ := strings.Cut(token, ".")
		otherPayload, _, _ := strings.Cut(strings.TrimPrefix(mustURL(t, w.svc, drafts["Cat Carter"]), "https://cl.example.com/unsubscribe/"), ".")
		flip := func(s string, i int) string {
			c := byte('A')
			if s[i] == 'A' {
				c = 'B'
			}
			return s[:i] + string(c) + s[i+1:]
		}
		// The last character carries spare bits: flipping them must not give a second valid spelling.
		spare := sig[:len(sig)-1] + string(sig[len(sig)-1]^1)
		for _, bad := range []string{otherPayload + "." + sig, payload + "." + flip(sig, 10), payload + "." + spare, flip(payload, 3) + "." + sig, "junk", payload, ""} {
			if code, _ := do(http.MethodPost, bad); code != http.StatusBadRequest && code != http.StatusNotFound {
				t.Fatalf("tampered token %q: %d", bad, code)
			}
		}
		if unsub() {
			t.Fatal("a tampered token unsubscribed someone")
		}
		// GET only asks: link scanners must not unsubscribe anyone. The one list covers
		// survey emails too (surveymail sends with RespectUnsubscribe), and says so.
		if code, body := do(http.MethodGet, token); code != http.StatusOK || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "and surveys") || unsub() {
			t.Fatalf("GET: %d %s", code, body)
		}
		if code, body := do(http.MethodPost, token); code != http.StatusOK || !strings.Contains(body, "unsubscribed") || !unsub() {
			t.Fatalf("POST: %d %s", code, body)
		}
		if code, _ := do(http.MethodPost, token); code != http.StatusOK {
			t.Fatal("repeating the one-click POST failed")
		}
		// Cat unsubscribes (by a valid token) after her email was queued: the worker skips it.
		w.svc.Send(ctx, []string{drafts["Cat Carter"].ID})
		if code, _ := do(http.MethodPost, strings.TrimPrefix(mustURL(t, w.svc, drafts["Cat Carter"]), "https://cl.example.com/unsubscribe/")); code != 200 {
			t.Fatal("cat's unsubscribe failed")
		}
		w.w.Tick(ctx)
		if _, ok := w.received()["cat@acme.com"]; ok {
			t.Fatal("an email queued before the unsubscribe was still sent")
		}
		if d, _ := s.GetLoopEmail(ctx, drafts["Cat Carter"].ID); d.Status != store.LoopSkipped {
			t.Fatalf("cat's draft: %+v", d)
		}

		// A later release Ann asked for: she is marked unsubscribed and Send skips her.
		dark := feedback.Request{Title: "Dark mode"}
		storetest.Must(t, s.CreateRequest(ctx, &dark))
		w.capture(feedback.Capture{Text: "Dark mode please", Source: feedback.SourceEmail, Email: "ann@acme.com", RequestIDs: []string{dark.ID}})
		w.capture(feedback.Capture{Text: "Dark mode for me too", Source: feedback.SourceEmail, Email: "dan@acme.com", RequestIDs: []string{dark.ID}})
		w.ship(&dark)
		res, err := w.svc.Prepare(ctx, dark.ID)
		if err != nil {
			t.Fatal(err)
		}
		later := w.byName(res.Drafts)
		if a := later["Ann Archer"]; !a.Unsubscribed || a.Status != store.LoopSkipped || len(res.Unsubscribed()) != 1 {
			t.Fatalf("ann in a later loop: %+v", a)
		}
		if err := w.svc.Unskip(ctx, later["Ann Archer"].ID); err == nil {
			t.Fatal("an unsubscribed person's draft was un-skipped")
		}
		before := len(w.srv.Messages())
		r, err := w.svc.Send(ctx, []string{later["Ann Archer"].ID, later["Dan Dunn"].ID})
		if err != nil || r.Queued != 1 || r.Skipped != 1 {
			t.Fatalf("send: %+v %v", r, err)
		}
		w.w.Tick(ctx)
		msgs := w.srv.Messages()[before:]
		if len(msgs) != 1 || msgs[0].To[0] != "dan@acme.com" {
			t.Fatalf("later loop sent to %+v", msgs)
		}
	})
}

func mustURL(t *testing.T, svc *loop.Service, d store.LoopEmail) string {
	u, err := svc.UnsubscribeURL(context.Background(), d.PersonID, d.Email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPrepareRefusesUnshippedAndMissingBaseURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := feedback.Request{Title: "Later"}
		storetest.Must(t, s.CreateRequest(ctx, &r))
		if _, err := loop.New(s, "https://x.example").Prepare(ctx, r.ID); err != loop.ErrNotShipped {
			t.Fatalf("unshipped: %v", err)
		}
		r.Status = feedback.Shipped
		if _, err := s.UpdateRequest(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if _, err := loop.New(s, "").Prepare(ctx, r.ID); err != loop.ErrNoBaseURL {
			t.Fatalf("no base URL: %v", err)
		}
	})
}
