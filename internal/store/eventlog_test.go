package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func eventsAfter(t *testing.T, s *store.Store, after int64) []store.Event {
	t.Helper()
	evs, err := s.Events(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Events are recorded with their change whether or not a webhook endpoint exists, in
// order, numbered without gaps, naming the account and the subject.
func TestEventLogRecordsEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := storetest.Account(t, s, account.Account{Name: "Acme", Tier: "strategic"})
		// A failed batch records nothing and uses up no sequence number.
		if _, _, err := s.CaptureBatch(ctx, []feedback.Capture{{Text: "ok", Source: feedback.SourceAPI}, {Text: "", Source: feedback.SourceAPI}}); err == nil {
			t.Fatal("bad batch accepted")
		}
		it := storetest.Capture(t, s, feedback.Capture{Text: "Need SSO", Source: feedback.SourceAPI, Email: "ann@acme.com", AccountID: acme.ID})
		req := storetest.Request(t, s, feedback.Request{Title: "SSO"})
		req.Status = feedback.Planned
		if _, err := s.UpdateRequest(ctx, &req); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, &feedback.Vote{RequestID: req.ID, PersonID: it.PersonID, Source: feedback.VoteTeam}); err != nil {
			t.Fatal(err)
		}
		want := []struct {
			seq              int64
			kind, acct, subj string
		}{
			{1, store.EventFeedbackCreated, acme.ID, it.ID},
			{2, store.EventRequestStatusChanged, "", req.ID},
			{3, store.EventVoteCreated, acme.ID, req.ID},
		}
		got := eventsAfter(t, s, 0)
		if len(got) != len(want) {
			t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.Seq != w.seq || g.Kind != w.kind || g.AccountID != w.acct || g.Subject != w.subj || g.At.IsZero() {
				t.Errorf("event %d = %d %s account %q subject %q at %v; want %d %s %q %q", i, g.Seq, g.Kind, g.AccountID, g.Subject, g.At, w.seq, w.kind, w.acct, w.subj)
			}
		}
		var sc store.StatusChange
		if err := json.Unmarshal(got[1].Data, &sc); err != nil || sc.Previous != feedback.Open || sc.Request.Status != feedback.Planned || sc.Request.ID != req.ID {
			t.Errorf("status change data %s: %+v %v", got[1].Data, sc, err)
		}
		if eventsAfter(t, s, 2)[0].Seq != 3 || len(eventsAfter(t, s, 3)) != 0 {
			t.Error("reading after a sequence number")
		}
	})
}

// Each consumer has its own checkpoint; a batch whose handler fails is handed out
// again; a caught-up consumer gets nothing.
func TestEventConsumersKeepTheirOwnCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 3 {
			if _, err := s.Emit(ctx, store.EventFeedbackCreated, map[string]int{"n": i}); err != nil {
				t.Fatal(err)
			}
		}
		take := func(name string, limit int, fail error) ([]int64, error) {
			var seqs []int64
			_, err := s.Consume(ctx, name, limit, func(_ context.Context, evs []store.Event) error {
				for _, e := range evs {
					seqs = append(seqs, e.Seq)
				}
				return fail
			})
			return seqs, err
		}
		steps := []struct {
			consumer string
			fail     error
			want     string // the batch handed out
			cp       int64  // the checkpoint after
		}{
			{"a", nil, "[1 2]", 2},
			{"a", errors.New("receiver down"), "[3]", 2},
			{"a", nil, "[3]", 3},
			{"a", nil, "[]", 3},
			{"b", nil, "[1 2]", 2},
		}
		for i, st := range steps {
			seqs, err := take(st.consumer, 2, st.fail)
			if (err != nil) != (st.fail != nil) {
				t.Fatalf("step %d: err %v", i, err)
			}
			if got := fmt.Sprint(seqs); got != st.want && !(st.want == "[]" && seqs == nil) {
				t.Errorf("step %d (%s): batch %s, want %s", i, st.consumer, got, st.want)
			}
			if cp, err := s.EventCheckpoint(ctx, st.consumer); err != nil || cp != st.cp {
				t.Errorf("step %d (%s): checkpoint %d %v, want %d", i, st.consumer, cp, err, st.cp)
			}
		}
		if cp, _ := s.EventCheckpoint(ctx, "never-ran"); cp != 0 {
			t.Errorf("a new consumer starts at %d", cp)
		}
	})
}

