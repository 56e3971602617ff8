package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/store"
)

// The outbox survives a SIGTERM in the middle of delivery: the real binary is
// stopped while it talks to a slow SMTP server and a slow webhook receiver, started
// again, and every message arrives exactly once (the receivers count).
func TestSIGTERMMidDeliveryDeliversEachMessageOnce(t *testing.T) {
	eachBinary(t, "info", func(t *testing.T, b binaryDB) {
		const emails, hooks = 6, 6
		const delay = 250 * time.Millisecond

		smtpSrv := smtptest.Start(t)
		smtpSrv.Delay = delay
		var mu sync.Mutex
		deliveries := map[string]int{}
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			time.Sleep(delay)
			mu.Lock()
			deliveries[r.Header.Get(notify.HeaderDelivery)]++
			mu.Unlock()
		}))
		defer hook.Close()

		// Queue the messages before the server starts, straight into its database.
		ctx := context.Background()
		st := b.migrated(t)
		// The webhook receiver is on loopback, which outbound webhooks may reach only
		// when an admin allows it.
		if err := notify.SaveEgress(ctx, st, []string{"127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := notify.SaveSMTP(ctx, st, smtpSrv.Settings()); err != nil {
			t.Fatal(err)
		}
		ep := &store.WebhookEndpoint{URL: hook.URL, Secret: "s3cret", Events: []string{"*"}, Active: true}
		if err := st.CreateWebhookEndpoint(ctx, ep); err != nil {
			t.Fatal(err)
		}
		for i := range emails {
			if _, err := notify.EnqueueEmail(ctx, st, "e2e", notify.EmailPayload{Message: notify.Message{
				ToEmail: fmt.Sprintf("p%d@example.com", i), Subject: "hello", Text: "once"}}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range hooks {
			if _, err := notify.Emit(ctx, st, notify.EventFeedbackCreated, map[string]int{"n": i}); err != nil {
				t.Fatal(err)
			}
		}
		sent := func() int {
			items, err := st.ListOutbox(ctx, store.OutboxFilter{Status: store.OutboxSent, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		received := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(smtpSrv.Messages()) + len(deliveries)
		}

		srv, logs := startServer(t, b.env, b.addr, "serve")
		waitUntil(t, "the first deliveries", func() bool { return received() >= 2 })
		srv.Process.Signal(syscall.SIGTERM)
		if err := waitExit(srv); err != nil {
			t.Fatalf("server exit after SIGTERM: %v\n%s", err, logs)
		}
		if n := received(); n >= emails+hooks {
			t.Fatalf("everything (%d) was delivered before SIGTERM took effect: the test proves nothing; slow the receivers", n)
		}
		// Every message accepted by a receiver before the stop is recorded as sent.
		if s, r := sent(), received(); s != r {
			t.Fatalf("after the stop: %d recorded sent, %d received", s, r)
		}

		srv, logs = startServer(t, b.env, b.addr, "serve")
		waitUntil(t, "every message sent", func() bool { return sent() == emails+hooks })
		srv.Process.Signal(syscall.SIGTERM)
		if err := waitExit(srv); err != nil {
			t.Fatalf("second exit: %v\n%s", err, logs)
		}
		st.Close()

		ids := map[string]int{}
		for _, m := range smtpSrv.Messages() {
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			ids[msg.Header.Get("Message-Id")]++
		}
		if len(ids) != emails {
			t.Errorf("%d distinct emails received, want %d", len(ids), emails)
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("email %s received %d times", id, n)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(deliveries) != hooks {
			t.Errorf("%d distinct webhook deliveries, want %d", len(deliveries), hooks)
		}
		for id, n := range deliveries {
			if n != 1 {
				t.Errorf("webhook delivery %s received %d times", id, n)
			}
		}
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitExit(cmd interface{ Wait() error }) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(90 * time.Second):
		return fmt.Errorf("did not exit within 90 s")
	}
}
