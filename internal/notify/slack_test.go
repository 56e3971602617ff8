package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// slackReceiver is a real HTTP server playing Slack's incoming webhook: it records
// each body and answers 500 to the first fail requests.
type slackReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	fail   int
}

func newSlackReceiver(t *testing.T, fail int) *slackReceiver {
	sr := &slackReceiver{fail: fail}
	sr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sr.mu.Lock()
		defer sr.mu.Unlock()
		sr.bodies = append(sr.bodies, r.Header.Get("Content-Type")+" "+string(b))
		if len(sr.bodies) <= sr.fail {
			http.Error(w, "rollup_error", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(sr.Close)
	return sr
}

// slackInstall is the Slack tests' install: s's clock standing at 15 June 10:00 UTC
// (moved with Add), and Olga, the team member who owns the accounts that turn red.
func slackInstall(t *testing.T, s *store.Store) (*clocktest.Clock, *auth.Member) {
	t.Helper()
	clock := clocktest.New(time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC))
	s.Now = clock.Now
	owner := &auth.Member{Email: "olga@example.com", Name: "Olga", Role: auth.RoleMember}
	storetest.Members(t, s, owner)
	return clock, owner
}

// allowSlack lets webhooks reach the loopback receiver (as an admin must for a local
// host) and sets hookURL as the Slack webhook, failing the test if either is refused.
func allowSlack(t *testing.T, s *store.Store, hookURL string) {
	t.Helper()
	ctx := context.Background()
	storetest.Must(t, notify.SaveEgress(ctx, s, []string{"127.0.0.1"}))
	storetest.Must(t, notify.SaveSlack(ctx, s, hookURL))
}

// slackRows is the outbox's Slack messages, failing the test if it cannot be read.
func slackRows(t *testing.T, s *store.Store) []store.OutboxItem {
	t.Helper()
	rows, err := s.ListOutbox(context.Background(), store.OutboxFilter{Kind: store.OutboxSlack})
	storetest.Must(t, err)
	return rows
}

func (sr *slackReceiver) got() []string {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	return append([]string(nil), sr.bodies...)
}

// Slack alerts: an account nobody has talked to for two months turns red. With no
// webhook set nothing is queued or sent; with one set (its host allowed by the egress
// rules, as a loopback webhook must be) the next account turning red is posted once
// as {"text": …}, the name escaped, after one failed attempt retried through the
// outbox. The URL is refused before its host is allowed and shown back masked.
func TestSlackAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock, owner := slackInstall(t, s)
		band := func(id string) string {
			t.Helper()
			if err := s.SyncHealth(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			h, err := s.AccountHealth(ctx, id, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if h.Current == nil {
				t.Fatalf("no health for %s", id)
			}
			return h.Current.Band
		}
		// turnRed makes a standard account (cadence 30) without usage, called
		// yesterday: health (0×25 + 100×15 + 100×10) / 50 = 50, yellow. Sixty days
		// later, 61 days since the call, contact scores 100×(3×30 − 61)/(2×30) = 48:
		// (0 + 48×15 + 100×10) / 50 = 34, red.
		turnRed := func(name string) string {
			t.Helper()
			a := &account.Account{Name: name, Tier: "standard", Stage: account.Active, OwnerID: owner.ID}
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: a.ID, Kind: account.Call, OccurredAt: clock.Now().AddDate(0, 0, -1), Summary: "hi"}); err != nil {
				t.Fatal(err)
			}
			if b := band(a.ID); b != "yellow" {
				t.Fatalf("%s starts %s", name, b)
			}
			clock.Add(60 * 24 * time.Hour)
			if b := band(a.ID); b != "red" {
				t.Fatalf("%s is %s 60 days after the call", name, b)
			}
			return a.ID
		}
		const base = "https://cl.example.com"

		turnRed("Quiet")
		if err := notify.QueueSlack(ctx, s, base); err != nil {
			t.Fatal(err)
		}
		if rows := slackRows(t, s); len(rows) != 0 {
			t.Fatalf("queued with no webhook set: %+v", rows)
		}

		sr := newSlackReceiver(t, 1)
		hookURL := sr.URL + "/services/T000/B000/XXXXabcd"
		var fe *errs.FieldError
		if err := notify.SaveSlack(ctx, s, hookURL); !errors.As(err, &fe) || fe.Field != "url" {
			t.Fatalf("loopback URL before its host is allowed: %v", err)
		}
		if err := notify.SaveSlack(ctx, s, "ftp://hooks.slack.com/x"); !errors.As(err, &fe) || fe.Field != "url" {
			t.Fatalf("ftp URL: %v", err)
		}
		allowSlack(t, s, hookURL)
		set, err := notify.LoadSlack(ctx, s)
		if err != nil || set.Masked() != sr.URL+"/…abcd" {
			t.Fatalf("masked %q, %v", set.Masked(), err)
		}

		id := turnRed("Acme <!channel>")
		for range 2 { // the second run finds nothing new
			if err := notify.QueueSlack(ctx, s, base); err != nil {
				t.Fatal(err)
			}
		}
		rows := slackRows(t, s)
		if len(rows) != 1 {
			t.Fatalf("%d Slack rows, want 1 (Quiet turned red before the webhook was set)", len(rows))
		}
		w := &notify.Worker{Store: s, Now: clock.Now, Backoff: []time.Duration{time.Minute}, Log: slog.New(slog.DiscardHandler)}
		if _, err := w.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if it, _ := s.GetOutbox(ctx, rows[0].ID); it.Status != store.OutboxQueued || it.Attempts != 1 {
			t.Fatalf("after a 500: %+v", it)
		}
		clock.Add(2 * time.Minute)
		if _, err := w.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if it, _ := s.GetOutbox(ctx, rows[0].ID); it.Status != store.OutboxSent || it.Attempts != 2 {
			t.Fatalf("after the retry: %+v", it)
		}
		got := sr.got()
		if len(got) != 2 || got[0] != got[1] {
			t.Fatalf("received %q", got)
		}
		var msg struct{ Text string }
		if err := json.Unmarshal([]byte(got[1][len("application/json "):]), &msg); err != nil {
			t.Fatalf("%q: %v", got[1], err)
		}
		if want := ":red_circle: Acme &lt;!channel&gt; turned red: health 34 (was yellow). Owner: Olga. <" + base + "/accounts/" + id + "|Open the account>"; msg.Text != want {
			t.Fatalf("text %q, want %q", msg.Text, want)
		}

		// Unset again: a queued message is skipped, not sent.
		turnRed("Third")
		if err := notify.QueueSlack(ctx, s, base); err != nil {
			t.Fatal(err)
		}
		if err := notify.SaveSlack(ctx, s, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(sr.got()); n != 2 {
			t.Fatalf("%d requests after the webhook was removed", n)
		}
	})
}

