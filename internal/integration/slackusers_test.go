package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

const testBotToken = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"

// fakeSlack is the Slack Web API's users.info as documented: GET (or POST form)
// /users.info with user=<id> and "Authorization: Bearer <token>"; {"ok":true,"user":…}
// for a known user, {"ok":false,"error":"user_not_found"} otherwise,
// {"ok":false,"error":"invalid_auth"} for a wrong token, and HTTP 429 with Retry-After
// when rate limited. mode switches it to rate limited ("429") or to a server that
// answers only after the caller gave up ("slow").
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	mode       string
	retryAfter string
	delay      time.Duration
	calls      map[string]int
	total      int
}

// slackDirectory is the workspace: users by id, as users.info returns them.
var slackDirectory = map[string]string{
	// The author of testdata/slack_message_event.json, a customer in a shared channel.
	"U123ABC456": `{"id":"U123ABC456","team_id":"T123ABC456","name":"ann","deleted":false,"real_name":"Ann Example",
		"is_bot":false,"profile":{"real_name":"Ann Example","display_name":"ann","email":"Ann.Example@Acme.com"}}`,
	// The author of the message in testdata/slack_message_action.json.
	"U0MJRG1AL": `{"id":"U0MJRG1AL","team_id":"T0MJRM1A7","name":"bob","deleted":false,"real_name":"Bob Builder",
		"is_bot":false,"profile":{"real_name":"Bob Builder","display_name":"bob","email":"bob@acme.com"}}`,
	// What a token without users:read.email sees: no email field.
	"UNOEMAIL1": `{"id":"UNOEMAIL1","name":"cy","real_name":"Cy Nomail","is_bot":false,"profile":{"real_name":"Cy Nomail","display_name":"cy"}}`,
	"UBOT00001": `{"id":"UBOT00001","name":"deploybot","is_bot":true,"profile":{"real_name":"Deploy Bot","bot_id":"B1"}}`,
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	reply := func(status int, body string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
	if r.URL.Path != "/users.info" || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		f.t.Errorf("unexpected Slack call %s %s", r.Method, r.URL.Path)
		reply(http.StatusNotFound, `{"ok":false,"error":"unknown_method"}`)
		return
	}
	user := r.FormValue("user")
	f.mu.Lock()
	f.calls[user]++
	f.total++
	mode, retry, delay := f.mode, f.retryAfter, f.delay
	f.mu.Unlock()
	switch auth := r.Header.Get("Authorization"); {
	case auth == "":
		reply(http.StatusOK, `{"ok":false,"error":"not_authed"}`)
		return
	case auth != "Bearer "+testBotToken:
		reply(http.StatusOK, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	switch mode {
	case "429":
		w.Header().Set("Retry-After", retry)
		reply(http.StatusTooManyRequests, `{"ok":false,"error":"ratelimited"}`)
		return
	case "slow":
		select {
		case <-r.Context().Done():
			return
		case <-time.After(10 * time.Second):
		}
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	u, ok := slackDirectory[user]
	if !ok {
		reply(http.StatusOK, `{"ok":false,"error":"user_not_found"}`)
		return
	}
	reply(http.StatusOK, `{"ok":true,"user":`+u+`}`)
}

func (f *fakeSlack) set(mode, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode, f.retryAfter = mode, retryAfter
}

func (f *fakeSlack) callsFor(user string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[user]
}

func (f *fakeSlack) totalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// withSlackAPI gives the harness a bot token and the fake Web API.
func withSlackAPI(f *fakeSlack, token string) func(*Deps) {
	return func(d *Deps) { d.SlackBotToken, d.SlackAPI = token, f.srv.URL }
}

// slackEvent is a signed-ready Events API message event.
func slackEvent(user, ts, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456", "type": "event_callback",
		"event_id": "Ev" + strings.ReplaceAll(ts, ".", ""), "event_time": 1355517523,
		"event": map[string]any{"type": "message", "channel": "C123ABC456", "user": user, "text": text, "ts": ts},
	})
	return b
}

// postSlack delivers body signed now and returns the result the hook answered.
func (h *harness) postSlack(body []byte) result {
	h.t.Helper()
	r := h.post("/hooks/slack", "application/json", body, signSlack(testSecrets.Slack, h.now, body))
	expectStatus(h.t, "slack event", r, http.StatusOK)
	var res result
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		h.t.Fatalf("answer %q: %v", r.body, err)
	}
	return res
}

func (h *harness) last() feedback.Capture {
	h.t.Helper()
	items := h.rec.stored()
	if len(items) == 0 {
		h.t.Fatal("nothing captured")
	}
	return items[len(items)-1]
}

