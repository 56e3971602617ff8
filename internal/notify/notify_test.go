package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func setup(t *testing.T, s *store.Store) (*clocktest.Clock, *notify.Worker) {
	c := clocktest.New(time.Now().Truncate(time.Millisecond))
	s.Now = c.Now
	// The receivers are httptest servers on 127.0.0.1, which webhooks may reach only
	// when an admin allows it (egress.go).
	if err := notify.SaveEgress(context.Background(), s, []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	return c, &notify.Worker{Store: s, Now: c.Now, Log: slog.New(slog.DiscardHandler)}
}

func TestMessageIsWellFormed(t *testing.T) {
	m := notify.Message{ToName: "Zoë \"Z\" Ng", ToEmail: "zoe@example.com", Subject: "Dark mode\r\nBcc: victim@example.com — shipped ✓",
		Text: "Hello\nline two", HTML: "<p>Hello</p>", ListUnsubscribe: "https://cl.example.com/unsubscribe/abc", MessageID: "<x1@closeloop.test>"}
	raw, err := m.Bytes(mail.Address{Name: "Team", Address: "team@closeloop.test"}, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	p, err := smtptest.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Header.Get("Bcc") != "" || strings.Contains(string(raw), "\r\nBcc:") {
		t.Fatalf("header injection through the subject:\n%s", raw)
	}
	subj, _ := new(mimeDecoder).decode(p.Header.Get("Subject"))
	if subj != "Dark mode Bcc: victim@example.com — shipped ✓" {
		t.Fatalf("subject %q", subj)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || to[0].Name != `Zoë "Z" Ng` || to[0].Address != "zoe@example.com" {
		t.Fatalf("to: %v %v", to, err)
	}
	for k, want := range map[string]string{
		"List-Unsubscribe": "<https://cl.example.com/unsubscribe/abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Message-Id": "<x1@closeloop.test>", "Mime-Version": "1.0", "Date": "Wed, 04 Mar 2026 05:06:07 +0000",
	} {
		if got := p.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(p.Text, "line two") || p.HTML != "<p>Hello</p>" {
		t.Fatalf("parts: %q %q", p.Text, p.HTML)
	}
}

type mimeDecoder struct{}

func (mimeDecoder) decode(s string) (string, error) {
	return (&mimeWordDecoder).DecodeHeader(s)
}

func TestSettingsAndTestSendOverRealSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		cfg := srv.Settings()
		if _, err := notify.SaveSMTP(ctx, s, notify.SMTPSettings{Host: "smtp.example.com", FromAddress: "not an address"}); err == nil {
			t.Fatal("bad from address accepted")
		}
		if _, err := notify.SaveSMTP(ctx, s, cfg); err != nil {
			t.Fatal(err)
		}
		// Saving again without a password keeps the stored one.
		cfg2 := cfg
		cfg2.Password, cfg2.FromName = "", "Success Team"
		if _, err := notify.SaveSMTP(ctx, s, cfg2); err != nil {
			t.Fatal(err)
		}
		got, err := notify.LoadSMTP(ctx, s)
		if err != nil || got.Password != srv.Password || got.FromName != "Success Team" || got.TLS != notify.TLSNone {
			t.Fatalf("loaded: %+v %v", got, err)
		}
		if err := notify.TestSend(ctx, got, "admin@example.com"); err != nil {
			t.Fatalf("test send: %v", err)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "admin@example.com" || msgs[0].From != "success@closeloop.test" {
			t.Fatalf("received: %+v", msgs)
		}
		bad := got
		bad.Password = "wrong"
		if err := notify.TestSend(ctx, bad, "admin@example.com"); err == nil || !strings.Contains(err.Error(), "authenticate") {
			t.Fatalf("wrong password: %v", err)
		}
		// starttls is required, never silently dropped.
		tlsOnly := got
		tlsOnly.TLS = notify.TLSStartTLS
		if err := notify.TestSend(ctx, tlsOnly, "admin@example.com"); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("starttls against a plain server: %v", err)
		}
	})
}

func TestWorkerEmailOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, w := setup(t, s)
		srv := smtptest.Start(t)
		// Not configured yet: a transient failure that the admin can fix in time.
		o, err := notify.EnqueueEmail(ctx, s, "test", notify.EmailPayload{Message: notify.Message{ToEmail: "a@example.com", Subject: "Hi", Text: "Hello"}})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := w.Tick(ctx); n != 1 || err != nil {
			t.Fatalf("tick: %d %v", n, err)
		}
		if got, _ := s.GetOutbox(ctx, o.ID); got.Status != store.OutboxQueued || !strings.Contains(got.LastError, "not configured") || !got.NextAttemptAt.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("unconfigured: %+v", got)
		}
		notify.SaveSMTP(ctx, s, srv.Settings())
		c.Add(time.Minute)
		w.Tick(ctx)
		if got, _ := s.GetOutbox(ctx, o.ID); got.Status != store.OutboxSent || got.Attempts != 2 {
			t.Fatalf("after configuring: %+v", got)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 {
			t.Fatalf("received %d", len(msgs))
		}
		p, _ := smtptest.Parse(msgs[0].Data)
		if id := p.Header.Get("Message-Id"); id != "<"+o.ID+"@closeloop.test>" {
			t.Fatalf("message id %q", id)
		}
		// A permanent refusal (550) fails at once: retrying cannot help.
		srv.FailRcpt(1, 550)
		o2, _ := notify.EnqueueEmail(ctx, s, "test", notify.EmailPayload{Message: notify.Message{ToEmail: "gone@example.com", Subject: "Hi", Text: "Hello"}})
		w.Tick(ctx)
		if got, _ := s.GetOutbox(ctx, o2.ID); got.Status != store.OutboxFailed || !strings.Contains(got.LastError, "550") {
			t.Fatalf("permanent failure: %+v", got)
		}
		// The retry budget: with a two-step backoff the third failure gives up.
		w.Backoff = []time.Duration{time.Minute, time.Hour}
		srv.FailRcpt(3, 451)
		o3, _ := notify.EnqueueEmail(ctx, s, "test", notify.EmailPayload{Message: notify.Message{ToEmail: "busy@example.com", Subject: "Hi", Text: "Hello"}})
		for _, step := range []time.Duration{0, time.Minute, time.Hour} {
			c.Add(step)
			w.Tick(ctx)
		}
		got, err := s.GetOutbox(ctx, o3.ID)
		if err != nil {
			t.Fatal(err)
		}
		log, err := s.OutboxAttempts(ctx, o3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.OutboxFailed || got.Attempts != 3 || len(log) != 3 || !strings.Contains(log[2].Error, "451") {
			t.Fatalf("budget: %+v %+v", got, log)
		}
		if _, err := notify.EnqueueEmail(ctx, s, "x", notify.EmailPayload{Message: notify.Message{ToEmail: "not-an-address", Text: "x"}}); err == nil {
			t.Fatal("invalid recipient queued")
		}
	})
}