// A new account whose first score is red counts as turning red: an important account
// never contacted and without usage scores (0×25 + 0×15 + 100×10) / 50 = 20. On the
// install's first sync every account is scored for the first time, so "Day one" is
// no news; "Newcomer", created after, gets health.changed with previous_band "" and
// one Slack message, and syncing again sends nothing more. A new account that starts
// yellow sends nothing.
func TestSlackAlertsNewAccountRedFromTheStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock, owner := slackInstall(t, s)
		sr := newSlackReceiver(t, 0)
		allowSlack(t, s, sr.URL+"/services/T000/B000/XXXXabcd")
		const base = "https://cl.example.com"
		create := func(name, tier string) string {
			t.Helper()
			a := &account.Account{Name: name, Tier: tier, OwnerID: owner.ID}
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		syncAndQueue := func() []string {
			t.Helper()
			storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
			storetest.Must(t, notify.QueueSlack(ctx, s, base))
			var texts []string
			for _, r := range slackRows(t, s) {
				var m store.SlackMessage
				if err := json.Unmarshal(r.Payload, &m); err != nil {
					t.Fatal(err)
				}
				texts = append(texts, m.Text)
			}
			return texts
		}
		create("Day one", "important")
		if got := syncAndQueue(); len(got) != 0 {
			t.Fatalf("the install's first sync posted %q", got)
		}
		clock.Add(time.Hour)
		id := create("Newcomer", "important")
		// A standard account called yesterday is yellow: (0×25 + 100×15 + 100×10) / 50 = 50.
		calm := create("Calm", "standard")
		if err := s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: calm, Kind: account.Call, OccurredAt: clock.Now().AddDate(0, 0, -1), Summary: "hi"}); err != nil {
			t.Fatal(err)
		}
		want := ":red_circle: Newcomer turned red: health 20. Owner: Olga. <" + base + "/accounts/" + id + "|Open the account>"
		for range 2 {
			if got := syncAndQueue(); len(got) != 1 || got[0] != want {
				t.Fatalf("Slack messages %q, want [%q]", got, want)
			}
		}
		evs, err := s.Events(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var changed []string
		for _, e := range evs {
			if e.Kind == store.EventHealthChanged {
				changed = append(changed, e.AccountID+" "+string(e.Data))
			}
		}
		if len(changed) != 1 || !strings.HasPrefix(changed[0], id+" ") || !strings.Contains(changed[0], `"previous_band":""`) ||
			!strings.Contains(changed[0], `"band":"red"`) {
			t.Fatalf("health.changed events: %q", changed)
		}
	})
}
