package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/survey"
)

// healthWorld makes the inputs of account health for tests.
type healthWorld struct {
	t     testing.TB
	s     *store.Store
	clock *clocktest.Clock
	n     int
}

func (w *healthWorld) account(tier string, seats int, traits string) string {
	w.t.Helper()
	w.n++
	a := &account.Account{Name: fmt.Sprintf("Acct %d", w.n), ExternalID: fmt.Sprintf("ext%d", w.n), Tier: tier, Seats: seats, Traits: json.RawMessage(traits)}
	if err := w.s.CreateAccount(context.Background(), a); err != nil {
		w.t.Fatal(err)
	}
	return a.ID
}

func (w *healthWorld) usage(externalID, user, event string, at time.Time) error {
	w.n++
	_, err := w.s.CommitUsage(context.Background(), []store.UsageEvent{{MessageID: fmt.Sprintf("m%d", w.n), Type: "track", Event: event,
		UserID: user, GroupID: externalID, Timestamp: at, ReceivedAt: w.clock.Now(), Payload: []byte(`{}`)}}, 24*time.Hour)
	if err != nil {
		return err
	}
	return w.s.SyncUsage(context.Background())
}

func (w *healthWorld) invoice(accountID, customer, state string, at time.Time) error {
	ctx := context.Background()
	w.n++
	var inv billing.Invoice
	if err := json.Unmarshal([]byte(fmt.Sprintf(`{"id":"in_%d","customer":%q,"amount_due":1000,"amount_paid":1000,"currency":"usd"}`, w.n, customer)), &inv); err != nil {
		return err
	}
	ev := billing.Event{ID: fmt.Sprintf("evt_%d", w.n), Type: "invoice.paid", Created: at.Unix()}
	if _, err := w.s.StripeInvoice(ctx, ev, inv, state); err != nil {
		return err
	}
	return w.s.LinkStripeCustomer(ctx, customer, accountID)
}