// Webhooks are a consumer: the fan-out queues a delivery per subscribed active
// endpoint that existed when the event happened, and each event only once.
func TestWebhookFanOutConsumesTheLog(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		mk := func(events ...string) store.WebhookEndpoint {
			e := store.WebhookEndpoint{URL: "https://hooks.example.com/" + strings.Join(events, "+"), Secret: "whsec_x", Events: events, Active: true}
			storetest.Must(t, s.CreateWebhookEndpoint(ctx, &e))
			return e
		}
		all, votes := mk("*"), mk(store.EventVoteCreated)
		off := mk("*")
		off.Active = false
		if err := s.UpdateWebhookEndpoint(ctx, &off); err != nil {
			t.Fatal(err)
		}
		storetest.Capture(t, s, feedback.Capture{Text: "one", Source: feedback.SourceAPI, Email: "p@example.com"})
		clock.Add(time.Minute)
		late := mk("*") // created after the first event
		req := storetest.Request(t, s, feedback.Request{Title: "R"})
		p, err := s.GetPersonByEmail(ctx, "p@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, &feedback.Vote{RequestID: req.ID, PersonID: p.ID, Source: feedback.VoteTeam}); err != nil {
			t.Fatal(err)
		}
		if rows, _ := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook}); len(rows) != 0 {
			t.Fatalf("deliveries before the fan-out ran: %d", len(rows))
		}
		n, d, err := s.FanOutWebhooks(ctx, 0)
		if err != nil || n != 2 || d != 4 {
			t.Fatalf("fan-out: %d events, %d deliveries, %v; want 2 events, 4 deliveries", n, d, err)
		}
		if n, d, err := s.FanOutWebhooks(ctx, 0); n != 0 || d != 0 || err != nil {
			t.Fatalf("second fan-out: %d %d %v", n, d, err)
		}
		rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range rows {
			var pl store.WebhookPayload
			json.Unmarshal(r.Payload, &pl)
			var env struct {
				ID    string          `json:"id"`
				Event string          `json:"event"`
				Data  json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(pl.Body, &env); err != nil || env.ID != pl.DeliveryID || env.Event != pl.Event || len(env.Data) < 2 {
				t.Fatalf("body %s: %v", pl.Body, err)
			}
			got[map[string]string{all.ID: "all", votes.ID: "votes", late.ID: "late", off.ID: "off"}[pl.EndpointID]+" "+pl.Event]++
		}
		want := map[string]int{"all feedback.created": 1, "all vote.created": 1, "votes vote.created": 1, "late vote.created": 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("deliveries %v, want %v", got, want)
		}
		if cp, _ := s.EventCheckpoint(ctx, store.WebhookConsumer); cp != 2 {
			t.Fatalf("webhook checkpoint %d, want 2", cp)
		}
	})
}

// Events older than the retention go once every consumer has passed them.
func TestPruneEventsKeepsWhatAConsumerStillNeeds(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		for i := range 4 { // seq 1..4 on 1, 2, 3, 4 January
			if _, err := s.Emit(ctx, "test.event", i); err != nil {
				t.Fatal(err)
			}
			clock.Add(24 * time.Hour)
		}
		handle := func(name string, limit int) {
			if _, err := s.Consume(ctx, name, limit, func(context.Context, []store.Event) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		handle("fast", 4) // checkpoint 4
		handle("slow", 1) // checkpoint 1; the webhook consumer (Emit's fan-out) is at 4
		cutoff := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
		n, err := s.PruneEvents(ctx, cutoff) // 1–3 Jan are old; slow has only passed seq 1
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want 1", n, err)
		}
		handle("slow", 4)
		if n, err := s.PruneEvents(ctx, cutoff); err != nil || n != 2 {
			t.Fatalf("pruned %d, %v after slow caught up; want 2 (seq 2 and 3)", n, err)
		}
		left := eventsAfter(t, s, 0)
		if len(left) != 1 || left[0].Seq != 4 {
			t.Fatalf("left %+v", left)
		}
		// Numbers are never reused after a prune.
		if _, err := s.Emit(ctx, "test.event", 5); err != nil {
			t.Fatal(err)
		}
		if evs := eventsAfter(t, s, 4); len(evs) != 1 || evs[0].Seq != 5 {
			t.Fatalf("after prune: %+v", evs)
		}
	})
}

