package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// track sends one track event for the account with external id ext, with properties.
func (w *healthWorld) track(ext, user, event, props string, at time.Time) {
	w.t.Helper()
	w.n++
	payload := fmt.Sprintf(`{"type":"track","event":%q,"properties":%s}`, event, props)
	_, err := w.s.CommitUsage(context.Background(), []store.UsageEvent{{MessageID: fmt.Sprintf("m%d", w.n), Type: "track", Event: event,
		UserID: user, GroupID: ext, Timestamp: at, ReceivedAt: w.clock.Now(), Payload: []byte(payload)}}, 24*time.Hour)
	storetest.Must(w.t, err)
	storetest.Must(w.t, w.s.SyncUsage(context.Background()))
}

func (w *healthWorld) signedUp(name, ext, signup string) *account.Account {
	w.t.Helper()
	a := &account.Account{Name: name, ExternalID: ext, Tier: "standard", SignupDate: signup}
	storetest.Must(w.t, w.s.CreateAccount(context.Background(), a))
	return a
}

var onboardingSteps = health.ActivationSettings{Steps: []health.Step{
	{Name: "Connected a source", Event: "Source Connected", Min: 1, Required: true},
	{Name: "Three reports", Event: "Report Created", Min: 3, Required: true, Aha: true},
	{Name: "Invited a teammate on the team plan", Event: "Invite Sent", Property: "plan=team", Min: 1, WithinDays: 14, Required: true},
	{Name: "Picked a theme", Event: "Theme Set", Min: 1},
}}

// Hand-worked account and person progress. Acme signed up 2026-03-01:
//
//	03-02 ann: Source Connected                → step 1 done 03-02 (started)
//	03-03 ann, 03-05 bob, 03-09 bob: Report   → step 2 done 03-09 (aha)
//	03-10 bob: Invite Sent plan=free           → does not count (filter)
//	03-20 bob: Invite Sent plan=team           → day 19, outside 14 days: does not count
//	03-12 ann: Invite Sent plan=team           → day 11: step 3 done 03-12 → activated, TTV 11
//	(no theme: the optional step does not hold activation back)
//
// Person-level: Ann alone did steps 1 and 3 (2 of 4, not activated); Bob's two
// reports are short of three and neither invite counts, so he did no step and has no row.
func TestAccountActivation(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		acme := w.signedUp("Acme", "acme", "2026-03-01")
		if a, err := s.AccountActivation(ctx, acme.ID); err != nil || a != nil {
			t.Fatalf("no steps configured: %+v, %v", a, err)
		}
		storetest.Must(t, s.PutActivationSettings(ctx, onboardingSteps))
		day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
		w.track("acme", "ann", "Source Connected", `{}`, day(2))
		w.track("acme", "ann", "Report Created", `{}`, day(3))
		w.track("acme", "bob", "Report Created", `{}`, day(5))
		w.track("acme", "bob", "Report Created", `{}`, day(9))
		w.track("acme", "bob", "Invite Sent", `{"plan":"free"}`, day(10))
		w.track("acme", "bob", "Invite Sent", `{"plan":"team"}`, day(20))
		a, err := s.AccountActivation(ctx, acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.StepsDone != 2 || a.StepsTotal != 4 || a.StartedOn != "2026-03-02" || a.AhaOn != "2026-03-09" || a.ActivatedOn != "" || a.TTVDays != nil {
			t.Fatalf("before the invite: %+v", a)
		}
		if a.Steps[2].Count != 0 || a.Steps[1].Count != 3 || a.Steps[1].DoneOn != "2026-03-09" {
			t.Fatalf("steps: %+v", a.Steps)
		}
		w.track("acme", "ann", "Invite Sent", `{"plan":"team"}`, day(12))
		if a, err = s.AccountActivation(ctx, acme.ID); err != nil {
			t.Fatal(err)
		}
		if a.StepsDone != 3 || a.ActivatedOn != "2026-03-12" || a.TTVDays == nil || *a.TTVDays != 11 || a.LastStepOn != "2026-03-12" {
			t.Fatalf("activated: %+v", a)
		}
		if len(a.People) != 1 || a.People[0].UserKey != "u:ann" || a.People[0].StepsDone != 2 || a.People[0].ActivatedOn != "" ||
			fmt.Sprint(a.People[0].DoneOn) != "[2026-03-02  2026-03-12 ]" {
			t.Fatalf("people: %+v", a.People)
		}
		// Making the invite step optional-free: a changed step list re-evaluates.
		set := onboardingSteps
		set.Steps = append([]health.Step(nil), onboardingSteps.Steps...)
		set.Steps[1].Min = 4
		storetest.Must(t, s.PutActivationSettings(ctx, set))
		if a, err = s.AccountActivation(ctx, acme.ID); err != nil || a.ActivatedOn != "" || a.StepsDone != 2 {
			t.Fatalf("after raising the threshold: %+v, %v", a, err)
		}
	})
}

