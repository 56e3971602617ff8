package store_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Signals become tasks: one per fired signal for the account's owner, with its due
// date and reason, none again while the signal keeps firing (even once its task is
// done), the cadence task closed by a contact, a new task when a signal fires anew,
// and nothing from a rule an admin turned off.
func TestSignalTasks(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		hook := store.WebhookEndpoint{URL: "https://hooks.example.com/cs", Secret: "whsec_x", Active: true,
			Events: []string{store.EventSignalFired, store.EventTaskCreated, store.EventHealthChanged}}
		storetest.Must(t, s.CreateWebhookEndpoint(ctx, &hook))
		owner := &auth.Member{Email: "olga@example.com", Name: "Olga", Role: auth.RoleMember}
		storetest.Must(t, s.CreateMember(ctx, owner))
		// Strained: important (cadence 7), last email 9 days ago, its payment failed,
		// no usage: health (0×25 + 86×15 + 100×10 + 0×10) / 60 = 38, red.
		strained := &account.Account{Name: "Strained", Tier: "important", OwnerID: owner.ID}
		storetest.Accounts(t, s, strained)
		storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: strained.ID, Kind: account.Email, OccurredAt: clock.Now().AddDate(0, 0, -9), Summary: "hi"}))
		if err := w.invoice(strained.ID, "cus_s", "failed", clock.Now().AddDate(0, 0, -1)); err != nil {
			t.Fatal(err)
		}
		// Fine: standard, emailed yesterday, paid: no signal fires (usage never sent
		// is not judged; its health is yellow, not red).
		fine := &account.Account{Name: "Fine", Tier: "standard"}
		storetest.Accounts(t, s, fine)
		storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: fine.ID, Kind: account.Call, OccurredAt: clock.Now().AddDate(0, 0, -1), Summary: "hi"}))
		if err := w.invoice(fine.ID, "cus_f", "ok", clock.Now().AddDate(0, 0, -1)); err != nil {
			t.Fatal(err)
		}
		open := func() string {
			t.Helper()
			if err := s.SyncHealth(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			ts, err := s.ListTasks(ctx, store.TaskFilter{Status: "open"})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, tk := range ts {
				out = append(out, fmt.Sprintf("%s/%s owner=%v due=%s %q", tk.AccountName, tk.Signal, tk.OwnerID == owner.ID, tk.DueDate, tk.Reason))
			}
			sort.Strings(out)
			return strings.Join(out, "\n")
		}
		cadence9 := `Strained/cadence owner=true due=2026-06-17 "no contact in 9 days, cadence is 7"`
		red := `Strained/health_red owner=true due=2026-06-18 "health 38, red"`
		want := cadence9 + "\n" + red + "\n" + `Strained/payment_failed owner=true due=2026-06-17 "the latest invoice's payment failed"`
		if got := open(); got != want {
			t.Fatalf("open tasks:\n%s\nwant:\n%s", got, want)
		}
		kinds := map[string]int{}
		evs, err := s.Events(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			kinds[e.Kind]++
		}
		if kinds["signal.fired"] != 3 || kinds["task.created"] != 3 {
			t.Fatalf("events: %v", kinds)
		}
		if _, d, err := s.FanOutWebhooks(ctx, 0); err != nil || d != 6 {
			t.Fatalf("webhook deliveries %d, %v; want 6", d, err)
		}
		// Again: nothing new. Finishing the payment task while it still fails makes
		// no other; finishing it twice is a conflict.
		if got := open(); got != want {
			t.Fatalf("a second sync changed the tasks:\n%s", got)
		}
		pay, err := s.ListTasks(ctx, store.TaskFilter{Signal: health.SigPayment})
		if err != nil || len(pay) != 1 {
			t.Fatal(pay, err)
		}
		done, err := s.CompleteTask(ctx, pay[0].ID, owner.ID, "called their finance team")
		if err != nil || done.Status != "done" || done.DoneBy != owner.ID || done.DoneAt == nil {
			t.Fatalf("complete: %+v %v", done, err)
		}
		var ce *errs.ConflictError
		if _, err := s.CompleteTask(ctx, pay[0].ID, owner.ID, ""); !errors.As(err, &ce) {
			t.Fatalf("completing twice: %v", err)
		}
		if got, want := open(), cadence9+"\n"+red; got != want {
			t.Fatalf("after finishing the payment task:\n%s", got)
		}
		// A call ends the cadence signal and closes its task; health is back to
		// (1500 + 1000) / 60 = 42, yellow, which ends the red signal but leaves its
		// task for the owner to finish.
		storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: strained.ID, Kind: account.Call, OccurredAt: clock.Now().Add(-time.Hour), Summary: "call"}))
		if got := open(); got != red {
			t.Fatalf("after the call:\n%s", got)
		}
		cad, err := s.ListTasks(ctx, store.TaskFilter{Signal: health.SigCadence})
		if err != nil || len(cad) != 1 || cad[0].Status != "done" || cad[0].DoneNote != "closed by a contact within the cadence" {
			t.Fatalf("cadence task: %+v %v", cad, err)
		}
		// Eight days on, the contact is overdue again: a new episode, a new task.
		// Health is (93×15 + 1000) / 60 = 40, still not red.
		clock.AddDate(0, 0, 8)
		cadence8 := `Strained/cadence owner=true due=2026-06-25 "no contact in 8 days, cadence is 7"`
		if got := open(); got != cadence8+"\n"+red {
			t.Fatalf("eight days on:\n%s", got)
		}
		sigs, err := s.ListSignals(ctx, strained.ID, 10)
		if err != nil || len(sigs) != 2 {
			t.Fatalf("signals: %+v %v", sigs, err)
		}
		// The admin turns the cadence rule off: it stops firing and makes nothing more.
		switchRule(t, s, health.SigCadence, false)
		// A day later the contact is 9 days old: health 38, red again. Its old task
		// is still open, so the new episode carries on with it rather than making
		// another.
		clock.AddDate(0, 0, 1)
		if got := open(); got != cadence8+"\n"+red {
			t.Fatalf("with the rule off the old task stays open for its owner, nothing new:\n%s", got)
		}
		redTasks, err := s.ListTasks(ctx, store.TaskFilter{Signal: health.SigRed})
		if err != nil || len(redTasks) != 1 {
			t.Fatalf("red tasks: %+v %v", redTasks, err)
		}
		sigs, err = s.ListSignals(ctx, strained.ID, 10)
		if err != nil || len(sigs) != 2 || sigs[0].Rule != health.SigRed || sigs[0].TaskID != redTasks[0].ID || sigs[0].Since != "2026-06-24" ||
			sigs[1].Rule != health.SigPayment {
			t.Fatalf("signals with cadence off: %+v", sigs)
		}
	})
}

