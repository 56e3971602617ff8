package integration

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
)

// recorder is a fake CaptureFunc that honours the store's contract: a repeat of
// (Source, ExternalID) returns created=false and stores nothing. items is what a store
// would hold; calls counts every call.
type recorder struct {
	mu    sync.Mutex
	items []feedback.Capture
	ids   map[string]string
	calls int
}

func (rec *recorder) capture(_ context.Context, c feedback.Capture) (string, bool, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.calls++
	key := string(c.Source) + "\x00" + c.ExternalID
	if id, ok := rec.ids[key]; ok {
		return id, false, nil
	}
	id := "item" + strconv.Itoa(len(rec.items)+1)
	rec.ids[key] = id
	rec.items = append(rec.items, c)
	return id, true, nil
}

func (rec *recorder) stored() []feedback.Capture {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]feedback.Capture(nil), rec.items...)
}

func (rec *recorder) callCount() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.calls
}

var testSecrets = Secrets{
	Intercom: "intercom-client-secret", Zendesk: "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
	HelpScout: "helpscout-secret-key", Freshdesk: "freshdesk-shared-secret",
	Slack: "8f742231b10e8888abcd99yyyzzz85a5", Email: "email-relay-token",
}

// testNow is the clock of every test server.
var testNow = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

type harness struct {
	t   *testing.T
	in  *Integration
	srv *httptest.Server
	rec *recorder
	now time.Time
}

// newHarness serves the hooks with a recorder as the store; opts adjust the Deps (a
// real store's capture, a Slack bot token and API URL, a logger).
func newHarness(t *testing.T, secrets Secrets, opts ...func(*Deps)) *harness {
	t.Helper()
	h := &harness{t: t, rec: &recorder{ids: map[string]string{}}, now: testNow}
	d := Deps{Capture: h.rec.capture, Secrets: secrets, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return h.now }}
	for _, o := range opts {
		o(&d)
	}
	h.in = New(d)
	render := func(w http.ResponseWriter, r *http.Request, e *router.Error) { http.Error(w, e.Msg, e.Status) }
	rt := router.New(router.Authenticator{
		Session: func(*http.Request) (*auth.Member, error) { return nil, nil },
		APIKey:  func(*http.Request) (*auth.APIKey, error) { return nil, nil },
	}, render, render, slog.New(slog.DiscardHandler))
	h.in.Register(rt)
	h.srv = httptest.NewServer(rt)
	t.Cleanup(h.srv.Close)
	return h
}

type response struct {
	status int
	body   string
}

func (h *harness) post(path, contentType string, body []byte, headers map[string]string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, string(b)}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Signing, the way each vendor documents it.

func signIntercom(secret string, body []byte) map[string]string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return map[string]string{"X-Hub-Signature": "sha1=" + hex.EncodeToString(m.Sum(nil))}
}

func signZendesk(secret string, ts string, body []byte) map[string]string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write(body)
	return map[string]string{
		"X-Zendesk-Webhook-Signature":           base64.StdEncoding.EncodeToString(m.Sum(nil)),
		"X-Zendesk-Webhook-Signature-Timestamp": ts,
	}
}

func signHelpScout(secret, event string, body []byte) map[string]string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return map[string]string{"X-HelpScout-Signature": base64.StdEncoding.EncodeToString(m.Sum(nil)), "X-HelpScout-Event": event}
}

func signSlack(secret string, ts time.Time, body []byte) map[string]string {
	sec := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + sec + ":"))
	m.Write(body)
	return map[string]string{"X-Slack-Signature": "v0=" + hex.EncodeToString(m.Sum(nil)), "X-Slack-Request-Timestamp": sec}
}

func want(t *testing.T, what string, got, exp any) {
	t.Helper()
	if got != exp {
		t.Errorf("%s = %q, want %q", what, got, exp)
	}
}