// Hand-worked funnel through the store, from from to to by signup month (the steps of
// TestAccountActivation without the invite step):
//
//	Jan a: started, aha (3 reports), activated; paid      Jan b: started only
//	Feb c: nothing                                         Mar d: outside the range
//
// Overall 3 → 2 → 1 → 1 → 1; January 2 → 2 → 1 → 1 → 1; February 1 → 0 → 0 → 0 → 0.
func TestOnboardingFunnel(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		set := health.ActivationSettings{Steps: onboardingSteps.Steps[:2]}
		storetest.Must(t, s.PutActivationSettings(ctx, set))
		a := w.signedUp("A", "a", "2026-01-05")
		w.signedUp("B", "b", "2026-01-25")
		w.signedUp("C", "c", "2026-02-10")
		w.signedUp("D", "d", "2026-03-10")
		jan := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
		w.track("a", "x", "Source Connected", `{}`, jan)
		for i := 0; i < 3; i++ {
			w.track("a", "x", "Report Created", `{}`, jan.AddDate(0, 0, i))
		}
		w.track("b", "y", "Source Connected", `{}`, jan.AddDate(0, 0, 20))
		w.track("d", "z", "Source Connected", `{}`, jan.AddDate(0, 2, 0))
		_, _, err := s.SetMRR(ctx, a.ID, 5000, "USD", jan.AddDate(0, 0, 20), "upgraded")
		storetest.Must(t, err)
		f, err := s.OnboardingFunnel(ctx, "2026-01-01", "2026-02-28")
		if err != nil {
			t.Fatal(err)
		}
		counts := func(r health.FunnelRow) string {
			out := ""
			for _, st := range r.Stages {
				out += fmt.Sprintf("%d ", st.Accounts)
			}
			return out
		}
		if got := counts(f.Overall); got != "3 2 1 1 1 " {
			t.Fatalf("overall %s", got)
		}
		if len(f.ByMonth) != 2 || counts(f.ByMonth[0]) != "2 2 1 1 1 " || counts(f.ByMonth[1]) != "1 0 0 0 0 " || f.ByMonth[0].Month != "2026-01" {
			t.Fatalf("by month %+v", f.ByMonth)
		}
		if st := f.Overall.Stages[1]; st.FromPrev != 0.6667 || st.FromTop != 0.6667 {
			t.Fatalf("started conversion %+v", st)
		}
		// TTV of A: signup 01-05, activated 01-12 (the third report): 7 days.
		if m := f.ByMonth[0].MedianTTVDays; m == nil || *m != 7 {
			t.Fatalf("median TTV %v", m)
		}
	})
}