func TestSlackLookupFillsEmailAndName(t *testing.T) {
	f := newFakeSlack(t)
	h := newHarness(t, testSecrets, withSlackAPI(f, testBotToken))

	// The documented sample event: its author's email and name come from users.info.
	h.postSlack(readTestdata(t, "slack/docs_message_event.json"))
	c := h.last()
	want(t, "email", c.Email, "Ann.Example@Acme.com") // the store lowercases
	want(t, "name", c.Name, "Ann Example")
	want(t, "person external id", c.PersonExternalID, "U123ABC456")
	want(t, "text", c.Text, "Hello world")

	// The same author again: answered from the cache.
	h.postSlack(slackEvent("U123ABC456", "1355517524.000001", "Also, exports time out."))
	want(t, "email from cache", h.last().Email, "Ann.Example@Acme.com")
	want(t, "users.info calls", f.callsFor("U123ABC456"), 1)

	// The message shortcut is looked up too.
	payload := readTestdata(t, "slack/docs_message_action.json")
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	expectStatus(t, "shortcut", h.post("/hooks/slack", "application/x-www-form-urlencoded", body, signSlack(testSecrets.Slack, h.now, body)), http.StatusOK)
	want(t, "shortcut email", h.last().Email, "bob@acme.com")
	want(t, "shortcut name", h.last().Name, "Bob Builder")

	// After the TTL the user is looked up again (their email may have changed).
	h.now = h.now.Add(slackUserTTL + time.Second)
	h.postSlack(slackEvent("U123ABC456", "1355517525.000001", "Any news?"))
	want(t, "email after TTL", h.last().Email, "Ann.Example@Acme.com")
	want(t, "users.info calls after TTL", f.callsFor("U123ABC456"), 2)
}

func TestSlackLookupWithoutEmailKeepsTheUserID(t *testing.T) {
	f := newFakeSlack(t)
	h := newHarness(t, testSecrets, withSlackAPI(f, testBotToken))

	// user_not_found: captured as without a token, and remembered for a while.
	h.postSlack(slackEvent("UGONE0001", "1355517600.000001", "Where did my dashboards go?"))
	c := h.last()
	want(t, "email", c.Email, "")
	want(t, "person external id", c.PersonExternalID, "UGONE0001")
	h.now = h.now.Add(slackMissTTL - time.Second)
	h.postSlack(slackEvent("UGONE0001", "1355517601.000001", "Hello?"))
	want(t, "calls within the negative TTL", f.callsFor("UGONE0001"), 1)
	h.now = h.now.Add(2 * time.Second)
	h.postSlack(slackEvent("UGONE0001", "1355517602.000001", "Hello??"))
	want(t, "calls after the negative TTL", f.callsFor("UGONE0001"), 2)

	// A profile without email (token lacks users:read.email): the name is still used.
	h.postSlack(slackEvent("UNOEMAIL1", "1355517603.000001", "Love the new editor"))
	want(t, "no-email email", h.last().Email, "")
	want(t, "no-email name", h.last().Name, "Cy Nomail")
	want(t, "no-email external id", h.last().PersonExternalID, "UNOEMAIL1")

	// A bot account posting without bot_id: no email taken from it.
	h.postSlack(slackEvent("UBOT00001", "1355517604.000001", "build green"))
	want(t, "bot email", h.last().Email, "")
	want(t, "items", len(h.rec.stored()), 5)
}

func TestSlackLookupRateLimited(t *testing.T) {
	f := newFakeSlack(t)
	h := newHarness(t, testSecrets, withSlackAPI(f, testBotToken))
	f.set("429", "7")
	h.postSlack(slackEvent("U123ABC456", "1355517700.000001", "Rate limited but kept"))
	want(t, "email while rate limited", h.last().Email, "")
	want(t, "person external id", h.last().PersonExternalID, "U123ABC456")
	want(t, "calls", f.totalCalls(), 1)

	// Within Retry-After nobody is looked up, whoever writes; nothing is lost.
	f.set("", "")
	h.now = h.now.Add(6 * time.Second)
	h.postSlack(slackEvent("U0MJRG1AL", "1355517701.000001", "Another user"))
	h.postSlack(slackEvent("U123ABC456", "1355517702.000001", "Same user"))
	want(t, "calls during Retry-After", f.totalCalls(), 1)
	want(t, "items", len(h.rec.stored()), 3)

	// After it, lookups resume.
	h.now = h.now.Add(2 * time.Second)
	h.postSlack(slackEvent("U123ABC456", "1355517703.000001", "After the pause"))
	want(t, "email after Retry-After", h.last().Email, "Ann.Example@Acme.com")
	want(t, "calls after Retry-After", f.totalCalls(), 2)
}

