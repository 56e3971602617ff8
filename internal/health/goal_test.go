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
		if got := EvaluateGoal(g, "2026-01-01", tc.perDay, true, tc.today); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if got := EvaluateGoal(Goal{Event: "x", Min: 1}, "2026-01-01", nil, true, "2026-04-02"); got.CheckOn != "2026-04-01" || got.State != GoalMissed {
		t.Errorf("default check day 90: %+v", got)
	}
	if got := EvaluateGoal(g, "", nil, true, "2026-04-02"); got.State != GoalPending {
		t.Errorf("no signup day: %+v", got)
	}
}

func TestGoalTraitHolds(t *testing.T) {
	traits := map[string]any{"plan": "enterprise", "integrations": float64(3), "seats_used": "12", "sso": true, "tags": []any{"a"}}
	for _, c := range []struct {
		trait, op, value string
		want             bool
	}{
		{"", "", "", true}, // no condition
		{"plan", "=", "enterprise", true},
		{"plan", "=", "Enterprise", false}, // text is compared exactly
		{"plan", ">=", "1", false},         // text that is no number
		{"integrations", ">=", "3", true},
		{"integrations", ">=", "3.5", false},
		{"integrations", "=", "3", true}, // a number as Go formats it
		{"seats_used", ">=", "10", true}, // a number sent as text
		{"sso", "=", "true", true},
		{"tags", "=", "a", false}, // a list is no value
		{"missing", "=", "", false},
		{"integrations", "<", "9", false}, // no such operator
	} {
		g := Goal{Trait: c.trait, TraitOp: c.op, TraitValue: c.value}
		if got := g.TraitHolds(traits); got != c.want {
			t.Errorf("%s %s %s: %v, want %v", c.trait, c.op, c.value, got, c.want)
		}
	}
}

// Worked by hand: signup 2026-01-01, check day 2026-01-31. A trait condition counts on
// the day it is seen to hold, up to the check day; with an event part too, both must
// be met.
func TestEvaluateGoalWithTrait(t *testing.T) {
	trait := Goal{Trait: "integrations", TraitOp: TraitGE, TraitValue: "3", CheckDays: 30}
	both := Goal{Event: "Report Created", Min: 10, Trait: "plan", TraitOp: TraitEq, TraitValue: "pro", CheckDays: 30}
	ten := map[string]int{"2026-01-05": 10}
	for _, tc := range []struct {
		name   string
		g      Goal
		perDay map[string]int
		holds  bool
		today  string
		want   GoalStatus
	}{
		{"trait not yet, day 10", trait, nil, false, "2026-01-11", GoalStatus{State: GoalPending, CheckOn: "2026-01-31"}},
		{"trait seen on day 20: achieved that day", trait, nil, true, "2026-01-21",
			GoalStatus{State: GoalAchieved, AchievedOn: "2026-01-21", CheckOn: "2026-01-31"}},
		{"trait seen on the check day", trait, nil, true, "2026-01-31", GoalStatus{State: GoalAchieved, AchievedOn: "2026-01-31", CheckOn: "2026-01-31"}},
		{"trait only after the check day: missed", trait, nil, true, "2026-02-01", GoalStatus{State: GoalMissed, CheckOn: "2026-01-31"}},
		{"events met, trait not", both, ten, false, "2026-01-20", GoalStatus{State: GoalPending, Count: 10, CheckOn: "2026-01-31"}},
		{"events met on the 5th, trait seen on the 20th", both, ten, true, "2026-01-20",
			GoalStatus{State: GoalAchieved, Count: 10, AchievedOn: "2026-01-20", CheckOn: "2026-01-31"}},
		{"trait holds, 9 events", both, map[string]int{"2026-01-05": 9}, true, "2026-01-20", GoalStatus{State: GoalPending, Count: 9, CheckOn: "2026-01-31"}},
		{"trait holds, 9 events, after the check day", both, map[string]int{"2026-01-05": 9}, true, "2026-02-02",
			GoalStatus{State: GoalMissed, Count: 9, CheckOn: "2026-01-31"}},
	} {
		if got := EvaluateGoal(tc.g, "2026-01-01", tc.perDay, tc.holds, tc.today); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	for g, want := range map[*Goal]string{&trait: "integrations ≥ 3", &both: "10 × Report Created and plan = pro",
		{Event: "Login", Min: 1}: "1 × Login"} {
		if got := g.Describe(); got != want {
			t.Errorf("Describe: %q, want %q", got, want)
		}
	}
}