// Onboarding progress kept incrementally equals a rebuild after any history: track
// events of the steps' names with and without the filtered property, from several
// users, at any day; signup dates edited; accounts created and deleted; the key steps
// changed (thresholds, windows, filters, required, none at all).
func TestActivationMatchesRebuild(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		storetest.Must(t, s.PutActivationSettings(ctx, onboardingSteps))
		var ids, exts []string
		add := func() {
			ext := fmt.Sprintf("x%d", len(ids)+100*w.n)
			a := w.signedUp("Acct "+ext, ext, clock.Now().AddDate(0, 0, -w.n%20).Format(time.DateOnly))
			ids, exts = append(ids, a.ID), append(exts, ext)
		}
		for i := 0; i < 5; i++ {
			add()
		}
		events := []string{"Source Connected", "Report Created", "Report Created", "Invite Sent", "Theme Set", "Other"}
		store.CheckDerivation(t, s, "activation", 240, 20, clock.Now, func(step int, rng *rand.Rand) error {
			switch op := rng.IntN(20); {
			case op < 12 && len(ids) > 0:
				i := rng.IntN(len(ids))
				at := clock.Now().AddDate(0, 0, -rng.IntN(25))
				props := []string{`{}`, `{"plan":"team"}`, `{"plan":"free"}`}[rng.IntN(3)]
				w.track(exts[i], fmt.Sprintf("u%d", rng.IntN(4)), events[rng.IntN(len(events))], props, at)
			case op < 14 && len(ids) > 0:
				a, err := s.GetAccount(ctx, ids[rng.IntN(len(ids))])
				if err != nil {
					return err
				}
				a.SignupDate = clock.Now().AddDate(0, 0, -rng.IntN(90)).Format(time.DateOnly)
				return s.UpdateAccount(ctx, &a.Account)
			case op < 16:
				set := health.ActivationSettings{Steps: append([]health.Step(nil), onboardingSteps.Steps...)}
				switch rng.IntN(4) {
				case 0:
					set.Steps[1].Min = 1 + rng.IntN(4)
				case 1:
					set.Steps[2].WithinDays = rng.IntN(30)
				case 2:
					set.Steps[2].Property = []string{"", "plan=free", "plan=team"}[rng.IntN(3)]
					set.Steps[3].Required = rng.IntN(2) == 0
				default:
					if rng.IntN(3) == 0 {
						set.Steps = nil
					}
				}
				return s.PutActivationSettings(ctx, set)
			case op < 17 && len(ids) > 2:
				i := rng.IntN(len(ids))
				id := ids[i]
				ids, exts = append(ids[:i:i], ids[i+1:]...), append(exts[:i:i], exts[i+1:]...)
				return s.DeleteAccount(ctx, id)
			case op < 18:
				clock.AddDate(0, 0, 1)
			default:
				add()
			}
			return nil
		})
		// The history exercised activation: with two one-event steps, some activated.
		storetest.Must(t, s.PutActivationSettings(ctx, health.ActivationSettings{Steps: []health.Step{
			{Event: "Source Connected", Min: 1, Required: true}, {Event: "Report Created", Min: 1, Required: true}}}))
		if diff, err := s.DerivedDiff(ctx, "activation", clock.Now()); err != nil || diff != "" {
			t.Fatalf("last settings: %v\n%s", err, diff)
		}
		f, err := s.OnboardingFunnel(ctx, "", "")
		storetest.Must(t, err)
		if f.Overall.Stages[1].Accounts == 0 || f.Overall.Stages[3].Accounts == 0 {
			t.Fatalf("nothing started or activated: %+v", f.Overall)
		}
		t.Logf("funnel at the end: %+v", f.Overall.Stages)
	})
}

