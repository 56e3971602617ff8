package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestOutboxClaimRetryAndLog(t *testing.T) {
	storetest.EachAt(t, time.Now().UTC().Truncate(time.Millisecond), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		a := store.OutboxItem{Kind: store.OutboxEmail, Ref: "r1", Payload: []byte(`{"x":1}`)}
		later := store.OutboxItem{Kind: store.OutboxWebhook, Payload: []byte(`{}`), NextAttemptAt: clock.Now().Add(time.Hour)}
		if err := s.EnqueueOutbox(ctx, &a, &later); err != nil || a.ID == "" || a.Status != store.OutboxQueued {
			t.Fatalf("enqueue: %+v %v", a, err)
		}
		// Concurrent claims: each due row goes to exactly one claimer; the future row to none.
		var mu sync.Mutex
		got := map[string]int{}
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				items, err := s.ClaimOutbox(ctx, clock.Now(), 10, time.Minute)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				for _, it := range items {
					got[it.ID]++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(got) != 1 || got[a.ID] != 1 {
			t.Fatalf("claims: %v", got)
		}
		o, err := s.GetOutbox(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != store.OutboxSending || o.Attempts != 1 || string(o.Payload) != `{"x":1}` {
			t.Fatalf("claimed row: %+v", o)
		}
		// A transient failure goes back to the queue, due at RetryAt.
		if err := s.FinishOutbox(ctx, store.OutboxResult{ID: a.ID, At: clock.Now(), Error: "451 try later", RetryAt: clock.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if items, err := s.ClaimOutbox(ctx, clock.Now().Add(30*time.Second), 10, time.Minute); err != nil || len(items) != 0 {
			t.Fatalf("claimed before due: %+v %v", items, err)
		}
		items, err := s.ClaimOutbox(ctx, clock.Now().Add(time.Minute), 10, time.Minute)
		if err != nil || len(items) != 1 || items[0].Attempts != 2 {
			t.Fatalf("reclaim: %+v %v", items, err)
		}
		// A worker that dies mid-send: the lease runs out and the row is claimable again.
		if items, err := s.ClaimOutbox(ctx, clock.Now().Add(90*time.Second), 10, time.Minute); err != nil || len(items) != 0 {
			t.Fatalf("claimed within lease: %+v %v", items, err)
		}
		items, err = s.ClaimOutbox(ctx, clock.Now().Add(3*time.Minute), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Attempts != 3 {
			t.Fatalf("lease expiry: %+v", items)
		}
		if err := s.FinishOutbox(ctx, store.OutboxResult{ID: a.ID, At: clock.Now().Add(3 * time.Minute), OK: true}); err != nil {
			t.Fatal(err)
		}
		o, err = s.GetOutbox(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != store.OutboxSent || o.SentAt.IsZero() || o.LastError != "" {
			t.Fatalf("sent row: %+v", o)
		}
		log, err := s.OutboxAttempts(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].OK || log[0].Error != "451 try later" || !log[1].OK {
			t.Fatalf("delivery log: %+v", log)
		}
		// Giving up, then an admin's requeue.
		if _, err := s.ClaimOutbox(ctx, clock.Now().Add(2*time.Hour), 10, time.Minute); err != nil {
			t.Fatal(err)
		}
		storetest.Must(t, s.FinishOutbox(ctx, store.OutboxResult{ID: later.ID, At: clock.Now(), Error: "HTTP 500"}))
		if o, _ := s.GetOutbox(ctx, later.ID); o.Status != store.OutboxFailed {
			t.Fatalf("failed row: %+v", o)
		}
		if err := s.RequeueOutbox(ctx, later.ID); err != nil {
			t.Fatal(err)
		}
		if o, _ := s.GetOutbox(ctx, later.ID); o.Status != store.OutboxQueued || o.Attempts != 0 {
			t.Fatalf("requeued row: %+v", o)
		}
		if err := s.RequeueOutbox(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("requeue of a sent row: %v", err)
		}
		if list, _ := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxEmail}); len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("list: %+v", list)
		}
	})
}

func TestOutboxTouchpointOnDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := storetest.Account(t, s, account.Account{Name: "Acme"})
		p := account.Person{Email: "ann@acme.com", Name: "Ann", AccountID: acme.ID}
		lone := account.Person{Email: "lone@gmail.com"}
		storetest.Must(t, s.CreatePerson(ctx, &p))
		storetest.Must(t, s.CreatePerson(ctx, &lone))
		for _, pid := range []string{p.ID, lone.ID} {
			o := store.OutboxItem{Kind: store.OutboxEmail, Payload: []byte(`{}`)}
			storetest.Must(t, s.EnqueueOutbox(ctx, &o))
			if _, err := s.ClaimOutbox(ctx, time.Now(), 10, time.Minute); err != nil {
				t.Fatal(err)
			}
			tp := &account.Touchpoint{PersonID: pid, Kind: account.Email, Direction: account.Outbound, Summary: "Told about shipped: SSO"}
			// A person without an account gets no touchpoint, but the row is still sent.
			if err := s.FinishOutbox(ctx, store.OutboxResult{ID: o.ID, At: time.Now(), OK: true, Touchpoint: tp}); err != nil {
				t.Fatal(err)
			}
			if o, _ := s.GetOutbox(ctx, o.ID); o.Status != store.OutboxSent {
				t.Fatalf("status: %+v", o)
			}
		}
		tps, _, err := s.ListTouchpoints(ctx, store.TouchpointFilter{AccountID: acme.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(tps) != 1 || tps[0].PersonID != p.ID || tps[0].Kind != account.Email || tps[0].Direction != account.Outbound || tps[0].Summary != "Told about shipped: SSO" {
			t.Fatalf("touchpoints: %+v", tps)
		}
	})
}

func TestWebhookEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := store.WebhookEndpoint{URL: "https://example.com/hook", Secret: "s1", Events: []string{"feedback.created", "vote.created"}, Active: true}
		storetest.Must(t, s.CreateWebhookEndpoint(ctx, &e))
		got, err := s.GetWebhookEndpoint(ctx, e.ID)
		if err != nil || got.Secret != "s1" || !got.Subscribed("vote.created") || got.Subscribed("request.status_changed") {
			t.Fatalf("get: %+v %v", got, err)
		}
		// An empty secret keeps the stored one.
		got.Events, got.Active, got.Secret = []string{"*"}, false, ""
		if err := s.UpdateWebhookEndpoint(ctx, &got); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListWebhookEndpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Secret != "s1" || list[0].Active || !list[0].Subscribed("request.status_changed") {
			t.Fatalf("list: %+v", list)
		}
		if err := s.DeleteWebhookEndpoint(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetWebhookEndpoint(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}
