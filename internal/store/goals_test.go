package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Two accounts signed up 40 days ago with the goal "5 reports within 30 days": one made
// 6 in its first week (achieved, with the day), the other 3 (missed: one goal.missed
// event, however often the check runs). The missed goal is a signal: the health sync
// after the check fires goal_missed, which makes one task for the owner (due in the
// rule's 3 days, with the goal in its reason) and starts the playbook attached to
// the rule — once, however often it syncs and after the task is done. Turned off, the
// rule stops firing and a goal missed again makes nothing; turned on, it fires anew.
func TestCheckGoals(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		owner := auth.Member{Email: "csm@example.com", Name: "C", Role: auth.RoleMember}
		storetest.Must(t, s.CreateMember(ctx, &owner))
		rescue := &playbook.Playbook{Name: "Rescue the goal", Signals: []string{health.SigGoalMissed},
			Steps: []playbook.Step{{Title: "Agree a new plan with the champion", DueDays: 5}}}
		storetest.Must(t, s.CreatePlaybook(ctx, rescue))
		signup := clock.Now().AddDate(0, 0, -40)
		var evs []store.UsageEvent
		mk := func(ext string, reports int) account.Account {
			a := storetest.Account(t, s, account.Account{Name: ext, ExternalID: ext, SignupDate: signup.Format(time.DateOnly), OwnerID: owner.ID})
			for i := 0; i < reports; i++ {
				at := signup.AddDate(0, 0, 1+i)
				evs = append(evs, store.UsageEvent{MessageID: fmt.Sprintf("%s-%d", ext, i), Type: "track", Event: "Report Created", UserID: "u-" + ext,
					GroupID: ext, Timestamp: at, ReceivedAt: clock.Now(), Payload: []byte(`{}`)})
			}
			if err := s.SetGoal(ctx, a.ID, health.Goal{Event: "Report Created", Min: 5, CheckDays: 30}); err != nil {
				t.Fatal(err)
			}
			return a
		}
		keen, slow := mk("keen", 6), mk("slow", 3)
		if _, err := s.CommitUsage(ctx, evs, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		check := func(want int) {
			t.Helper()
			if n, err := s.CheckGoals(ctx, clock.Now()); err != nil || n != want {
				t.Fatalf("%d goals turned missed (%v), want %d", n, err, want)
			}
		}
		sync := func() {
			t.Helper()
			if err := s.SyncHealth(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		goalTasks := func(status string) []store.Task {
			t.Helper()
			ts, err := s.ListTasks(ctx, store.TaskFilter{Signal: health.SigGoalMissed, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		check(1)
		check(0)
		g, err := s.Goal(ctx, keen.ID, clock.Now())
		want := signup.AddDate(0, 0, 5).Format(time.DateOnly)
		if err != nil || g == nil || g.State != health.GoalAchieved || g.AchievedOn != want || g.Count != 6 {
			t.Fatalf("keen: %+v %v (want achieved on %s)", g, err, want)
		}
		g, err = s.Goal(ctx, slow.ID, clock.Now())
		if err != nil || g == nil || g.State != health.GoalMissed || g.Count != 3 {
			t.Fatalf("slow: %+v %v", g, err)
		}
		if ts := goalTasks(""); len(ts) != 0 {
			t.Fatalf("the check itself made tasks: %+v", ts)
		}
		sync()
		sync()
		check(0)
		sync()
		open := goalTasks("open")
		if len(open) != 1 || open[0].AccountID != slow.ID || open[0].OwnerID != owner.ID || open[0].Title != "Goal missed: slow" ||
			open[0].Reason != "goal missed: 5 × Report Created within 30 days of signup" || open[0].DueDate != "2026-06-18" {
			t.Fatalf("goal tasks: %+v", open)
		}
		runs, err := s.ListPlaybookRuns(ctx, slow.ID)
		if err != nil || len(runs) != 1 || runs[0].PlaybookID != rescue.ID || runs[0].StartedBy != health.SigGoalMissed || runs[0].Tasks != 1 {
			t.Fatalf("slow's playbook runs: %+v %v", runs, err)
		}
		if runs, err := s.ListPlaybookRuns(ctx, keen.ID); err != nil || len(runs) != 0 {
			t.Fatalf("keen's playbook runs: %+v %v", runs, err)
		}
		evsLog, err := s.Events(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range evsLog {
			if e.AccountID == slow.ID && (e.Kind == store.EventGoalMissed || strings.Contains(string(e.Data), `"goal_missed"`)) {
				kinds[e.Kind]++
			}
		}
		// task.created counts the signal's task; the playbook's names the rule only in its reason.
		if kinds[store.EventGoalMissed] != 1 || kinds[store.EventSignalFired] != 1 || kinds[store.EventTaskCreated] != 1 {
			t.Fatalf("slow's goal events: %v", kinds)
		}
		if _, err := s.CompleteTask(ctx, open[0].ID, owner.ID, "new plan agreed"); err != nil {
			t.Fatal(err)
		}
		sync()
		if ts := goalTasks(""); len(ts) != 1 || ts[0].Status != "done" || ts[0].DoneBy != owner.ID {
			t.Fatalf("after the task was done: %+v", ts)
		}

		// Off: the signal stops, and a goal missed again makes nothing.
		switchRule(t, s, health.SigGoalMissed, false)
		if err := s.SetGoal(ctx, slow.ID, health.Goal{Event: "Report Created", Min: 4, CheckDays: 30}); err != nil {
			t.Fatal(err)
		}
		check(1)
		sync()
		if ts := goalTasks("open"); len(ts) != 0 {
			t.Fatalf("the rule is off, yet: %+v", ts)
		}
		if sigs, err := s.ListSignals(ctx, slow.ID, 100); err != nil || slices.ContainsFunc(sigs, func(sg store.Signal) bool { return sg.Rule == health.SigGoalMissed }) {
			t.Fatalf("signals with the rule off: %+v %v", sigs, err)
		}
		switchRule(t, s, health.SigGoalMissed, true)
		sync()
		if open := goalTasks("open"); len(open) != 1 || open[0].Reason != "goal missed: 4 × Report Created within 30 days of signup" {
			t.Fatalf("on again: %+v", open)
		}

		// Settings saved without the rule (before it was one) read it on: missed
		// goals tasked owners before an admin could turn that off.
		hs, err := s.HealthSettings(ctx)
		storetest.Must(t, err)
		delete(hs.Rules, health.SigGoalMissed)
		if err := s.PutHealthSettings(ctx, hs); err != nil {
			t.Fatal(err)
		}
		if hs, err := s.HealthSettings(ctx); err != nil || hs.Rules[health.SigGoalMissed] != health.DefaultRules()[health.SigGoalMissed] {
			t.Fatalf("a saved set without goal_missed: %+v %v", hs.Rules, err)
		}

		if err := s.SetGoal(ctx, slow.ID, health.Goal{Event: "", Min: 5, CheckDays: 30}); err == nil {
			t.Fatal("a goal without an event was accepted")
		}
		if err := s.ClearGoal(ctx, slow.ID); err != nil {
			t.Fatal(err)
		}
		if g, err := s.Goal(ctx, slow.ID, clock.Now()); err != nil || g != nil {
			t.Fatalf("after clearing: %+v %v", g, err)
		}
	})
}

// A goal on a trait: "integrations ≥ 3 within 30 days of signup". Keen connects its
// third integration on day 12: the check that day records the goal achieved on it,
// and it stays achieved on that day after the check day though traits keep no
// history. Slow stays at one: missed after the check day, and the health sync tasks
// its owner naming the trait. Bad goals are refused naming their field.
func TestTraitGoal(t *testing.T) {
	signup := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	storetest.EachAt(t, signup.AddDate(0, 0, 12).Add(9*time.Hour), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		owner := auth.Member{Email: "csm@example.com", Name: "C", Role: auth.RoleMember}
		storetest.Members(t, s, &owner)
		goal := health.Goal{Trait: "integrations", TraitOp: health.TraitGE, TraitValue: "3", CheckDays: 30}
		mk := func(name string) *account.Account {
			t.Helper()
			a := &account.Account{Name: name, SignupDate: signup.Format(time.DateOnly), OwnerID: owner.ID, Traits: json.RawMessage(`{"integrations":1}`)}
			storetest.Accounts(t, s, a)
			if err := s.SetGoal(ctx, a.ID, goal); err != nil {
				t.Fatal(err)
			}
			return a
		}
		keen, slow := mk("keen"), mk("slow")
		state := func(a *account.Account) string {
			t.Helper()
			g, err := s.Goal(ctx, a.ID, clock.Now())
			if err != nil || g == nil {
				t.Fatalf("goal of %s: %+v %v", a.Name, g, err)
			}
			return g.State + " " + g.AchievedOn
		}
		if _, err := s.CheckGoals(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := state(keen); got != "pending " {
			t.Fatalf("keen before: %q", got)
		}
		keen.Traits = json.RawMessage(`{"integrations":3}`)
		if err := s.UpdateAccount(ctx, keen); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckGoals(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Set(signup.AddDate(0, 0, 40))
		keen.Traits = json.RawMessage(`{"integrations":0}`) // disconnected since: the goal was reached all the same
		if err := s.UpdateAccount(ctx, keen); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CheckGoals(ctx, clock.Now()); err != nil || n != 1 {
			t.Fatalf("%d goals turned missed, %v", n, err)
		}
		if got := state(keen); got != "achieved 2026-06-13" {
			t.Fatalf("keen: %q", got)
		}
		if got := state(slow); got != "missed " {
			t.Fatalf("slow: %q", got)
		}
		if err := s.SyncHealth(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		ts, err := s.ListTasks(ctx, store.TaskFilter{Signal: health.SigGoalMissed})
		if err != nil || len(ts) != 1 || ts[0].AccountID != slow.ID || ts[0].Reason != "goal missed: integrations ≥ 3 within 30 days of signup" {
			t.Fatalf("goal tasks: %+v %v", ts, err)
		}
		for field, g := range map[string]health.Goal{
			"event":       {CheckDays: 30},
			"trait_op":    {Trait: "plan", TraitOp: "<", TraitValue: "pro", CheckDays: 30},
			"trait_value": {Trait: "plan", TraitOp: health.TraitGE, TraitValue: "pro", CheckDays: 30},
			"min":         {Event: "Login", Trait: "plan", TraitOp: health.TraitEq, TraitValue: "pro", CheckDays: 30},
		} {
			var fe *errs.FieldError
			if err := s.SetGoal(ctx, slow.ID, g); !errors.As(err, &fe) || fe.Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
	})
}