// expectDuplicate checks a redelivery of identical bytes: 200, "duplicate" when the
// channel answers JSON (Slack's interactivity ack is an empty 200).
func expectDuplicate(t *testing.T, what string, r response) {
	t.Helper()
	expectStatus(t, what, r, http.StatusOK)
	if strings.HasPrefix(r.body, "{") && !strings.Contains(r.body, `"duplicate"`) && !strings.Contains(r.body, `"challenge"`) {
		t.Errorf("%s: answered %s, want status duplicate", what, r.body)
	}
}

func expectStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d (%s), want %d", what, r.status, strings.TrimSpace(r.body), status)
	}
}

// --- Intercom -------------------------------------------------------------------

func TestIntercomConversationCreated(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "intercom/docs_conversation_user_created.json")
	r := h.post("/hooks/intercom", "application/json", body, signIntercom(testSecrets.Intercom, body))
	expectStatus(t, "signed sample", r, http.StatusOK)
	c := h.rec.wantStored(t, 1)[0]
	wantCapture(t, "item", c, feedback.Capture{
		Source:           feedback.SourceIntercom,
		Text:             "Hi! Can we export the roadmap to CSV? Our board wants it every month.\n\nThanks, Jane",
		Quote:            "Hi! Can we export the roadmap to CSV?",
		Email:            "jane@acme.example",
		Name:             "Jane Doe",
		PersonExternalID: "cust-42",
		ExternalID:       "2487735046",
		ExternalURL:      "https://app.intercom.com/a/apps/ee9lcy5n/conversations/2487735046",
		OccurredAt:       time.Unix(1571080402, 0).UTC(),
	})

	// The exact same delivery again is acknowledged as a duplicate (issue 12, item 6).
	r = h.post("/hooks/intercom", "application/json", body, signIntercom(testSecrets.Intercom, body))
	expectDuplicate(t, "redelivery of identical bytes", r)
	want(t, "calls after replay", h.rec.callCount(), 1)
}

func TestIntercomUserReplied(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "intercom/docs_conversation_user_replied.json")
	expectStatus(t, "signed reply", h.post("/hooks/intercom", "application/json", body, signIntercom(testSecrets.Intercom, body)), http.StatusOK)
	c := h.rec.wantStored(t, 1)[0]
	want(t, "text", c.Text, "Also & importantly: the export should include vote counts.")
	want(t, "external id", c.ExternalID, "2487735046:7002")
	want(t, "email", c.Email, "jane@acme.example")
}

func TestIntercomIgnoresOtherTopics(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := []byte(`{"type":"notification_event","topic":"ping","data":{"item":{"type":"ping","message":"something"}}}`)
	r := h.post("/hooks/intercom", "application/json", body, signIntercom(testSecrets.Intercom, body))
	expectStatus(t, "ping", r, http.StatusOK)
	want(t, "calls", h.rec.callCount(), 0)
}

// --- Zendesk --------------------------------------------------------------------

func TestZendesk(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "zendesk/closeloop_legacy_template.json")
	ts := h.now.Add(-30 * time.Second).Format(time.RFC3339)
	headers := signZendesk(testSecrets.Zendesk, ts, body)
	expectStatus(t, "signed sample", h.post("/hooks/zendesk", "application/json", body, headers), http.StatusOK)
	c := h.rec.wantStored(t, 1)[0]
	wantCapture(t, "item", c, feedback.Capture{
		Source:            feedback.SourceZendesk,
		Text:              "Slack alerts arrive twice\n\nHello, since Monday every alert shows up twice in our #ops channel. Can you check?",
		Email:             "sam@globex.example",
		Name:              "Sam Carter",
		PersonExternalID:  "u-981",
		AccountExternalID: "acct-globex",
		ExternalID:        "35436",
		ExternalURL:       "https://mycompany.zendesk.com/agent/tickets/35436",
		OccurredAt:        time.Date(2019, 5, 20, 22, 55, 0, 0, time.UTC),
	})

	expectDuplicate(t, "redelivery of identical bytes", h.post("/hooks/zendesk", "application/json", body, headers))
	want(t, "calls after replay", h.rec.callCount(), 1)

	// Zendesk's own redelivery is signed afresh: it passes, and the store's
	// idempotency makes it a no-op.
	r := h.post("/hooks/zendesk", "application/json", body, signZendesk(testSecrets.Zendesk, h.now.Format(time.RFC3339), body))
	expectStatus(t, "redelivery", r, http.StatusOK)
	if !strings.Contains(r.body, `"duplicate"`) {
		t.Errorf("redelivery answered %s, want duplicate", r.body)
	}
	want(t, "items after redelivery", len(h.rec.stored()), 1)
}