// Each rule that reads usage, contracts, NPS or feedback, on real inputs: an account
// where it fires (one task, due the rule's days later, with the reason) next to one
// just short of its threshold (none), and no second task however often the health
// syncs — nor once the task is done while the rule still fires. Hand-worked, on
// 15 June (the windows are the 30 days up to today and the 30 before):
//
//   - usage_drop (30%): 14 events against 20 is −30%; 15 against 20 is −25%;
//   - low_usage (10): 9 events in 30 days; 10 is not fewer;
//   - renewal (60 days): renews 15 July, in 30 days; 15 August is 61; renews
//     13 October with a 90-day window: the notice deadline is 15 July, in 30 days;
//   - detractor (6): NPS 6; 7 is passive;
//   - churn_reason: one 3 days ago; one 31 days ago is outside the 30 days.
func TestSignalRulesFireOnce(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		owner := &auth.Member{Email: "olga@example.com", Name: "Olga", Role: auth.RoleMember}
		storetest.Members(t, s, owner)
		var evs []store.UsageEvent
		mk := func(name, traits string) string {
			t.Helper()
			a := &account.Account{Name: name, ExternalID: name, Tier: "standard", OwnerID: owner.ID, Traits: json.RawMessage(traits)}
			storetest.Accounts(t, s, a)
			return a.ID
		}
		// usage adds one event a day for n days back from `from` days ago.
		usage := func(name string, from, n int) {
			for i := 0; i < n; i++ {
				evs = append(evs, store.UsageEvent{MessageID: fmt.Sprintf("%s-%d-%d", name, from, i), Type: "track", Event: "Login", UserID: "u-" + name,
					GroupID: name, Timestamp: clock.Now().AddDate(0, 0, -from-i), ReceivedAt: clock.Now(), Payload: []byte(`{}`)})
			}
		}
		contract := func(id, renewal string, window int) {
			t.Helper()
			if err := s.SaveContract(ctx, &account.Contract{AccountID: id, StartDate: "2025-06-01", TermMonths: 12, RenewalDate: renewal,
				CancellationWindow: window, Currency: "USD"}); err != nil {
				t.Fatal(err)
			}
		}
		churn := func(id string, daysAgo int) {
			t.Helper()
			if _, _, err := s.Capture(ctx, feedback.Capture{Text: "too expensive", Source: feedback.SourceWeb, Kind: feedback.ChurnReason,
				OccurredAt: clock.Now().AddDate(0, 0, -daysAgo), AccountID: id}); err != nil {
				t.Fatal(err)
			}
		}
		type want struct{ rule, reason, due string }
		fires := map[string]want{}
		short := map[string]string{} // account → the rule it is just short of
		for _, c := range []struct {
			name, traits string
			last, prior  int    // events in the last 30 days and the 30 before
			renewal      string // a contract renewing then, with window days of notice
			window       int
			churnDaysAgo int // a churn reason given then; 0: none
			rule         string
			reason, due  string // "": just short of the rule
		}{
			{name: "drop", last: 14, prior: 20, rule: health.SigUsageDrop, reason: "usage down 30% (last 30 days against the 30 before)", due: "2026-06-22"},
			{name: "dip", last: 15, prior: 20, rule: health.SigUsageDrop},
			{name: "quiet", last: 9, prior: 9, rule: health.SigLowUsage, reason: "9 events in 30 days, fewer than 10", due: "2026-06-22"},
			{name: "enough", last: 10, prior: 10, rule: health.SigLowUsage},
			{name: "renewing", renewal: "2026-07-15", rule: health.SigRenewal, reason: "renews in 30 days", due: "2026-06-29"},
			{name: "later", renewal: "2026-08-15", rule: health.SigRenewal},
			{name: "notice", renewal: "2026-10-13", window: 90, rule: health.SigRenewal,
				reason: "cancellation notice due in 30 days (renews in 120 days)", due: "2026-06-29"},
			{name: "detractor", traits: `{"nps":6}`, rule: health.SigDetractor, reason: "NPS 6: a detractor", due: "2026-06-22"},
			{name: "passive", traits: `{"nps":7}`, rule: health.SigDetractor},
			{name: "leaving", churnDaysAgo: 3, rule: health.SigChurnReason, reason: "1 churn reason given in 30 days", due: "2026-06-18"},
			{name: "left-long-ago", churnDaysAgo: 31, rule: health.SigChurnReason},
		} {
			id := mk(c.name, cmp.Or(c.traits, `{}`))
			usage(c.name, 1, c.last)
			usage(c.name, 31, c.prior)
			if c.renewal != "" {
				contract(id, c.renewal, c.window)
			}
			if c.churnDaysAgo > 0 {
				churn(id, c.churnDaysAgo)
			}
			if c.reason == "" {
				short[id] = c.rule
			} else {
				fires[id] = want{c.rule, c.reason, c.due}
			}
		}
		if _, err := s.CommitUsage(ctx, evs, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		tasksOf := func(accountID, rule string) []store.Task {
			t.Helper()
			ts, err := s.ListTasks(ctx, store.TaskFilter{AccountID: accountID, Signal: rule})
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		for round := 0; round < 3; round++ {
			if err := s.SyncHealth(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			for acct, w := range fires {
				ts := tasksOf(acct, w.rule)
				if len(ts) != 1 || ts[0].Reason != w.reason || ts[0].DueDate != w.due || ts[0].OwnerID != owner.ID {
					t.Fatalf("round %d, %s: %+v, want one task %q due %s", round, w.rule, ts, w.reason, w.due)
				}
				if round == 1 { // done while the rule still fires: no other follows
					if _, err := s.CompleteTask(ctx, ts[0].ID, owner.ID, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			for acct, rule := range short {
				if ts := tasksOf(acct, rule); len(ts) != 0 {
					t.Fatalf("round %d: %s fired just short of its threshold: %+v", round, rule, ts)
				}
			}
		}
	})
}