func TestSlackLookupTimeout(t *testing.T) {
	f := newFakeSlack(t)
	h := newHarness(t, testSecrets, withSlackAPI(f, testBotToken))
	f.set("slow", "")
	start := time.Now()
	h.postSlack(slackEvent("U123ABC456", "1355517800.000001", "Slack is slow today"))
	took := time.Since(start)
	// Slack gives up after 3 s: the answer comes once the lookup's own timeout passed.
	if took < slackLookupTimeout-100*time.Millisecond || took > 2500*time.Millisecond {
		t.Fatalf("answered in %v, want about %v and well under Slack's 3 s", took, slackLookupTimeout)
	}
	want(t, "email after timeout", h.last().Email, "")
	want(t, "person external id", h.last().PersonExternalID, "U123ABC456")

	// The failure is remembered briefly: the next message does not wait again.
	start = time.Now()
	h.postSlack(slackEvent("U123ABC456", "1355517801.000001", "Still slow?"))
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("second message waited %v", took)
	}
	want(t, "calls", f.callsFor("U123ABC456"), 1)

	f.set("", "")
	h.now = h.now.Add(slackFailTTL + time.Second)
	h.postSlack(slackEvent("U123ABC456", "1355517802.000001", "Fast again"))
	want(t, "email once Slack answers", h.last().Email, "Ann.Example@Acme.com")
}

func TestSlackLookupSharesConcurrentCalls(t *testing.T) {
	f := newFakeSlack(t)
	f.delay = 200 * time.Millisecond
	h := newHarness(t, testSecrets, withSlackAPI(f, testBotToken))
	var wg sync.WaitGroup
	for i := range 5 {
		body := slackEvent("U123ABC456", fmt.Sprintf("1355517900.00000%d", i+1), "burst")
		headers := signSlack(testSecrets.Slack, h.now, body)
		wg.Go(func() {
			if r := h.post("/hooks/slack", "application/json", body, headers); r.status != http.StatusOK {
				t.Errorf("status %d: %s", r.status, r.body)
			}
		})
	}
	wg.Wait()
	want(t, "users.info calls", f.callsFor("U123ABC456"), 1)
	items := h.rec.stored()
	want(t, "items", len(items), 5)
	for _, c := range items {
		want(t, "email", c.Email, "Ann.Example@Acme.com")
	}
}

