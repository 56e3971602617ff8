package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
)

// The demo's health loop: signals fired with their tasks open (cadence, usage drop,
// failed payment, red among them), Northwind Freight red with the sentence saying why
// (usage fading, no contact in 16 days, the failed payment), green a month before,
// and Brightside's goal missed with its task; the red signal started the "Save the
// account" playbook on Northwind.
func TestGenerateHealthTellsItsStory(t *testing.T) {
	eachGenerated(t, demo.Options{Accounts: 60, Seed: 3, Now: storyDay}, func(t *testing.T, s *store.Store, _ demo.Summary) {
		ctx := context.Background()
		generateUsage(t, s, demo.UsageOptions{Events: 20000, Seed: 3, Now: storyDay})
		sum, err := demo.GenerateHealth(ctx, s, demo.HealthOptions{Now: storyDay})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Signals < 10 || sum.Open < 10 {
			t.Fatalf("summary %+v", sum)
		}
		sigs, err := s.ListSignals(ctx, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		rules := map[string]bool{}
		for _, sg := range sigs {
			rules[sg.Rule] = true
		}
		for _, r := range []string{health.SigCadence, health.SigUsageDrop, health.SigPayment, health.SigRed, health.SigRenewal} {
			if !rules[r] {
				t.Errorf("no %s signal fired: %v", r, rules)
			}
		}
		h, err := s.AccountHealth(ctx, sum.RedAccount, storyDay.Add(12*time.Hour))
		if err != nil || h.Current == nil || h.WeekAgo == nil || h.MonthAgo == nil {
			t.Fatalf("northwind: %+v %v", h, err)
		}
		t.Logf("northwind: %d %s; week ago %d %s; month ago %d %s; %q / %q", h.Current.Score, h.Current.Band, h.WeekAgo.Score, h.WeekAgo.Band,
			h.MonthAgo.Score, h.MonthAgo.Band, h.SinceWeek, h.SinceMonth)
		if h.Current.Band != health.Red || h.MonthAgo.Band != health.Green {
			t.Fatalf("northwind went %s → %s", h.MonthAgo.Band, h.Current.Band)
		}
		for _, want := range []string{"since last week: ", "usage down ", "no contact in 16 days, cadence is 7", "last payment failed"} {
			if !strings.Contains(h.SinceWeek+" | "+h.SinceMonth, want) {
				t.Errorf("the sentences %q / %q do not say %q", h.SinceWeek, h.SinceMonth, want)
			}
		}
		nwTasks, err := s.ListTasks(ctx, store.TaskFilter{AccountID: sum.RedAccount, Status: "open"})
		if err != nil || len(nwTasks) < 3 {
			t.Fatalf("northwind's open tasks: %+v %v", nwTasks, err)
		}
		// The red signal started "Save the account" on Northwind: four steps, none done.
		runs, err := s.ListPlaybookRuns(ctx, sum.RedAccount)
		if err != nil || len(runs) != 1 || runs[0].PlaybookID != sum.RedPlaybook || runs[0].StartedBy != health.SigRed ||
			runs[0].Tasks != 4 || runs[0].TasksDone != 0 || runs[0].Status != "open" {
			t.Fatalf("northwind's playbook runs: %+v %v", runs, err)
		}
		if ps, err := s.ListPlaybooks(ctx); err != nil || len(ps) != 2 {
			t.Fatalf("demo playbooks: %+v %v", ps, err)
		}
		g, err := s.Goal(ctx, sum.MissedGoal, storyDay)
		if err != nil || g == nil || g.State != health.GoalMissed || g.Count != 9 {
			t.Fatalf("brightside's goal: %+v %v", g, err)
		}
		gt, err := s.ListTasks(ctx, store.TaskFilter{AccountID: sum.MissedGoal, Signal: "goal_missed", Status: "open"})
		if err != nil || len(gt) != 1 {
			t.Fatalf("brightside's goal task: %+v %v", gt, err)
		}
		// The onboarding funnel is populated at every stage; Northwind is activated and
		// Brightside, who never shared a report, is not.
		f, err := s.OnboardingFunnel(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("funnel: %+v", f.Overall.Stages)
		for _, st := range f.Overall.Stages {
			if st.Accounts == 0 {
				t.Errorf("no account at %s: %+v", st.Stage, f.Overall.Stages)
			}
		}
		if nw, err := s.AccountActivation(ctx, sum.RedAccount); err != nil || nw == nil || nw.ActivatedOn == "" {
			t.Errorf("northwind's onboarding: %+v %v", nw, err)
		}
		if bs, err := s.AccountActivation(ctx, sum.MissedGoal); err != nil || bs == nil || bs.ActivatedOn != "" || bs.StepsDone != 2 {
			t.Errorf("brightside's onboarding: %+v %v", bs, err)
		}
	})
}
