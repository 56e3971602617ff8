package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestEndpointURLMustBePublic: loopback, link-local, private and unspecified
// destinations are refused at save time, naming the url field, until an admin allows
// the host (issue 13, defect 8).
func TestEndpointURLMustBePublic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, u := range []string{
			"http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/x",
			"http://[::1]:9000/", "http://0.0.0.0:80/", "https://[fe80::1]/", "http://192.168.0.10/",
			"http://[::ffff:127.0.0.1]/",
		} {
			err := notify.CreateEndpoint(ctx, s, &store.WebhookEndpoint{URL: u, Events: []string{"*"}, Active: true})
			var fe *errs.FieldError
			if !errors.As(err, &fe) || fe.Field != "url" || !errors.Is(err, notify.ErrNotPublic) && !strings.Contains(fe.Msg, "not a public address") {
				t.Errorf("%s: %v, want a url error", u, err)
			}
		}
		eps, err := s.ListWebhookEndpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != 0 {
			t.Fatalf("%d endpoints stored", len(eps))
		}
		if err := notify.SaveEgress(ctx, s, []string{" 127.0.0.1 ", "Hooks.Internal"}); err != nil {
			t.Fatal(err)
		}
		ok := store.WebhookEndpoint{URL: "http://127.0.0.1:8080/hook", Events: []string{"*"}, Active: true}
		if err := notify.CreateEndpoint(ctx, s, &ok); err != nil {
			t.Fatalf("allowed host refused: %v", err)
		}
		ok.URL = "http://169.254.169.254/"
		if err := notify.UpdateEndpoint(ctx, s, &ok); err == nil {
			t.Fatal("update to the metadata address accepted")
		}
		if err := notify.SaveEgress(ctx, s, []string{"[::1]"}); err != nil {
			t.Fatal(err)
		}
		v6 := store.WebhookEndpoint{URL: "http://[::1]:9000/hook", Events: []string{"*"}, Active: true}
		if err := notify.CreateEndpoint(ctx, s, &v6); err != nil {
			t.Fatalf("allowed IPv6 literal refused: %v", err)
		}
		if err := notify.SaveEgress(ctx, s, []string{"http://x/"}); err == nil {
			t.Fatal("a URL accepted as a host")
		}
	})
}

// TestWebhookDialChecksEveryAddress: a name that passed the save-time check and
// later resolves to loopback (DNS rebinding) is refused when dialled: the receiver is
// never reached, the delivery fails at once, and the log holds no answer body. Once
// the host is allowed the same receiver gets the delivery on the checked address.
func TestWebhookDialChecksEveryAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var hits atomic.Int32
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.WriteHeader(http.StatusTeapot)
			w.Write([]byte("INTERNAL-SECRET-ANSWER"))
		}))
		defer rcv.Close()
		_, w := setup(t, s)
		if err := notify.SaveEgress(ctx, s, nil); err != nil { // setup allows 127.0.0.1
			t.Fatal(err)
		}
		port := rcv.URL[strings.LastIndexByte(rcv.URL, ':')+1:]
		// A public address at save time (the resolver is the system's there; the
		// name is invented, so it does not resolve and is accepted), loopback at
		// every dial, next to a public one.
		w.Resolve = func(_ context.Context, host string) ([]netip.Addr, error) {
			if host != "rebind.example" {
				return nil, errors.New("no such host")
			}
			return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")}, nil
		}
		ep := store.WebhookEndpoint{URL: "http://rebind.example:" + port + "/hook", Events: []string{"*"}, Active: true}
		if err := notify.CreateEndpoint(ctx, s, &ep); err != nil {
			t.Fatal(err)
		}
		if _, err := notify.Emit(ctx, s, notify.EventFeedbackCreated, map[string]string{"id": "f1"}); err != nil {
			t.Fatal(err)
		}
		w.Tick(ctx)
		if hits.Load() != 0 {
			t.Fatal("the loopback receiver was reached")
		}
		rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Status != store.OutboxFailed {
			t.Fatalf("refused delivery: %+v", rows)
		}
		log, err := s.OutboxAttempts(ctx, rows[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || !strings.Contains(log[0].Error, "refused") || !strings.Contains(log[0].Error, "127.0.0.1, a loopback address") ||
			strings.Contains(log[0].Error, "INTERNAL-SECRET-ANSWER") {
			t.Fatalf("delivery log: %+v", log)
		}

		// Allowed by name, it is dialled — on the resolved loopback address, as checked.
		w.Resolve = func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		if err := notify.SaveEgress(ctx, s, []string{"rebind.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := notify.Emit(ctx, s, notify.EventFeedbackCreated, map[string]string{"id": "f2"}); err != nil {
			t.Fatal(err)
		}
		w.Tick(ctx)
		if hits.Load() != 1 {
			t.Fatalf("allowed host: %d hits", hits.Load())
		}
	})
}