func TestZendeskTimestampWindow(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "zendesk/closeloop_legacy_template.json")
	for _, ts := range []string{
		h.now.Add(-6 * time.Minute).Format(time.RFC3339), // stale
		h.now.Add(6 * time.Minute).Format(time.RFC3339),  // from the future
		"yesterday",
	} {
		r := h.post("/hooks/zendesk", "application/json", body, signZendesk(testSecrets.Zendesk, ts, body))
		expectStatus(t, "timestamp "+ts, r, http.StatusUnauthorized)
	}
	// Unix seconds are read too.
	r := h.post("/hooks/zendesk", "application/json", body, signZendesk(testSecrets.Zendesk, strconv.FormatInt(h.now.Unix(), 10), body))
	expectStatus(t, "unix timestamp", r, http.StatusOK)
	want(t, "calls", h.rec.callCount(), 1)
}

func TestZendeskEventSubscription(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "zendesk/docs_event_ticket_created.json")
	r := h.post("/hooks/zendesk", "application/json", body, signZendesk(testSecrets.Zendesk, h.now.Format(time.RFC3339), body))
	expectStatus(t, "event", r, http.StatusOK)
	items := h.rec.wantStored(t, 1)
	want(t, "text", items[0].Text, "SSO request\n\nPlease add SSO with Okta.")
	want(t, "external id", items[0].ExternalID, "5158")
}

func TestZendeskReplyIsItsOwnItem(t *testing.T) {
	out, err := parseZendesk([]byte(`{"ticket":{"id":7,"subject":"S","description":"first","latest_comment":"a later reply"}}`))
	if err != nil {
		t.Fatal(err)
	}
	c := out.capture
	want(t, "text", c.Text, "S\n\na later reply")
	if !strings.HasPrefix(c.ExternalID, "7:c") {
		t.Errorf("external id %q, want 7:c<hash>", c.ExternalID)
	}
}

// --- Help Scout -----------------------------------------------------------------

func TestHelpScout(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "helpscout/docs_convo_created.json")
	headers := signHelpScout(testSecrets.HelpScout, "convo.created", body)
	expectStatus(t, "convo.created", h.post("/hooks/helpscout", "application/json", body, headers), http.StatusOK)
	reply := readTestdata(t, "helpscout/docs_customer_reply.json")
	expectStatus(t, "customer reply", h.post("/hooks/helpscout", "application/json", reply,
		signHelpScout(testSecrets.HelpScout, "convo.customer.reply.created", reply)), http.StatusOK)
	items := h.rec.wantStored(t, 2)
	c := items[0]
	wantCapture(t, "item", c, feedback.Capture{
		Source:      feedback.SourceHelpScout,
		Text:        "I need help!\n\nHello, I tried to download the file off your site but the link is broken.\nCould you send it by email?",
		Email:       "bear@acme.com",
		Name:        "Vernon Bear",
		ExternalID:  "291938",
		ExternalURL: "https://secure.helpscout.net/conversation/291938/349/",
		OccurredAt:  time.Date(2012, 7, 23, 12, 34, 12, 0, time.UTC),
	})
	r := items[1]
	want(t, "reply text", r.Text, "Thanks, that worked. It would be great if the download link did not expire after an hour.")
	want(t, "reply external id", r.ExternalID, "291938:2198262999")

	expectDuplicate(t, "redelivery of identical bytes", h.post("/hooks/helpscout", "application/json", body, headers))
	want(t, "calls after replay", h.rec.callCount(), 2)

	// The event name is not signed; other events are acknowledged and ignored.
	other := signHelpScout(testSecrets.HelpScout, "convo.assigned", []byte(`{"id":1}`))
	expectStatus(t, "convo.assigned", h.post("/hooks/helpscout", "application/json", []byte(`{"id":1}`), other), http.StatusOK)
	want(t, "calls", h.rec.callCount(), 2)
}

