package health

import (
	"fmt"
	"strconv"
	"time"
)

// Goal is the outcome a customer signed up for, as closeloop can see it: at least Min
// occurrences of Event (a track event's name), a condition on one of the account's
// traits, or both, by CheckDays after signup. A goal no event or trait can show is
// the account's free-text goal (account.Account.Goal), which a person judges.
type Goal struct {
	Event string `json:"event"` // "" when the goal is the trait condition alone
	Min   int    `json:"min"`
	// Trait, TraitOp and TraitValue: the trait condition ("" Trait: none). TraitOp is
	// "=" (the trait's value, as text, is TraitValue) or ">=" (a number at least it).
	Trait      string `json:"trait"`
	TraitOp    string `json:"trait_op"`
	TraitValue string `json:"trait_value"`
	CheckDays  int    `json:"check_days"` // default 90
}

// Trait condition operators.
const (
	TraitEq = "="
	TraitGE = ">="
)

// checkDays is CheckDays, or the default 90 when unset.
func (g Goal) checkDays() int {
	if g.CheckDays <= 0 {
		return 90
	}
	return g.CheckDays
}

// Describe is the goal as a person reads it: "25 × Report Created",
// "plan = enterprise", or both joined by "and".
func (g Goal) Describe() string {
	var s string
	if g.Event != "" {
		s = fmt.Sprintf("%d × %s", max(g.Min, 1), g.Event)
	}
	if g.Trait != "" {
		if s != "" {
			s += " and "
		}
		op := g.TraitOp
		if op == TraitGE {
			op = "≥"
		}
		s += g.Trait + " " + op + " " + g.TraitValue
	}
	return s
}

// TraitHolds says whether traits (an account's custom traits, decoded JSON) meet the
// goal's trait condition; true when it has none. "=" compares the value as text (a
// number as Go formats it, true/false for a boolean); ">=" needs a number, or text
// that is one, at least TraitValue.
func (g Goal) TraitHolds(traits map[string]any) bool {
	if g.Trait == "" {
		return true
	}
	v, ok := traits[g.Trait]
	if !ok || v == nil {
		return false
	}
	var text string
	var num float64
	isNum := false
	switch x := v.(type) {
	case string:
		text = x
		if n, err := strconv.ParseFloat(x, 64); err == nil {
			num, isNum = n, true
		}
	case float64:
		text, num, isNum = strconv.FormatFloat(x, 'f', -1, 64), x, true
	case bool:
		text = strconv.FormatBool(x)
	default:
		return false // an object or a list is no value to compare
	}
	switch g.TraitOp {
	case TraitEq:
		return text == g.TraitValue
	case TraitGE:
		want, err := strconv.ParseFloat(g.TraitValue, 64)
		return err == nil && isNum && num >= want
	}
	return false
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
	AchievedOn string `json:"achieved_on"` // the day the goal was reached; "" until then
	CheckOn    string `json:"check_on"`    // signup + CheckDays
}

// EvaluateGoal says whether g was achieved (and on which day), missed (the check day
// passed without it) or is pending, given the signup day, the event's count per day
// (YYYY-MM-DD → n), whether its trait condition holds today (traitHolds) and today.
// Only occurrences from signup to the check day count. Traits keep no history, so a
// trait condition counts on a day it is seen to hold, up to the check day: a goal
// with one is achieved on the day it is first seen met in full (the daily check
// records that day; store.evaluateGoal keeps it).
func EvaluateGoal(g Goal, signup string, perDay map[string]int, traitHolds bool, today string) GoalStatus {
	g.CheckDays = g.checkDays()
	start, err := time.Parse(time.DateOnly, signup)
	if err != nil {
		return GoalStatus{State: GoalPending}
	}
	check := start.AddDate(0, 0, g.CheckDays).Format(time.DateOnly)
	st := GoalStatus{State: GoalPending, CheckOn: check}
	end := min(check, today)
	eventsOn := signup // the day the event part was met; no event part is met at signup
	if g.Event != "" {
		eventsOn = ""
		for d := start; d.Format(time.DateOnly) <= end; d = d.AddDate(0, 0, 1) {
			st.Count += perDay[d.Format(time.DateOnly)]
			if eventsOn == "" && st.Count >= max(g.Min, 1) {
				eventsOn = d.Format(time.DateOnly)
			}
		}
	}
	switch {
	case eventsOn == "" || eventsOn > end:
	case g.Trait == "":
		st.AchievedOn = eventsOn
	case traitHolds && today <= check:
		st.AchievedOn = today
	}
	switch {
	case st.AchievedOn != "":
		st.State = GoalAchieved
	case today > check:
		st.State = GoalMissed
	}
	return st
}
