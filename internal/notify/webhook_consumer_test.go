package notify_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The webhook fan-out is a job on the runner: each run turns the events committed
// since its checkpoint into deliveries, once.
func TestWebhookFanOutJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := jobs.New(s, slog.New(slog.DiscardHandler))
		r.Add(notify.WebhookFanOutJob(s, time.Hour))
		ep := store.WebhookEndpoint{URL: "https://hooks.example.com/in", Secret: "whsec_x", Events: []string{notify.EventFeedbackCreated}, Active: true}
		if err := s.CreateWebhookEndpoint(ctx, &ep); err != nil {
			t.Fatal(err)
		}
		it, _, err := s.Capture(ctx, feedback.Capture{Text: "Dark mode", Source: feedback.SourceAPI})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second run finds nothing new
			if ran, err := r.Run(ctx, "webhook-fanout"); err != nil || !ran {
				t.Fatalf("run: %v %v", ran, err)
			}
		}
		rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
		if err != nil || len(rows) != 1 {
			t.Fatalf("deliveries %d, %v; want 1", len(rows), err)
		}
		var p store.WebhookPayload
		if err := json.Unmarshal(rows[0].Payload, &p); err != nil || p.EndpointID != ep.ID || p.Event != notify.EventFeedbackCreated {
			t.Fatalf("payload %+v %v", p, err)
		}
		var env struct {
			Data feedback.Item `json:"data"`
		}
		if err := json.Unmarshal(p.Body, &env); err != nil || env.Data.ID != it.ID || env.Data.Text != "Dark mode" {
			t.Fatalf("body %s: %v", p.Body, err)
		}
		if j, err := s.GetJob(ctx, "webhook-fanout"); err != nil || j.Runs != 2 || j.LastOutcome != "ok" {
			t.Fatalf("job row %+v %v", j, err)
		}
		if cp, _ := s.EventCheckpoint(ctx, store.WebhookConsumer); cp != 1 {
			t.Fatalf("checkpoint %d, want 1", cp)
		}
	})
}