// --- Freshdesk ------------------------------------------------------------------

func TestFreshdesk(t *testing.T) {
	h := newHarness(t, testSecrets)
	secret := map[string]string{"X-Closeloop-Secret": testSecrets.Freshdesk}
	body := readTestdata(t, "freshdesk/closeloop_advanced_template.json")
	expectStatus(t, "advanced content", h.post("/hooks/freshdesk", "application/json", body, secret), http.StatusOK)
	simple := readTestdata(t, "freshdesk/docs_simple_content.json")
	expectStatus(t, "simple content", h.post("/hooks/freshdesk", "application/json", simple, secret), http.StatusOK)
	items := h.rec.wantStored(t, 2)
	c := items[0]
	wantCapture(t, "item", c, feedback.Capture{
		Source:      feedback.SourceFreshdesk,
		Text:        "Bulk edit for contacts\n\nWe have 4,000 contacts and need to change the owner on all of them. Editing one by one is not workable.",
		Email:       "lee@initech.example",
		Name:        "Lee Park",
		ExternalID:  "1042",
		ExternalURL: "https://acme.freshdesk.com/helpdesk/tickets/1042",
	})
	s := items[1]
	want(t, "simple text", s.Text, "Dark mode\n\nPlease add a dark mode, my eyes hurt at night.")
	want(t, "simple email", s.Email, "kim@hooli.example")
	want(t, "simple external id", s.ExternalID, "1043")

	expectDuplicate(t, "redelivery of identical bytes", h.post("/hooks/freshdesk", "application/json", body, secret))
	want(t, "calls after replay", h.rec.callCount(), 2)
}

// --- Slack ----------------------------------------------------------------------

// TestSlackDocumentedSignature checks the verifier against the example in Slack's
// "Verifying requests from Slack": their secret, timestamp, body and signature.
func TestSlackDocumentedSignature(t *testing.T) {
	body := readTestdata(t, "slack_signature_vector.txt")
	const sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	expected := mac(sha256New, "8f742231b10e8888abcd99yyyzzz85a5", []byte("v0:1531420618:"), body)
	if err := verifyHex(sig, "v0=", expected); err != nil {
		t.Fatalf("documented signature rejected: %v", err)
	}
	if err := verifyHex(sig, "v0=", mac(sha256New, "another secret", []byte("v0:1531420618:"), body)); err == nil {
		t.Fatal("signature accepted under the wrong secret")
	}

	// And through the handler, at the documented time: the slash command is not
	// feedback, so it is acknowledged and ignored — but it is accepted.
	h := newHarness(t, testSecrets)
	h.now = time.Unix(1531420618+10, 0)
	r := h.post("/hooks/slack", "application/x-www-form-urlencoded", body, map[string]string{
		"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": "1531420618",
	})
	expectStatus(t, "documented request", r, http.StatusBadRequest) // no payload= field: not an interaction
	h.now = time.Unix(1531420618+400, 0)
	r = h.post("/hooks/slack", "application/x-www-form-urlencoded", body, map[string]string{
		"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": "1531420618",
	})
	expectStatus(t, "documented request, 400 s later", r, http.StatusUnauthorized)
}