func TestWebhooksSignedRetriedAndFiltered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, w := setup(t, s)
		type hit struct {
			path, event, delivery string
			body                  []byte
			sigErr                error
		}
		var mu sync.Mutex
		var hits []hit
		secrets := map[string]string{}
		fail := map[string]int{"/votes": 1} // the vote receiver answers 500 once
		rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			hits = append(hits, hit{r.URL.Path, r.Header.Get(notify.HeaderEvent), r.Header.Get(notify.HeaderDelivery), body,
				notify.VerifySignature(secrets[r.URL.Path], r.Header, body, 0)})
			if fail[r.URL.Path] > 0 {
				fail[r.URL.Path]--
				http.Error(rw, "receiver down", http.StatusInternalServerError)
				return
			}
			rw.WriteHeader(http.StatusNoContent)
		}))
		defer rcv.Close()
		mk := func(path string, events []string, active bool) store.WebhookEndpoint {
			e := store.WebhookEndpoint{URL: rcv.URL + path, Events: events, Active: active}
			if err := notify.CreateEndpoint(ctx, s, &e); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(e.Secret, "whsec_") {
				t.Fatalf("secret %q", e.Secret)
			}
			secrets[path] = e.Secret
			return e
		}
		mk("/feedback", []string{notify.EventFeedbackCreated}, true)
		mk("/votes", []string{notify.EventVoteCreated, notify.EventVoteCreated}, true)
		mk("/off", []string{"*"}, false)
		if err := notify.CreateEndpoint(ctx, s, &store.WebhookEndpoint{URL: "ftp://x", Events: []string{"*"}}); err == nil {
			t.Fatal("ftp URL accepted")
		}
		if err := notify.CreateEndpoint(ctx, s, &store.WebhookEndpoint{URL: "https://x.example", Events: []string{"feedback.deleted"}}); err == nil {
			t.Fatal("unknown event accepted")
		}
		// The store raises the events in the transactions that cause them.
		queued := func() int {
			// Webhooks consume the event log: fan out what has committed so far.
			if _, _, err := s.FanOutWebhooks(ctx, 0); err != nil {
				t.Fatal(err)
			}
			rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		if _, _, err := s.Capture(ctx, feedback.Capture{Text: "Need SSO", Source: feedback.SourceAPI, Email: "p1@example.com"}); err != nil {
			t.Fatal(err)
		}
		n1 := queued()
		req := feedback.Request{Title: "SSO", Status: feedback.Planned}
		if err := s.CreateRequest(ctx, &req); err != nil {
			t.Fatal(err)
		}
		p1, err := s.GetPersonByEmail(ctx, "p1@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, &feedback.Vote{RequestID: req.ID, PersonID: p1.ID, Source: feedback.VoteTeam}); err != nil {
			t.Fatal(err)
		}
		n2 := queued() - n1
		req.Status = feedback.Shipped
		if _, err := s.UpdateRequest(ctx, &req); err != nil {
			t.Fatal(err)
		}
		n3 := queued() - n1 - n2 // nobody subscribes to status changes here
		if n1 != 1 || n2 != 1 || n3 != 0 {
			t.Fatalf("emit counts: %d %d %d", n1, n2, n3)
		}
		if _, err := notify.Emit(ctx, s, "nope", nil); err == nil {
			t.Fatal("unknown event emitted")
		}
		w.Tick(ctx)
		mu.Lock()
		if len(hits) != 2 {
			t.Fatalf("first round: %+v", hits)
		}
		mu.Unlock()
		rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook, Status: store.OutboxQueued})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("queued for retry: %+v", rows)
		}
		log, err := s.OutboxAttempts(ctx, rows[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].OK || !strings.Contains(log[0].Error, "HTTP 500") || !strings.Contains(log[0].Error, "receiver down") {
			t.Fatalf("delivery log: %+v", log)
		}
		w.Tick(ctx) // not due yet
		c.Add(time.Minute)
		w.Tick(ctx)
		mu.Lock()
		defer mu.Unlock()
		if len(hits) != 3 {
			t.Fatalf("after retry: %d hits", len(hits))
		}
		for _, h := range hits {
			if h.sigErr != nil {
				t.Fatalf("%s: signature: %v", h.path, h.sigErr)
			}
			want := map[string]string{"/feedback": notify.EventFeedbackCreated, "/votes": notify.EventVoteCreated}[h.path]
			if h.event != want || !strings.Contains(string(h.body), `"event":"`+want+`"`) || !strings.Contains(string(h.body), `"id":"`+h.delivery+`"`) {
				t.Fatalf("hit %s: %s %s", h.path, h.event, h.body)
			}
		}
		var votes []string
		for _, h := range hits {
			if h.path == "/votes" {
				votes = append(votes, h.delivery)
			}
		}
		if len(votes) != 2 || votes[0] != votes[1] || votes[0] == "" {
			t.Fatalf("a retry must repeat the delivery id: %v", votes)
		}
		if got, _ := s.GetOutbox(ctx, rows[0].ID); got.Status != store.OutboxSent || got.Attempts != 2 {
			t.Fatalf("after retry: %+v", got)
		}
		// Tampering with the body, the secret or the timestamp breaks the signature.
		h := http.Header{}
		h.Set(notify.HeaderTimestamp, "1700000000")
		h.Set(notify.HeaderSignature, notify.Sign("k", 1700000000, []byte(`{"a":1}`)))
		if err := notify.VerifySignature("k", h, []byte(`{"a":1}`), 0); err != nil {
			t.Fatal(err)
		}
		if err := notify.VerifySignature("k", h, []byte(`{"a":2}`), 0); !errors.Is(err, notify.ErrBadSignature) {
			t.Fatalf("tampered body: %v", err)
		}
		if err := notify.VerifySignature("other", h, []byte(`{"a":1}`), 0); !errors.Is(err, notify.ErrBadSignature) {
			t.Fatalf("wrong secret: %v", err)
		}
		if err := notify.VerifySignature("k", h, []byte(`{"a":1}`), 5*time.Minute); !errors.Is(err, notify.ErrBadSignature) {
			t.Fatalf("old timestamp: %v", err)
		}
	})
}

func TestDeletedEndpointIsSkipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, w := setup(t, s)
		e := store.WebhookEndpoint{URL: "https://127.0.0.1:1/none", Events: []string{"*"}, Active: true}
		notify.CreateEndpoint(ctx, s, &e)
		if _, err := notify.Emit(ctx, s, notify.EventFeedbackCreated, map[string]string{"id": "f1"}); err != nil {
			t.Fatal(err)
		}
		storetest.Must(t, s.DeleteWebhookEndpoint(ctx, e.ID))
		w.Tick(ctx)
		rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Status != store.OutboxSkipped || !strings.Contains(rows[0].LastError, "deleted") {
			t.Fatalf("%+v", rows)
		}
	})
}

var mimeWordDecoder = mime.WordDecoder{}

func TestOutboxJobDeliversUntilCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv := smtptest.Start(t)
		notify.SaveSMTP(ctx, s, srv.Settings())
		w := &notify.Worker{Store: s, Interval: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
		r := jobs.New(s, slog.New(slog.DiscardHandler))
		r.Poll = 10 * time.Millisecond
		r.Add(w.Job())
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		o, _ := notify.EnqueueEmail(ctx, s, "run", notify.EmailPayload{Message: notify.Message{ToEmail: "r@example.com", Subject: "s", Text: "t"}})
		deadline := time.Now().Add(10 * time.Second)
		for {
			if got, _ := s.GetOutbox(ctx, o.ID); got.Status == store.OutboxSent {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("Run did not deliver")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		r.Wait()
		if j, err := s.GetJob(context.Background(), "outbox"); err != nil || j.Runs == 0 || j.LastOutcome != "ok" {
			t.Fatalf("outbox job row: %+v, %v", j, err)
		}
	})
}