// A writer whose transaction is still open when a second one commits must not make a
// consumer skip its event. On PostgreSQL numbers are taken at commit, so the second
// writer's event is 1 and the first's 2 (the plain-sequence failure would number them
// the other way round and let a consumer at checkpoint 2 miss 1); on SQLite the second
// writer waits for the first, which is 1.
func TestEventLogConcurrentWritersLoseNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inFlight, release := make(chan struct{}), make(chan struct{})
		slow := make(chan error, 1)
		go func() { slow <- s.EmitHeld(ctx, "test.slow", func() { close(inFlight); <-release }) }()
		<-inFlight
		fast := make(chan error, 1)
		go func() { _, err := s.Emit(ctx, "test.fast", 1); fast <- err }()
		var seen []string
		read := func() {
			t.Helper()
			if _, err := s.Consume(ctx, "watcher", 10, func(_ context.Context, evs []store.Event) error {
				for _, e := range evs {
					seen = append(seen, fmt.Sprint(e.Seq, e.Kind))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		wantDuring, wantAll := "", "1test.slow, 2test.fast"
		if s.Dialect() == "postgres" {
			if err := <-fast; err != nil { // commits while the slow one is open
				t.Fatal(err)
			}
			wantDuring, wantAll = "1test.fast", "1test.fast, 2test.slow"
		} else {
			// SQLite's one writer keeps the fast writer waiting; the pause only gives it
			// the chance to misbehave.
			time.Sleep(50 * time.Millisecond)
		}
		read()
		if got := strings.Join(seen, ", "); got != wantDuring {
			t.Fatalf("with the slow writer in flight the consumer read %q, want %q", got, wantDuring)
		}
		close(release)
		if err := <-slow; err != nil {
			t.Fatal(err)
		}
		if s.Dialect() != "postgres" {
			if err := <-fast; err != nil {
				t.Fatal(err)
			}
		}
		read()
		if got := strings.Join(seen, ", "); got != wantAll {
			t.Fatalf("consumer read %q, want %q", got, wantAll)
		}

		// Many writers at once, a consumer reading all along: every event once, in order.
		const writers, each = 4, 20
		var wg sync.WaitGroup
		errc := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if _, err := s.Emit(ctx, "test.many", w*each+i); err != nil {
						errc <- err
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		var got []int64
		consume := func() {
			if _, err := s.Consume(ctx, "many", 7, func(_ context.Context, evs []store.Event) error {
				for _, e := range evs {
					got = append(got, e.Seq)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
				consume()
			}
		}
		for {
			before := len(got)
			consume()
			if len(got) == before {
				break
			}
		}
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		if len(got) != 2+writers*each {
			t.Fatalf("consumer read %d events, want %d", len(got), 2+writers*each)
		}
		for i, seq := range got {
			if seq != int64(i+1) {
				t.Fatalf("event %d has sequence %d: %v", i, seq, got)
			}
		}
	})
}

// The health loop's events reach an endpoint subscribed to them by name, and the
// envelope names the account, which their data does not carry.
func TestWebhookFanOutHealthEventsNameTheAccount(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		for _, ev := range []string{store.EventHealthChanged, store.EventSignalFired, store.EventTaskCreated, store.EventGoalMissed, store.EventSurveyResponded, store.EventCancellationRecorded} {
			if !slices.Contains(store.Events, ev) {
				t.Errorf("%s cannot be subscribed to", ev)
			}
		}
		ep := store.WebhookEndpoint{URL: "https://hooks.example.com/tasks", Secret: "whsec_x", Events: []string{store.EventTaskCreated}, Active: true}
		storetest.Must(t, s.CreateWebhookEndpoint(ctx, &ep))
		a := &account.Account{Name: "Silent", Tier: "important"} // never contacted: the cadence rule fires
		storetest.Must(t, s.CreateAccount(ctx, a))
		storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
		if _, d, err := s.FanOutWebhooks(ctx, 0); err != nil || d == 0 {
			t.Fatalf("deliveries %d, %v; want at least one task.created", d, err)
		}
		rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			var pl store.WebhookPayload
			if err := json.Unmarshal(r.Payload, &pl); err != nil {
				t.Fatal(err)
			}
			var env struct {
				Event     string `json:"event"`
				AccountID string `json:"account_id"`
			}
			if err := json.Unmarshal(pl.Body, &env); err != nil {
				t.Fatal(err)
			}
			if env.Event != store.EventTaskCreated || env.AccountID != a.ID {
				t.Fatalf("delivery %s: want task.created for %s", pl.Body, a.ID)
			}
		}
	})
}