func TestSlackURLVerification(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "slack/docs_url_verification.json")
	r := h.post("/hooks/slack", "application/json", body, signSlack(testSecrets.Slack, h.now, body))
	expectStatus(t, "url_verification", r, http.StatusOK)
	var got struct{ Challenge string }
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	want(t, "challenge", got.Challenge, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
	want(t, "calls", h.rec.callCount(), 0)
}

func TestSlackMessageEvent(t *testing.T) {
	h := newHarness(t, testSecrets)
	body := readTestdata(t, "slack/docs_message_event.json")
	headers := signSlack(testSecrets.Slack, h.now.Add(-time.Minute), body)
	expectStatus(t, "message event", h.post("/hooks/slack", "application/json", body, headers), http.StatusOK)
	items := h.rec.wantStored(t, 1)
	c := items[0]
	wantCapture(t, "item", c, feedback.Capture{
		Source:           feedback.SourceSlack,
		Text:             "Hello world",
		PersonExternalID: "U123ABC456",
		ExternalID:       "T123ABC456/C123ABC456/1355517523.000005",
		OccurredAt:       time.Unix(1355517523, 0).UTC(),
	})

	expectDuplicate(t, "redelivery of identical bytes", h.post("/hooks/slack", "application/json", body, headers))
	// Slack's retry is signed afresh: accepted, deduplicated.
	r := h.post("/hooks/slack", "application/json", body, signSlack(testSecrets.Slack, h.now, body))
	expectStatus(t, "retry", r, http.StatusOK)
	want(t, "items after retry", len(h.rec.stored()), 1)

	stale := signSlack(testSecrets.Slack, h.now.Add(-6*time.Minute), body)
	expectStatus(t, "stale", h.post("/hooks/slack", "application/json", body, stale), http.StatusUnauthorized)
	want(t, "calls", h.rec.callCount(), 2)

	bot := []byte(`{"type":"event_callback","team_id":"T1","event":{"type":"message","subtype":"bot_message","bot_id":"B1","text":"deploy done","ts":"1.2","channel":"C1"}}`)
	expectStatus(t, "bot message", h.post("/hooks/slack", "application/json", bot, signSlack(testSecrets.Slack, h.now, bot)), http.StatusOK)
	want(t, "calls after bot message", h.rec.callCount(), 2)
}

func TestSlackMessageShortcut(t *testing.T) {
	h := newHarness(t, testSecrets)
	payload := readTestdata(t, "slack/docs_message_action.json")
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	r := h.post("/hooks/slack", "application/x-www-form-urlencoded", body, signSlack(testSecrets.Slack, h.now, body))
	expectStatus(t, "message shortcut", r, http.StatusOK)
	items := h.rec.wantStored(t, 1)
	c := items[0]
	wantCapture(t, "item", c, feedback.Capture{
		Text:             "World's smallest big cat! https://youtube.com/watch?v=W86cTIoMv2U",
		PersonExternalID: "U0MJRG1AL",
		ExternalID:       "T0MJRM1A7/D0LFFBKLZ/1516229207.000133",
		ExternalURL:      "https://pandamonium.slack.com/archives/D0LFFBKLZ/p1516229207000133",
	})
}

func TestSlackText(t *testing.T) {
	for in, out := range map[string]string{
		"see <https://x.example/a|the doc> &amp; <@U123> in <#C9|general> <!here>": "see the doc (https://x.example/a) & in #general @here",
		"a &lt;b&gt; <mailto:a@b.c|a@b.c>":                                         "a <b> a@b.c (mailto:a@b.c)",
		"unclosed <https://x":                                                      "unclosed <https://x",
	} {
		want(t, in, slackText(in, nil), out)
	}
}

// --- Every vendor: forged, unconfigured, rate limited -----------------------------

