package health

import "time"

// Goal is the outcome a customer signed up for, as closeloop can see it in usage: at
// least Min occurrences of Event (a track event's name) by CheckDays after signup.
type Goal struct {
	Event     string `json:"event"`
	Min       int    `json:"min"`
	CheckDays int    `json:"check_days"` // default 90
}

// checkDays is CheckDays, or the default 90 when unset.
func (g Goal) checkDays() int {
	if g.CheckDays <= 0 {
		return 90
	}
	return g.CheckDays
}

// Goal states.
const (
	GoalPending  = "pending"
	GoalAchieved = "achieved"
	GoalMissed   = "missed"
)

// GoalStatus is where a goal stands on a day.
type GoalStatus struct {
	State      string `json:"state"`
	Count      int    `json:"count"`       // occurrences from signup to the check day (or today, before it)
	AchievedOn string `json:"achieved_on"` // the day the count reached Min; "" until then
	CheckOn    string `json:"check_on"`    // signup + CheckDays
}

// EvaluateGoal says whether g was achieved (and on which day), missed (the check day
// passed without it) or is pending, given the signup day, the event's count per day
// (YYYY-MM-DD → n) and today. Only occurrences from signup to the check day count.
func EvaluateGoal(g Goal, signup string, perDay map[string]int, today string) GoalStatus {
	g.CheckDays = g.checkDays()
	start, err := time.Parse(time.DateOnly, signup)
	if err != nil {
		return GoalStatus{State: GoalPending}
	}
	check := start.AddDate(0, 0, g.CheckDays).Format(time.DateOnly)
	st := GoalStatus{State: GoalPending, CheckOn: check}
	end := min(check, today)
	for d := start; d.Format(time.DateOnly) <= end; d = d.AddDate(0, 0, 1) {
		st.Count += perDay[d.Format(time.DateOnly)]
		if st.AchievedOn == "" && st.Count >= max(g.Min, 1) {
			st.AchievedOn = d.Format(time.DateOnly)
		}
	}
	switch {
	case st.AchievedOn != "":
		st.State = GoalAchieved
	case today > check:
		st.State = GoalMissed
	}
	return st
}