// Account health kept incrementally equals a rebuild after any history: usage,
// touchpoints of every kind (internal notes do not count), bug reports and their
// triage, feedback sentiment (labelled, unlabelled, labelled again), churn reasons, contracts (renewal dates, cancellation windows), Stripe payments, tier, stage, seat and trait edits, pulses, NPS survey responses,
// goals and their daily check, deleted accounts, settings changes (cadence, contact kinds, a new weight set by tier or by stage) and
// days passing.
func TestHealthMatchesRebuild(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		tiers := []string{"strategic", "important", "standard"}
		var ids, exts []string
		for i := 0; i < 6; i++ {
			ids = append(ids, w.account(tiers[i%3], i*2, `{}`))
			exts = append(exts, fmt.Sprintf("ext%d", w.n))
		}
		var tps, items []string
		pick := func(rng *rand.Rand) string { return ids[rng.IntN(len(ids))] }
		npsSurvey := survey.Survey{Kind: survey.NPS}
		storetest.Must(t, s.CreateSurvey(ctx, &npsSurvey))
		// The rules that fired, read after each comparison (the store is synced then).
		fired := map[string]bool{}
		seeSignals := func() error {
			if err := s.SyncSignalTasks(ctx, clock.Now()); err != nil {
				return err
			}
			sigs, err := s.ListSignals(ctx, "", 1000)
			for _, sg := range sigs {
				fired[sg.Rule] = true
			}
			return err
		}
		store.CheckDerivation(t, s, "health", 260, 20, clock.Now, func(step int, rng *rand.Rand) error {
			if step > 0 && step%20 == 0 {
				if err := seeSignals(); err != nil {
					return err
				}
			}
			at := clock.Now().AddDate(0, 0, -rng.IntN(70)).Add(-time.Duration(rng.IntN(86400)) * time.Second)
			switch op := rng.IntN(20); {
			case op < 5:
				i := rng.IntN(len(exts))
				return w.usage(exts[i], fmt.Sprintf("u%d", rng.IntN(6)), "Login", at)
			case op < 8:
				k := account.TouchpointKinds[rng.IntN(len(account.TouchpointKinds))]
				tp := &account.Touchpoint{AccountID: pick(rng), Kind: k, OccurredAt: at, Summary: "talked"}
				if err := s.CreateTouchpoint(ctx, tp); err != nil {
					return err
				}
				tps = append(tps, tp.ID)
			case op < 9 && len(tps) > 0:
				i := rng.IntN(len(tps))
				id := tps[i]
				tps = append(tps[:i], tps[i+1:]...)
				if err := s.DeleteTouchpoint(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			case op < 11:
				kind := []feedback.Kind{feedback.Bug, feedback.Bug, feedback.FeatureRequest, feedback.ChurnReason}[rng.IntN(4)]
				text := []string{"it broke", "love the new reports", "too expensive"}[rng.IntN(3)] // sentiment −0.42, +0.64, 0
				it, _, err := s.Capture(ctx, feedback.Capture{Text: text, Source: feedback.SourceWeb, Kind: kind, OccurredAt: at, AccountID: pick(rng)})
				if err != nil {
					return err
				}
				items = append(items, it.ID)
			case op < 12 && len(items) > 0 && rng.IntN(3) == 0:
				// An item unlabelled (as from before sentiment), then maybe labelled by the backfill.
				if err := s.ForgetSentiment(ctx, items[rng.IntN(len(items))]); err != nil || rng.IntN(2) == 0 {
					return err
				}
				_, err := s.BackfillSentiment(ctx, 100)
				return err
			case op < 12 && len(items) > 0:
				st := feedback.Archived
				return s.BulkFeedback(ctx, []string{items[rng.IntN(len(items))]}, store.Bulk{Status: &st}, "")
			case op < 13:
				i := rng.IntN(len(ids))
				return w.invoice(ids[i], fmt.Sprintf("cus_%d", i), []string{"ok", "failed"}[rng.IntN(2)], at)
			case op < 14:
				a, err := s.GetAccount(ctx, pick(rng))
				if err != nil {
					return err
				}
				a.Tier, a.Seats = tiers[rng.IntN(3)], rng.IntN(8)
				a.Stage = account.Stages[rng.IntN(len(account.Stages))]
				// The signup date moves the onboarding rules (not activated by day 30).
				a.SignupDate = clock.Now().AddDate(0, 0, -rng.IntN(60)).Format("2006-01-02")
				a.Traits = json.RawMessage([]string{`{}`, `{"nps":3}`, `{"nps":9,"activated":true}`, `{"activated":false,"seats":4}`}[rng.IntN(4)])
				return s.UpdateAccount(ctx, &a.Account)
			case op < 15 && rng.IntN(2) == 0:
				// An NPS survey response, at any time: the account's latest one is its NPS.
				_, err := s.AddSurveyResponses(ctx, npsSurvey.ID, survey.ChannelAPI, []survey.Input{{Score: rng.IntN(11), AccountID: pick(rng), RespondedAt: at}})
				return err
			case op < 15 && rng.IntN(2) == 0:
				// A goal — an event count, or a condition on the nps trait the account
				// edits vary — then the daily check records it achieved, missed or pending.
				g := health.Goal{Event: "Login", Min: 1 + rng.IntN(4), CheckDays: 1 + rng.IntN(3)}
				if rng.IntN(3) == 0 {
					g = health.Goal{Trait: "nps", TraitOp: health.TraitGE, TraitValue: "5", CheckDays: 1 + rng.IntN(3)}
				}
				if err := s.SetGoal(ctx, pick(rng), g); err != nil {
					return err
				}
				_, err := s.CheckGoals(ctx, clock.Now())
				return err
			case op < 15:
				return s.SetHealthPulse(ctx, pick(rng), "", rng.IntN(6), "gut feeling")
			case op < 16:
				hs, err := s.HealthSettings(ctx)
				if err != nil {
					return err
				}
				switch rng.IntN(4) {
				case 3:
					// A set by lifecycle stage that weighs the goal.
					v := health.NextVersion(hs.Sets)
					hs.Sets = append(hs.Sets, health.WeightSet{Version: v, Mode: health.ByStage, Profiles: map[string]map[string]float64{
						"": {health.Usage: 20, health.Contact: 20, health.GoalPart: 20}, "onboarding": {health.Usage: 10, health.Activate: 30, health.GoalPart: 30}}})
					hs.Active = v
				case 0:
					hs.Cadence["standard"] = 10 + rng.IntN(30)
				case 1:
					hs.ContactKinds = []string{"email", "call", "meeting", "chat"}[:1+rng.IntN(4)]
				default:
					v := health.NextVersion(hs.Sets)
					hs.Sets = append(hs.Sets, health.WeightSet{Version: v, Profiles: map[string]map[string]float64{"": {health.Usage: float64(rng.IntN(50)), health.Contact: 30, health.Payment: 10}}})
					hs.Active = v
				}
				return s.PutHealthSettings(ctx, hs)
			case op < 17 && rng.IntN(3) == 0:
				// Key steps configured or cleared, and onboarding progress synced: the
				// activate component and the onboarding rules read it.
				// A step on an event nobody sends leaves every account not activated.
				steps := []health.Step{{Event: []string{"Login", "Login", "Export"}[rng.IntN(3)], Min: 1 + rng.IntN(3), Required: true}}
				if rng.IntN(3) == 0 {
					steps = nil
				}
				if err := s.PutActivationSettings(ctx, health.ActivationSettings{Steps: steps}); err != nil {
					return err
				}
				return s.SyncActivation(ctx)
			case op < 17:
				// A contract: its renewal date and its notice deadline (the renewal minus
				// the cancellation window) are the renewal rule's inputs.
				start := clock.Now().AddDate(-1, 0, rng.IntN(90)).Format("2006-01-02") // renews within 0–90 days
				return s.SaveContract(ctx, &account.Contract{AccountID: pick(rng), StartDate: start, TermMonths: 12, Currency: "USD",
					CancellationWindow: []int{0, 30, 90}[rng.IntN(3)]})
			case op < 18:
				clock.AddDate(0, 0, 1)
			case op < 19 && len(ids) > 4:
				i := rng.IntN(len(ids))
				id := ids[i]
				ids, exts = append(ids[:i:i], ids[i+1:]...), append(exts[:i:i], exts[i+1:]...)
				return s.DeleteAccount(ctx, id)
			default:
				ids = append(ids, w.account(tiers[rng.IntN(3)], rng.IntN(5), `{"nps":7}`))
				exts = append(exts, fmt.Sprintf("ext%d", w.n))
			}
			return nil
		})
		// The onboarding rules need key steps configured at a comparison, which the
		// random history may not leave: a step nobody meets, an account that signed up
		// 40 days ago, and the incremental result must still equal a rebuild.
		if err := s.PutActivationSettings(ctx, health.ActivationSettings{Steps: []health.Step{{Event: "Export", Min: 1, Required: true}}}); err != nil {
			t.Fatal(err)
		}
		a, err := s.GetAccount(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		a.SignupDate = clock.Now().AddDate(0, 0, -40).Format("2006-01-02")
		if err := s.UpdateAccount(ctx, &a.Account); err != nil {
			t.Fatal(err)
		}
		if err := s.SyncActivation(ctx); err != nil {
			t.Fatal(err)
		}
		if diff, err := s.DerivedDiff(ctx, "health", clock.Now()); err != nil || diff != "" {
			t.Fatalf("with key steps nobody meets: %v\n%s", err, diff)
		}
		// The history exercised every signal rule: each fired for some account at one
		// of the comparisons.
		if err := seeSignals(); err != nil {
			t.Fatal(err)
		}
		for _, r := range health.SignalRules {
			if !fired[r] {
				t.Errorf("%s never fired (%v): the random history no longer exercises it", r, fired)
			}
		}
		// The history kept a row per account for each day the test passed through.
		h, err := s.AccountHealth(ctx, ids[0], clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if h.Current == nil || len(h.History) < 5 || h.Current.Day != clock.Now().Format("2006-01-02") {
			t.Fatalf("history exercised nothing: current %+v, %d days", h.Current, len(h.History))
		}
	})
}

// Hand-worked: a standard account (cadence 30) with 10 seats, of which 2 users were
// active; usage 5 events in the last 30 days against 10 in the 30 before; last
// contact 40 days ago by email (a note 2 days ago does not count); one open bug and
// one archived; its last invoice failed; no NPS, activation or pulse.
//
// usage −50% → 0; seats 2/10 = 0.2 → 25; contact 40 days, cadence 30 → 100×50/60 =
// 83; without an NPS, the sentiment of its feedback: the open bug "crash 0" (VADER
// −0.4019, the archived one does not count) → 50 − 20 = 30; support 1 bug → 75;
// payment failed → 0. Weights 25, 15, 15, 10, 10, 10 = 85:
// (0×25 + 25×15 + 83×15 + 30×10 + 75×10 + 0×10) / 85 = (375 + 1245 + 300 + 750) / 85 = 31.4 → 31, red.
//
// Seven days later, with no new input, only the contact moves: the sentence names it.
func TestAccountHealthFigures(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		id := w.account("standard", 10, `{}`)
		ext := fmt.Sprintf("ext%d", w.n)
		for i := 0; i < 5; i++ {
			user := []string{"ann", "bob"}[i%2]
			if err := w.usage(ext, user, "Login", clock.Now().AddDate(0, 0, -3-i%3)); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 10; i++ {
			if err := w.usage(ext, "cat", "Login", clock.Now().AddDate(0, 0, -35-i)); err != nil {
				t.Fatal(err)
			}
		}
		for _, tp := range []account.Touchpoint{
			{AccountID: id, Kind: account.Email, OccurredAt: clock.Now().AddDate(0, 0, -40), Summary: "hello"},
			{AccountID: id, Kind: account.Note, OccurredAt: clock.Now().AddDate(0, 0, -2), Summary: "internal"},
		} {
			storetest.Must(t, s.CreateTouchpoint(ctx, &tp))
		}
		var archived string
		for i := 0; i < 2; i++ {
			it := storetest.Capture(t, s, feedback.Capture{Text: fmt.Sprintf("crash %d", i), Source: feedback.SourceWeb, Kind: feedback.Bug, OccurredAt: clock.Now().AddDate(0, 0, -5), AccountID: id})
			archived = it.ID
		}
		st := feedback.Archived
		if err := s.BulkFeedback(ctx, []string{archived}, store.Bulk{Status: &st}, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.invoice(id, "cus_1", "failed", clock.Now().AddDate(0, 0, -1)); err != nil {
			t.Fatal(err)
		}
		h, err := s.AccountHealth(ctx, id, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if h.Current == nil || h.Current.Score != 31 || h.Current.Band != health.Red || h.Current.Weights != "v1" {
			t.Fatalf("current %+v", h.Current)
		}
		got := map[string]string{}
		for _, p := range h.Current.Parts {
			got[p.Name] = fmt.Sprintf("%v %d %.4f %s", p.Missing, p.Score, p.Weight, p.Detail)
		}
		want := map[string]string{
			health.Usage:    "false 0 0.2941 usage down 50%",
			health.Seats:    "false 25 0.1765 2 of 10 seats active",
			health.Contact:  "false 83 0.1765 no contact in 40 days, cadence is 30",
			health.Support:  "false 75 0.1176 1 open bug in 30 days",
			health.Payment:  "false 0 0.1176 last payment failed",
			health.Activate: "true 0 0.0000 ",
			health.NPS:      "false 30 0.1176 feedback sentiment -0.40 (1 item in 90 days)",
			health.Pulse:    "true 0 0.0000 ",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
		if h.DaysSinceContact != 40 || h.CadenceDays != 30 || !h.CadenceOverdue || h.SinceWeek != "" {
			t.Fatalf("cadence %d/%d overdue %v, since %q", h.DaysSinceContact, h.CadenceDays, h.CadenceOverdue, h.SinceWeek)
		}
		// A week on: contact 47 days → 100×43/60 = 72 (−11 × 15/85 = −1.9); the old
		// events are now 42–51 days old, still in the prior 30 (days 30–59), and the
		// recent ones 10–12 days old, so usage stays −50% → 0.
		// (0 + 375 + 72×15 + 300 + 750 + 0) / 85 = 2505 / 85 = 29.5 → 29.
		clock.AddDate(0, 0, 7)
		h, err = s.AccountHealth(ctx, id, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if h.Current.Score != 29 || h.WeekAgo == nil || h.WeekAgo.Score != 31 || len(h.History) != 2 {
			t.Fatalf("a week on: current %d, week ago %+v, %d days of history", h.Current.Score, h.WeekAgo, len(h.History))
		}
		if want := "−2 since last week: no contact in 47 days, cadence is 30 (−2)"; h.SinceWeek != want {
			t.Fatalf("since week %q, want %q", h.SinceWeek, want)
		}
		// A call brings the contact back within the cadence; a pulse adds a component.
		storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: id, Kind: account.Call, OccurredAt: clock.Now().Add(-time.Hour), Summary: "call"}))
		if err := s.SetHealthPulse(ctx, id, "", 4, "renewal looks fine"); err != nil {
			t.Fatal(err)
		}
		h, err = s.AccountHealth(ctx, id, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		// Weights 90 with the pulse (4 → 75) at 5: (0 + 375 + 100×15 + 300 + 750 + 0 + 75×5) / 90 = 3300 / 90 = 36.7 → 37.
		if h.Current.Score != 37 || h.CadenceOverdue || h.DaysSinceContact != 0 || h.Pulse == nil || h.Pulse.Note != "renewal looks fine" {
			t.Fatalf("after the call: %d, overdue %v, days %d, pulse %+v", h.Current.Score, h.CadenceOverdue, h.DaysSinceContact, h.Pulse)
		}
		if !strings.HasPrefix(h.SinceWeek, "+6 since last week: ") {
			t.Fatalf("since week %q", h.SinceWeek)
		}
	})
}

// Without an NPS, the NPS component is the sentiment of the account's feedback of the
// last 90 days, and it follows the labels: a standard account called yesterday, with
// no usage, scores (0×25 + 100×15 + 100×10) / 50 = 50. "love the new reports" (VADER
// +0.6369 → +0.64 → 82): (1500 + 82×10 + 1000) / 60 = 55.3 → 55. "too expensive" too
// (0): mean (637 + 0) / 2 thousandths → +0.32 → 66: (1500 + 660 + 1000) / 60 = 52.7 →
// 53. Unlabelling the second (as items from before sentiment are) gives 55 again,
// unlabelling both leaves the component missing (50), and the backfill labelling them
// again 53 — each change marks the account, so the incremental result follows.
func TestHealthSentimentInput(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		id := w.account("standard", 0, `{}`)
		storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: id, Kind: account.Call, OccurredAt: clock.Now().AddDate(0, 0, -1), Summary: "hi"}))
		capture := func(text string) string {
			t.Helper()
			it := storetest.Capture(t, s, feedback.Capture{Text: text, Source: feedback.SourceWeb, Kind: feedback.FeatureRequest, OccurredAt: clock.Now().AddDate(0, 0, -3), AccountID: id})
			return it.ID
		}
		expect := func(step string, score int, nps string) {
			t.Helper()
			if err := s.SyncHealth(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			h, err := s.AccountHealth(ctx, id, clock.Now())
			if err != nil || h.Current == nil {
				t.Fatalf("%s: %+v %v", step, h, err)
			}
			var got string
			for _, p := range h.Current.Parts {
				if p.Name == health.NPS {
					got = fmt.Sprintf("%v %d %.4f %s", p.Missing, p.Score, p.Weight, p.Detail)
				}
			}
			if h.Current.Score != score || got != nps {
				t.Fatalf("%s: score %d, nps %q; want %d, %q", step, h.Current.Score, got, score, nps)
			}
		}
		expect("no feedback", 50, "true 0 0.0000 ")
		love := capture("love the new reports")
		expect("one item", 55, "false 82 0.1667 feedback sentiment +0.64 (1 item in 90 days)")
		pricey := capture("too expensive")
		expect("two items", 53, "false 66 0.1667 feedback sentiment +0.32 (2 items in 90 days)")
		if err := s.ForgetSentiment(ctx, pricey); err != nil {
			t.Fatal(err)
		}
		expect("the second unlabelled", 55, "false 82 0.1667 feedback sentiment +0.64 (1 item in 90 days)")
		if err := s.ForgetSentiment(ctx, love); err != nil {
			t.Fatal(err)
		}
		expect("none labelled", 50, "true 0 0.0000 ")
		if n, err := s.BackfillSentiment(ctx, 100); err != nil || n != 2 {
			t.Fatalf("backfill %d %v", n, err)
		}
		expect("labelled again", 53, "false 66 0.1667 feedback sentiment +0.32 (2 items in 90 days)")
		if diff, err := s.DerivedDiff(ctx, "health", clock.Now()); err != nil || diff != "" {
			t.Fatalf("incremental against a rebuild: %v\n%s", err, diff)
		}
	})
}
