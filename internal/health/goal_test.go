package health

import "testing"

// Worked by hand: signup 2026-01-01, goal 10 reports within 30 days (check day
// 2026-01-31).
func TestEvaluateGoal(t *testing.T) {
	g := Goal{Event: "Report Created", Min: 10, CheckDays: 30}
	for _, tc := range []struct {
		name   string
		perDay map[string]int
		today  string
		want   GoalStatus
	}{
		{"nothing yet, day 5", nil, "2026-01-06", GoalStatus{State: GoalPending, CheckOn: "2026-01-31"}},
		{"4 + 6 reaches 10 on the 9th", map[string]int{"2026-01-02": 4, "2026-01-09": 6}, "2026-01-20",
			GoalStatus{State: GoalAchieved, Count: 10, AchievedOn: "2026-01-09", CheckOn: "2026-01-31"}},
		{"9 by the check day, seen on it", map[string]int{"2026-01-02": 9}, "2026-01-31", GoalStatus{State: GoalPending, Count: 9, CheckOn: "2026-01-31"}},
		{"9 by the check day, a day after", map[string]int{"2026-01-02": 9}, "2026-02-01", GoalStatus{State: GoalMissed, Count: 9, CheckOn: "2026-01-31"}},
		{"achieved on the check day itself", map[string]int{"2026-01-31": 10}, "2026-03-01",
			GoalStatus{State: GoalAchieved, Count: 10, AchievedOn: "2026-01-31", CheckOn: "2026-01-31"}},
		{"late reports do not count", map[string]int{"2025-12-31": 50, "2026-02-01": 50}, "2026-03-01",
			GoalStatus{State: GoalMissed, CheckOn: "2026-01-31"}},
	} {
		if got := EvaluateGoal(g, "2026-01-01", tc.perDay, tc.today); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if got := EvaluateGoal(Goal{Event: "x", Min: 1}, "2026-01-01", nil, "2026-04-02"); got.CheckOn != "2026-04-01" || got.State != GoalMissed {
		t.Errorf("default check day 90: %+v", got)
	}
	if got := EvaluateGoal(g, "", nil, "2026-04-02"); got.State != GoalPending {
		t.Errorf("no signup day: %+v", got)
	}
}
