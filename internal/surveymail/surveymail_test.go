package surveymail_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/webtest"
)

type world struct {
	t    *testing.T
	s    *store.Store
	ctx  context.Context
	now  time.Time
	srv  *smtptest.Server
	w    *notify.Worker
	app  *app.App
	acme account.Account
}

func newWorld(t *testing.T, s *store.Store) *world {
	w := &world{t: t, s: s, ctx: context.Background(), now: time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)}
	s.Now = func() time.Time { return w.now }
	w.srv = smtptest.Start(t)
	if _, err := notify.SaveSMTP(w.ctx, s, w.srv.Settings()); err != nil {
		t.Fatal(err)
	}
	w.w = &notify.Worker{Store: s, Now: s.Now, Log: slog.New(slog.DiscardHandler)}
	cfg := config.Default()
	cfg.BaseURL = "https://cl.example.com"
	w.app = app.New(cfg, s, slog.New(slog.DiscardHandler))
	w.acme = account.Account{Name: "Acme", Domain: "acme.com", Tier: "strategic"}
	if err := s.CreateAccount(w.ctx, &w.acme); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) person(email, name, accountID string) account.Person {
	p := account.Person{Email: email, Name: name, AccountID: accountID}
	if err := w.s.CreatePerson(w.ctx, &p); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) survey(v survey.Survey) survey.Survey {
	if err := w.s.CreateSurvey(w.ctx, &v); err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) send() surveyResult {
	w.t.Helper()
	res, err := w.app.Surveys.SendDue(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.w.Drain(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	return surveyResult{res.Queued}
}

type surveyResult struct{ queued int }

// mail returns the parsed messages received for an address.
func (w *world) mail(to string) []smtptest.Parsed {
	var out []smtptest.Parsed
	for _, m := range w.srv.Messages() {
		p, err := smtptest.Parse(m.Data)
		if err != nil {
			w.t.Fatal(err)
		}
		if strings.Contains(p.Header.Get("To"), to) {
			out = append(out, p)
		}
	}
	return out
}

func (w *world) do(method, target string, form url.Values) webtest.Resp {
	return webtest.Do(w.app.Handler(), method, target, form, nil)
}

var linkRE = regexp.MustCompile(`(?m)^(\d+)(?: \([^)]*\))?: (https://cl\.example\.com/survey/\S+?)\r?$`)

// links finds the score links in an email's text part.
func links(t *testing.T, p smtptest.Parsed) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(p.Text, -1) {
		out[m[1]] = m[2]
	}
	if len(out) == 0 {
		t.Fatalf("no score links in\n%s", p.Text)
	}
	return out
}

func path(link string) string { return strings.TrimPrefix(link, "https://cl.example.com") }

// The acceptance path: a survey goes out by email through a real SMTP server; the
// recipient clicks a score in the email, changes it and comments on the page; the
// NPS, the feedback item and the detractor signal's task follow. A tampered link is
// refused; a used one shows the answer read-only and changes nothing; markup in the
// comment and the question stays text in the page and the email.
func TestSurveyEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ann := w.person("ann@acme.com", "Ann "+webtest.XSSAttr, w.acme.ID)
		w.person("bob@acme.com", "Bob Baker", w.acme.ID)
		small := account.Account{Name: "Tiny", Tier: "standard"}
		if err := s.CreateAccount(w.ctx, &small); err != nil {
			t.Fatal(err)
		}
		w.person("tim@tiny.io", "Tim", small.ID)
		v := w.survey(survey.Survey{Kind: survey.NPS, Question: "Would you recommend us? " + webtest.XSSScript, Active: true,
			Audience: survey.Audience{Tiers: []string{"strategic"}}})

		if r := w.send(); r.queued != 2 {
			t.Fatalf("queued %d, want Ann and Bob (strategic) only", r.queued)
		}
		if got := w.mail("tim@tiny.io"); len(got) != 0 {
			t.Fatal("a standard-tier person got an strategic survey")
		}
		msgs := w.mail("ann@acme.com")
		if len(msgs) != 1 {
			t.Fatalf("Ann got %d emails", len(msgs))
		}
		m := msgs[0]
		if strings.Contains(m.HTML, webtest.XSSScript) || strings.Contains(m.HTML, "<img") || !strings.Contains(m.HTML, "&lt;script&gt;") {
			t.Fatalf("markup in the email's HTML:\n%s", m.HTML)
		}
		if m.Header.Get("List-Unsubscribe") == "" {
			t.Fatal("no List-Unsubscribe header")
		}
		ls := links(t, m)
		if len(ls) != 11 {
			t.Fatalf("%d score links, want 0–10", len(ls))
		}
		// Within the throttle nobody gets it again.
		w.now = w.now.Add(24 * time.Hour)
		if r := w.send(); r.queued != 0 {
			t.Fatalf("queued %d again a day later", r.queued)
		}

		// A tampered link (the score in the payload changed, signature kept) is refused.
		tok := strings.TrimPrefix(path(ls["3"]), "/survey/")
		payload, sig, _ := strings.Cut(tok, ".")
		other, _, _ := strings.Cut(strings.TrimPrefix(path(ls["10"]), "/survey/"), ".")
		for _, bad := range []string{other + "." + sig, payload + "." + sig[:len(sig)-3] + "AAA", payload} {
			if r := w.do("GET", "/survey/"+bad, nil); r.Code != http.StatusBadRequest || !strings.Contains(r.Text, "not valid") {
				t.Fatalf("tampered link: %d\n%s", r.Code, r.Text)
			}
		}
		if page, _ := s.ListSurveyResponses(w.ctx, store.ResponseFilter{SurveyID: v.ID}); len(page.Responses) != 0 {
			t.Fatal("a tampered link recorded a response")
		}

		// Ann clicks 3 in the email: recorded, and the page offers to change it.
		r := w.do("GET", path(ls["3"]), nil)
		if r.Code != http.StatusOK || !strings.Contains(r.Text, `value="3" checked`) || !strings.Contains(r.Text, "<form") {
			t.Fatalf("click: %d\n%s", r.Code, r.Text)
		}
		if strings.Contains(r.Text, webtest.XSSScript) {
			t.Fatal("the question's markup is live on the response page")
		}
		got, err := s.ListSurveyResponses(w.ctx, store.ResponseFilter{SurveyID: v.ID})
		if err != nil || len(got.Responses) != 1 || got.Responses[0].Score != 3 || got.Responses[0].Final {
			t.Fatalf("after the click: %+v %v", got.Responses, err)
		}
		// She changes her mind to 2 and comments, with markup.
		comment := "Support is slow " + webtest.XSSScript + " " + webtest.XSSAttr
		r = w.do("POST", path(ls["3"]), url.Values{"score": {"2"}, "comment": {comment}})
		if r.Code != http.StatusOK || !strings.Contains(r.Text, `id="your-score">2<`) {
			t.Fatalf("submit: %d\n%s", r.Code, r.Text)
		}
		if strings.Contains(r.Text, webtest.XSSScript) || strings.Contains(r.Text, "<img") || !strings.Contains(r.Text, "&lt;script&gt;") {
			t.Fatalf("the comment's markup is live on the page:\n%s", r.Text)
		}

		// Reused: another link of the same email shows the answer and changes nothing;
		// posting again is refused.
		r = w.do("GET", path(ls["10"]), nil)
		if r.Code != http.StatusOK || !strings.Contains(r.Text, "already answered") || !strings.Contains(r.Text, `id="your-score">2<`) || strings.Contains(r.Text, "<form") {
			t.Fatalf("reused link: %d\n%s", r.Code, r.Text)
		}
		if r = w.do("POST", path(ls["3"]), url.Values{"score": {"9"}, "comment": {"changed"}}); r.Code != http.StatusConflict {
			t.Fatalf("second submit: %d", r.Code)
		}
		got, _ = s.ListSurveyResponses(w.ctx, store.ResponseFilter{SurveyID: v.ID})
		resp := got.Responses[0]
		if len(got.Responses) != 1 || resp.Score != 2 || !resp.Final || resp.Comment != comment || resp.PersonID != ann.ID || resp.AccountID != w.acme.ID {
			t.Fatalf("the response: %+v", got.Responses)
		}

		// The NPS: one detractor of one.
		pts, err := s.SurveyPoints(w.ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var scores []int
		for _, p := range pts {
			scores = append(scores, p.Score)
		}
		if sum := survey.Summarize(survey.NPS, "", scores); sum.Score != -100 || sum.Detractors != 1 {
			t.Fatalf("NPS %+v", sum)
		}

		// The comment is a feedback item of source survey on Ann's account.
		it, err := s.GetFeedback(w.ctx, resp.FeedbackID)
		if err != nil || it.Source != feedback.SourceSurvey || it.Text != comment || it.AccountID != w.acme.ID || it.PersonID != ann.ID || it.ExternalID != resp.ID {
			t.Fatalf("feedback item %+v %v", it, err)
		}
		scoresOf, err := s.SurveyScoresOf(w.ctx, []string{it.ID})
		if err != nil || scoresOf[it.ID].Label() != "NPS 2" {
			t.Fatalf("score on the item: %+v %v", scoresOf, err)
		}

		// The comment is evidence like any other: linked to a request that ships, it is
		// quoted in Ann's close-the-loop email, as text.
		req := feedback.Request{Title: "Faster support"}
		if err := s.CreateRequest(w.ctx, &req); err != nil {
			t.Fatal(err)
		}
		if err := s.LinkFeedback(w.ctx, req.ID, it.ID, ""); err != nil {
			t.Fatal(err)
		}
		req.Status = feedback.Shipped
		if _, err := s.UpdateRequest(w.ctx, &req); err != nil {
			t.Fatal(err)
		}
		prepared, err := w.app.Loop.Prepare(w.ctx, req.ID)
		if err != nil || len(prepared.Sendable()) != 1 {
			t.Fatalf("loop drafts %+v %v", prepared.Drafts, err)
		}
		if _, err := w.app.Loop.Send(w.ctx, []string{prepared.Sendable()[0].ID}); err != nil {
			t.Fatal(err)
		}
		if err := w.w.Drain(w.ctx); err != nil {
			t.Fatal(err)
		}
		annMail := w.mail("ann@acme.com")
		loopMail := annMail[len(annMail)-1]
		if !strings.Contains(loopMail.Text, comment) || strings.Contains(loopMail.HTML, webtest.XSSScript) || strings.Contains(loopMail.HTML, "<img") ||
			!strings.Contains(loopMail.HTML, "Support is slow &lt;script&gt;") {
			t.Fatalf("the close-the-loop email quoting the comment:\n%s", loopMail.HTML)
		}

		// Health: the response is the account's NPS, a detractor fires the signal and
		// the signal makes a task.
		if err := s.SyncHealth(w.ctx, w.now); err != nil {
			t.Fatal(err)
		}
		h, err := s.AccountHealth(w.ctx, w.acme.ID, w.now)
		if err != nil {
			t.Fatal(err)
		}
		var npsDetail string
		for _, p := range h.Current.Parts {
			if p.Name == health.NPS {
				npsDetail = p.Detail
			}
		}
		if npsDetail != "NPS 2" {
			t.Fatalf("NPS component %q", npsDetail)
		}
		tasks, err := s.ListTasks(w.ctx, store.TaskFilter{AccountID: w.acme.ID, Signal: health.SigDetractor})
		if err != nil || len(tasks) != 1 || !strings.Contains(tasks[0].Reason, "NPS 2") {
			t.Fatalf("detractor task: %+v %v", tasks, err)
		}
	})
}