type vendorCase struct {
	name, path  string
	signsBody   bool // false: a shared secret, not bound to the body
	contentType string
	body        []byte
	sign        func(h *harness, body []byte) map[string]string
}

func vendorCases(t *testing.T) []vendorCase {
	return []vendorCase{
		{"intercom", "/hooks/intercom", true, "application/json", readTestdata(t, "intercom/docs_conversation_user_created.json"),
			func(h *harness, b []byte) map[string]string { return signIntercom(testSecrets.Intercom, b) }},
		{"zendesk", "/hooks/zendesk", true, "application/json", readTestdata(t, "zendesk/closeloop_legacy_template.json"),
			func(h *harness, b []byte) map[string]string {
				return signZendesk(testSecrets.Zendesk, h.now.Format(time.RFC3339), b)
			}},
		{"helpscout", "/hooks/helpscout", true, "application/json", readTestdata(t, "helpscout/docs_convo_created.json"),
			func(h *harness, b []byte) map[string]string {
				return signHelpScout(testSecrets.HelpScout, "convo.created", b)
			}},
		{"freshdesk", "/hooks/freshdesk", false, "application/json", readTestdata(t, "freshdesk/closeloop_advanced_template.json"),
			func(h *harness, b []byte) map[string]string {
				return map[string]string{"X-Closeloop-Secret": testSecrets.Freshdesk}
			}},
		{"slack", "/hooks/slack", true, "application/json", readTestdata(t, "slack/docs_message_event.json"),
			func(h *harness, b []byte) map[string]string { return signSlack(testSecrets.Slack, h.now, b) }},
		{"email", "/hooks/email", false, "message/rfc822", readTestdata(t, "email_multipart_qp.eml"),
			func(h *harness, b []byte) map[string]string {
				return map[string]string{"X-Closeloop-Secret": testSecrets.Email}
			}},
	}
}

func TestForgedRequestsStoreNothing(t *testing.T) {
	for _, vc := range vendorCases(t) {
		t.Run(vc.name, func(t *testing.T) {
			h := newHarness(t, testSecrets)
			headers := vc.sign(h, vc.body)
			if vc.signsBody {
				// Tamper with the body after signing.
				tampered := bytes.Replace(vc.body, []byte("e"), []byte("E"), 1)
				expectStatus(t, "tampered body", h.post(vc.path, vc.contentType, tampered, headers), http.StatusUnauthorized)
			}
			// A made-up signature (or shared secret) of the right shape.
			forged := map[string]string{}
			for k, v := range headers {
				forged[k] = v
			}
			for k := range forged {
				if strings.Contains(k, "Signature") || k == "X-Closeloop-Secret" {
					forged[k] = strings.Repeat("A", len(forged[k])-4) + "AA=="
				}
			}
			expectStatus(t, "forged signature", h.post(vc.path, vc.contentType, vc.body, forged), http.StatusUnauthorized)
			expectStatus(t, "no signature", h.post(vc.path, vc.contentType, vc.body, nil), http.StatusUnauthorized)
			want(t, "calls", h.rec.callCount(), 0)
			// The genuine request still goes through afterwards, once.
			expectStatus(t, "genuine", h.post(vc.path, vc.contentType, vc.body, headers), http.StatusOK)
			expectDuplicate(t, "redelivery of identical bytes", h.post(vc.path, vc.contentType, vc.body, headers))
			want(t, "items", len(h.rec.stored()), 1)
		})
	}
}

func TestUnconfiguredVendorIsNotFound(t *testing.T) {
	h := newHarness(t, Secrets{})
	for _, vc := range vendorCases(t) {
		r := h.post(vc.path, vc.contentType, vc.body, vc.sign(h, vc.body))
		expectStatus(t, vc.name, r, http.StatusNotFound)
	}
	want(t, "calls", h.rec.callCount(), 0)
}