func TestSlackLookupRefusedToken(t *testing.T) {
	f := newFakeSlack(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	h := newHarness(t, testSecrets, withSlackAPI(f, "xoxb-revoked"), func(d *Deps) {
		d.Log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	})
	h.postSlack(slackEvent("U123ABC456", "1355518000.000001", "Token is bad"))
	want(t, "email", h.last().Email, "")
	h.postSlack(slackEvent("U0MJRG1AL", "1355518001.000001", "Still bad"))
	want(t, "calls while the token is refused", f.totalCalls(), 1)
	want(t, "items", len(h.rec.stored()), 2)
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "invalid_auth") || strings.Contains(out, "xoxb-revoked") {
		t.Fatalf("want one error naming invalid_auth and never the token, got:\n%s", out)
	}
	h.now = h.now.Add(slackAuthPause + time.Second)
	h.postSlack(slackEvent("U0MJRG1AL", "1355518002.000001", "Tried again later"))
	want(t, "calls after the pause", f.totalCalls(), 2)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Without a token nothing is looked up; forged and replayed requests never cause a
// call to Slack.
func TestSlackLookupOnlyWithTokenAndVerifiedRequests(t *testing.T) {
	f := newFakeSlack(t)
	h := newHarness(t, testSecrets, func(d *Deps) { d.SlackAPI = f.srv.URL })
	h.postSlack(readTestdata(t, "slack/docs_message_event.json"))
	want(t, "email without token", h.last().Email, "")
	want(t, "calls without token", f.totalCalls(), 0)

	h = newHarness(t, testSecrets, withSlackAPI(f, testBotToken))
	body := slackEvent("U123ABC456", "1355518100.000001", "forged")
	forged := signSlack("not-the-secret", h.now, body)
	expectStatus(t, "forged", h.post("/hooks/slack", "application/json", body, forged), http.StatusUnauthorized)
	stale := signSlack(testSecrets.Slack, h.now.Add(-10*time.Minute), body)
	expectStatus(t, "stale", h.post("/hooks/slack", "application/json", body, stale), http.StatusUnauthorized)
	want(t, "calls for rejected requests", f.totalCalls(), 0)

	good := signSlack(testSecrets.Slack, h.now, body)
	expectStatus(t, "signed", h.post("/hooks/slack", "application/json", body, good), http.StatusOK)
	h.in.users.mu.Lock()
	clear(h.in.users.cache) // so a replay would have to call Slack again
	h.in.users.mu.Unlock()
	expectDuplicate(t, "redelivery of identical bytes", h.post("/hooks/slack", "application/json", body, good))
	want(t, "calls", f.totalCalls(), 1)

	// Ignored requests (a bot message, the URL handshake) are not looked up either.
	bot := []byte(`{"type":"event_callback","team_id":"T1","event":{"type":"message","subtype":"bot_message","bot_id":"B1","user":"U123ABC456","text":"deploy done","ts":"1.2","channel":"C1"}}`)
	h.postSlack(bot)
	want(t, "calls after a bot message", f.totalCalls(), 1)
}

func TestRetryAfter(t *testing.T) {
	for in, d := range map[string]time.Duration{
		"7": 7 * time.Second, "30": 30 * time.Second, "": slackDefaultRetryAfter, "soon": slackDefaultRetryAfter,
		"0": slackDefaultRetryAfter, "-3": slackDefaultRetryAfter, "86400": slackMaxRetryAfter,
	} {
		want(t, "Retry-After "+in, retryAfter(in), d)
	}
}

func TestSlackUserCacheIsBounded(t *testing.T) {
	u := newSlackUsers(testBotToken, "", func() time.Time { return testNow }, slog.New(slog.DiscardHandler))
	for i := range slackCacheMax + 50 {
		u.remember(fmt.Sprintf("U%08d", i), slackCached{expires: testNow.Add(time.Minute)}, testNow)
	}
	if n := len(u.cache); n > slackCacheMax {
		t.Fatalf("cache holds %d entries, max %d", n, slackCacheMax)
	}
}

// TestSlackLookupResolvesPersonAndAccount goes end to end on each database: a signed
// Slack event whose author users.info knows becomes feedback from that person, created
// on the account of their email domain; an author Slack does not know is captured
// with the Slack user id only, as without a token.
func TestSlackLookupResolvesPersonAndAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := account.Account{ExternalID: "acme", Name: "Acme", Domain: "acme.com"}
		if err := s.CreateAccount(ctx, &acme); err != nil {
			t.Fatal(err)
		}
		f := newFakeSlack(t)
		h := newHarness(t, testSecrets, withSlackAPI(f, testBotToken), func(d *Deps) { d.Capture = storeCapture(s) })
		item := func(res result) feedback.Item {
			t.Helper()
			if res.Status != "created" {
				t.Fatalf("result %+v, want created", res)
			}
			it, err := s.GetFeedback(ctx, res.ItemID)
			if err != nil {
				t.Fatal(err)
			}
			return it
		}

		ann := item(h.postSlack(readTestdata(t, "slack/docs_message_event.json")))
		p, err := s.GetPersonByEmail(ctx, "ann.example@acme.com")
		if err != nil {
			t.Fatalf("person by the looked-up email: %v", err)
		}
		if ann.PersonID != p.ID || ann.AccountID != acme.ID || ann.Source != feedback.SourceSlack || ann.Text != "Hello world" {
			t.Fatalf("item %+v, want person %s on account %s", ann, p.ID, acme.ID)
		}
		if p.AccountID != acme.ID || p.Name != "Ann Example" || p.ExternalID != "U123ABC456" {
			t.Fatalf("person %+v", p)
		}

		// Her next message is the same person; the message shortcut resolves its author too.
		again := item(h.postSlack(slackEvent("U123ABC456", "1355517524.000001", "Exports time out.")))
		want(t, "same person", again.PersonID, p.ID)
		payload := readTestdata(t, "slack/docs_message_action.json")
		body := []byte("payload=" + url.QueryEscape(string(payload)))
		expectStatus(t, "shortcut", h.post("/hooks/slack", "application/x-www-form-urlencoded", body, signSlack(testSecrets.Slack, h.now, body)), http.StatusOK)
		bob, err := s.GetPersonByEmail(ctx, "bob@acme.com")
		if err != nil || bob.AccountID != acme.ID || bob.ExternalID != "U0MJRG1AL" {
			t.Fatalf("shortcut author %+v %v", bob, err)
		}

		// Unknown to Slack: kept, with the Slack user id only and no account.
		gone := item(h.postSlack(slackEvent("UGONE0001", "1355517600.000001", "Where did my dashboards go?")))
		if gone.PersonID == "" || gone.AccountID != "" {
			t.Fatalf("unknown author's item %+v", gone)
		}
		gp, err := s.GetPerson(ctx, gone.PersonID)
		if err != nil || gp.ExternalID != "UGONE0001" || gp.Email != "" {
			t.Fatalf("unknown author %+v %v", gp, err)
		}
		if n, _ := s.CountFeedback(ctx, ""); n != 4 {
			t.Fatalf("%d items stored, want 4", n)
		}
	})
}
