package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Two accounts signed up 40 days ago with the goal "5 reports within 30 days": one made
// 6 in its first week (achieved, with the day), the other 3 (missed: a goal.missed
// event and one task for its owner, not a second on the next check).
func TestCheckGoals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		owner := auth.Member{Email: "csm@example.com", Name: "C", Role: auth.RoleMember}
		if err := s.CreateMember(ctx, &owner); err != nil {
			t.Fatal(err)
		}
		signup := now.AddDate(0, 0, -40)
		var evs []store.UsageEvent
		mk := func(ext string, reports int) account.Account {
			a := account.Account{Name: ext, ExternalID: ext, SignupDate: signup.Format(time.DateOnly), OwnerID: owner.ID}
			if err := s.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < reports; i++ {
				at := signup.AddDate(0, 0, 1+i)
				evs = append(evs, store.UsageEvent{MessageID: fmt.Sprintf("%s-%d", ext, i), Type: "track", Event: "Report Created", UserID: "u-" + ext,
					GroupID: ext, Timestamp: at, ReceivedAt: now, Payload: []byte(`{}`)})
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
		for round := 0; round < 2; round++ {
			n, err := s.CheckGoals(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := []int{1, 0}[round]; n != want {
				t.Fatalf("round %d: %d goals turned missed, want %d", round, n, want)
			}
		}
		g, err := s.Goal(ctx, keen.ID, now)
		want := signup.AddDate(0, 0, 5).Format(time.DateOnly)
		if err != nil || g == nil || g.State != health.GoalAchieved || g.AchievedOn != want || g.Count != 6 {
			t.Fatalf("keen: %+v %v (want achieved on %s)", g, err, want)
		}
		g, err = s.Goal(ctx, slow.ID, now)
		if err != nil || g == nil || g.State != health.GoalMissed || g.Count != 3 {
			t.Fatalf("slow: %+v %v", g, err)
		}
		tasks, err := s.ListTasks(ctx, store.TaskFilter{AccountID: slow.ID, Status: "open"})
		var goalTasks []store.Task
		for _, tk := range tasks {
			if tk.Signal == "goal_missed" {
				goalTasks = append(goalTasks, tk)
			}
		}
		if err != nil || len(goalTasks) != 1 || goalTasks[0].OwnerID != owner.ID {
			t.Fatalf("slow's goal tasks: %+v %v", goalTasks, err)
		}
		evsLog, err := s.Events(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		missed := 0
		for _, e := range evsLog {
			if e.Kind == store.EventGoalMissed && e.AccountID == slow.ID {
				missed++
			}
		}
		if missed != 1 {
			t.Fatalf("%d goal.missed events for slow, want 1", missed)
		}
		if err := s.SetGoal(ctx, slow.ID, health.Goal{Event: "", Min: 5, CheckDays: 30}); err == nil {
			t.Fatal("a goal without an event was accepted")
		}
		if err := s.ClearGoal(ctx, slow.ID); err != nil {
			t.Fatal(err)
		}
		if g, err := s.Goal(ctx, slow.ID, now); err != nil || g != nil {
			t.Fatalf("after clearing: %+v %v", g, err)
		}
	})
}