// Signatures are checked before the strict per-address limit: refused requests spend
// it and are then cut with 429, while signed deliveries from the same address keep
// getting through; only a flood past the generous guard is cut regardless.
func TestRateLimit(t *testing.T) {
	for _, vc := range vendorCases(t) {
		t.Run(vc.name, func(t *testing.T) {
			h := newHarness(t, testSecrets)
			h.in.refused = auth.NewLimiter(2, time.Hour)
			expectStatus(t, "first forgery", h.post(vc.path, vc.contentType, vc.body, nil), http.StatusUnauthorized)
			expectStatus(t, "second forgery", h.post(vc.path, vc.contentType, vc.body, nil), http.StatusUnauthorized)
			expectStatus(t, "third forgery", h.post(vc.path, vc.contentType, vc.body, nil), http.StatusTooManyRequests)
			for i := range 3 {
				expectStatus(t, fmt.Sprint("signed ", i), h.post(vc.path, vc.contentType, vc.body, vc.sign(h, vc.body)), http.StatusOK)
			}
			h.in.flood = auth.NewLimiter(1, time.Hour)
			expectStatus(t, "within the flood guard", h.post(vc.path, vc.contentType, vc.body, vc.sign(h, vc.body)), http.StatusOK)
			expectStatus(t, "past the flood guard", h.post(vc.path, vc.contentType, vc.body, vc.sign(h, vc.body)), http.StatusTooManyRequests)
		})
	}
}

// A capture that fails must not burn the request: the vendor's retry of the same
// signed request has to be let in.
func TestFailedCaptureReleasesReplayEntry(t *testing.T) {
	h := newHarness(t, testSecrets)
	fail := true
	inner := h.rec.capture
	h.in.d.Capture = func(ctx context.Context, c feedback.Capture) (string, bool, error) {
		if fail {
			return "", false, io.ErrUnexpectedEOF
		}
		return inner(ctx, c)
	}
	body := readTestdata(t, "intercom/docs_conversation_user_created.json")
	headers := signIntercom(testSecrets.Intercom, body)
	expectStatus(t, "store down", h.post("/hooks/intercom", "application/json", body, headers), http.StatusInternalServerError)
	fail = false
	expectStatus(t, "retry", h.post("/hooks/intercom", "application/json", body, headers), http.StatusOK)
	want(t, "items", len(h.rec.stored()), 1)
}

func TestBadFieldsAreDroppedNotTheItem(t *testing.T) {
	c := feedback.Capture{Text: "hello", Source: feedback.SourceZendesk, Email: "not an email", ExternalURL: "{{ticket.link}}"}
	if reason := sanitize(&c, testNow); reason != "" {
		t.Fatalf("sanitize refused: %s", reason)
	}
	want(t, "email", c.Email, "")
	want(t, "url", c.ExternalURL, "")
	empty := feedback.Capture{Text: "  ", Source: feedback.SourceZendesk}
	if sanitize(&empty, testNow) == "" {
		t.Error("empty text accepted")
	}
}

func TestReplayCacheBounded(t *testing.T) {
	c := newReplayCache(10)
	for i := range 100 {
		if !c.reserve(strconv.Itoa(i), testNow, time.Hour) {
			t.Fatalf("key %d refused", i)
		}
	}
	if len(c.entries) > 10 {
		t.Fatalf("%d entries, bound is 10", len(c.entries))
	}
	if c.reserve("99", testNow, time.Hour) {
		t.Error("recent key accepted twice")
	}
	if !c.reserve("99", testNow.Add(2*time.Hour), time.Hour) {
		t.Error("expired key refused")
	}
}

func TestHTMLToText(t *testing.T) {
	in := `<html><head><title>x</title><style>p{}</style></head><body><p>One &amp; two</p><div>three<br/>four</div><script>alert(1)</script><!-- c --><ul><li>a</li><li>b</li></ul></body></html>`
	want(t, "text", htmlToText(in), "One & two\n\nthree\nfour\n\na\nb")
}