// Two instances running the send job at once queue one email per person.
func TestSurveySentOnceByConcurrentRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		for _, e := range []string{"a@acme.com", "b@acme.com", "c@acme.com", "d@acme.com"} {
			w.person(e, "", w.acme.ID)
		}
		w.survey(survey.Survey{Kind: survey.CSAT, Active: true})
		cfg := config.Default()
		cfg.BaseURL = "https://cl.example.com"
		other := app.New(cfg, s, slog.New(slog.DiscardHandler))
		var wg sync.WaitGroup
		var queued [2]int
		for i, a := range []*app.App{w.app, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := a.Surveys.SendDue(w.ctx)
				if err != nil {
					t.Error(err)
				}
				queued[i] = res.Queued
			}()
		}
		wg.Wait()
		if queued[0]+queued[1] != 4 {
			t.Fatalf("queued %v, want 4 in all", queued)
		}
		items, err := s.ListOutbox(w.ctx, store.OutboxFilter{Kind: store.OutboxEmail})
		if err != nil || len(items) != 4 {
			t.Fatalf("%d emails in the outbox, %v", len(items), err)
		}
	})
}

// The response page is public: one address gets a burst, then 429 (the buckets are in
// the database, shared by instances).
func TestResponsePageRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		limited := 0
		for i := 0; i < 40; i++ {
			r := w.do("GET", "/survey/not-a-token", nil)
			switch r.Code {
			case http.StatusTooManyRequests:
				limited++
			case http.StatusBadRequest:
			default:
				t.Fatalf("request %d: %d", i, r.Code)
			}
		}
		if limited < 5 {
			t.Fatalf("%d of 40 requests limited", limited)
		}
	})
}