// The onboarding rules make tasks like the others: one for an account not activated
// 30 days after signup and stalled for 7, none again while open, and the episode ends
// when the account activates. Saved health settings from before the rules existed do
// not fire them until key steps are configured.
func TestOnboardingSignalTasks(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		// Health settings saved as an older version did: no entry for the new rules.
		hs := health.Defaults()
		for _, r := range health.OnboardingRules {
			delete(hs.Rules, r)
		}
		storetest.Must(t, s.PutHealthSettings(ctx, hs))
		late := w.signedUp("Late", "late", "2026-05-06") // day 40
		w.track("late", "u1", "Source Connected", `{}`, time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC))
		fresh := w.signedUp("Fresh", "fresh", "2026-06-10") // day 5, no step yet
		open := func(acct string) map[string]int {
			t.Helper()
			tasks, err := s.ListTasks(ctx, store.TaskFilter{AccountID: acct, Status: "open"})
			storetest.Must(t, err)
			out := map[string]int{}
			for _, tk := range tasks {
				out[tk.Signal]++
			}
			return out
		}
		if hs, err := s.HealthSettings(ctx); err != nil || hs.Rules[health.SigNotActivated].Enabled || hs.Rules[health.SigStalled].Enabled ||
			!hs.Rules[health.SigCadence].Enabled {
			t.Fatalf("older saved settings read back with %+v, %v", hs.Rules, err)
		}
		storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
		if got := open(late.ID); got[health.SigNotActivated]+got[health.SigStalled] != 0 {
			t.Fatalf("rules fired before steps were configured: %v", got)
		}
		// Configuring steps turns the rules on (once) for these saved settings.
		storetest.Must(t, s.PutActivationSettings(ctx, health.ActivationSettings{Steps: onboardingSteps.Steps[:2]}))
		if hs, err := s.HealthSettings(ctx); err != nil || !hs.Rules[health.SigNotActivated].Enabled || hs.Rules[health.SigStalled].Threshold != 7 {
			t.Fatalf("rules after configuring steps: %+v, %v", hs.Rules, err)
		}
		storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
		if got := open(late.ID); got[health.SigNotActivated] != 1 || got[health.SigStalled] != 1 {
			t.Fatalf("late: %v", got)
		}
		if got := open(fresh.ID); len(got) != 0 && (got[health.SigNotActivated] != 0 || got[health.SigStalled] != 0) {
			t.Fatalf("fresh fired: %v", got)
		}
		sigs, err := s.ListSignals(ctx, late.ID, 10)
		storetest.Must(t, err)
		reasons := map[string]string{}
		for _, sg := range sigs {
			reasons[sg.Rule] = sg.Reason
		}
		if reasons[health.SigNotActivated] != "not activated 40 days after signup (1 of 2 key steps done)" ||
			reasons[health.SigStalled] != "onboarding stalled: no new key step in 39 days" {
			t.Fatalf("reasons %v", reasons)
		}
		// Next day, still firing: no second task.
		clock.AddDate(0, 0, 1)
		storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
		if got := open(late.ID); got[health.SigNotActivated] != 1 || got[health.SigStalled] != 1 {
			t.Fatalf("duplicated: %v", got)
		}
		// Fresh reaches day 7 with no step: stalled, not yet "not activated".
		clock.AddDate(0, 0, 1)
		storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
		if got := open(fresh.ID); got[health.SigStalled] != 1 || got[health.SigNotActivated] != 0 {
			t.Fatalf("fresh on day 7: %v", got)
		}
		// Late activates: its onboarding signals stop firing; health's component says so.
		for i := 0; i < 3; i++ {
			w.track("late", "u1", "Report Created", `{}`, clock.Now().Add(-time.Hour))
		}
		storetest.Must(t, s.SyncHealth(ctx, clock.Now()))
		if sigs, err = s.ListSignals(ctx, late.ID, 10); err != nil {
			t.Fatal(err)
		}
		for _, sg := range sigs {
			if sg.Rule == health.SigNotActivated || sg.Rule == health.SigStalled {
				t.Fatalf("still firing after activation: %+v", sg)
			}
		}
		// A rule an admin turned off stays off when the steps change again.
		hs, err = s.HealthSettings(ctx)
		storetest.Must(t, err)
		hs.Rules[health.SigStalled] = health.Rule{Enabled: false, Threshold: 7, DueDays: 2}
		storetest.Must(t, s.PutHealthSettings(ctx, hs))
		storetest.Must(t, s.PutActivationSettings(ctx, onboardingSteps))
		if hs, err = s.HealthSettings(ctx); err != nil || hs.Rules[health.SigStalled].Enabled || !hs.Rules[health.SigNotActivated].Enabled {
			t.Fatalf("rules after the steps changed again: %+v, %v", hs.Rules, err)
		}
		storetest.Must(t, s.PutActivationSettings(ctx, health.ActivationSettings{Steps: onboardingSteps.Steps[:2]}))
		h, err := s.AccountHealth(ctx, late.ID, clock.Now())
		storetest.Must(t, err)
		for _, p := range h.Current.Parts {
			if p.Name == health.Activate && (p.Missing || p.Score != 100) {
				t.Fatalf("activate component %+v", p)
			}
		}
	})
}
