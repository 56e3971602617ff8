package health

import (
	"fmt"
	"math"
	"sort"

	"github.com/closeloop/closeloop/internal/errs"
)

// Signal rules: conditions on an account's day that call for someone to act. Each
// rule an admin can turn off or give another threshold; a rule that fires makes one
// task for the account's owner, due DueDays later, and no other while it keeps firing.
const (
	SigUsageDrop   = "usage_drop"     // usage down by Threshold % or more (last 30 days vs the 30 before)
	SigLowUsage    = "low_usage"      // fewer than Threshold events in 30 days, for an account that has sent any in 60
	SigCadence     = "cadence"        // no contact within the tier's cadence
	SigPayment     = "payment_failed" // the latest invoice's payment failed
	SigRenewal     = "renewal"        // the renewal date or the cancellation-notice deadline is within Threshold days
	SigDetractor   = "detractor"      // NPS at or below Threshold (6: a detractor)
	SigChurnReason = "churn_reason"   // churn-reason feedback in the last 30 days
	SigRed         = "health_red"     // the health score is in the red band
	// Onboarding (activation.go): they judge only accounts with key steps configured.
	SigNotActivated = "not_activated"      // not activated Threshold days or more after signup
	SigStalled      = "onboarding_stalled" // not activated and no new step for Threshold days or more
	// SigGoalMissed: the daily goal check recorded the account's goal missed (goal.go).
	SigGoalMissed = "goal_missed"
)

// SignalRules lists every rule, in the order they are shown.
var SignalRules = []string{SigUsageDrop, SigLowUsage, SigCadence, SigPayment, SigRenewal, SigDetractor, SigChurnReason, SigRed, SigNotActivated, SigStalled,
	SigGoalMissed}

// OnboardingRules are the rules that read activation. Saved health settings from
// before them have no entry, so they stay off (a rule left out is off) until key
// steps are first configured, which turns them on with their defaults
// (store.PutActivationSettings): an install does not get new tasks unasked.
var OnboardingRules = []string{SigNotActivated, SigStalled}

// OnWhenUnsaved are rules that made tasks before an admin could turn them off (the
// goal check tasked the owner of a missed goal itself): saved health settings without
// an entry for one read it as shipped, on, so the install keeps doing what it did
// (store.HealthSettings); once saved off it stays off.
var OnWhenUnsaved = []string{SigGoalMissed}

// OnboardingWindowDays bounds the onboarding rules to accounts that signed up within
// it. An account older than that is past onboarding: were it still not activated, the
// usage rules speak for it, and configuring key steps for the first time on an
// install with years of accounts must not open a task for every old one.
const OnboardingWindowDays = 180

// Rule is one rule's settings.
type Rule struct {
	Enabled   bool `json:"enabled"`
	Threshold int  `json:"threshold"` // the rule's own unit; unused by rules without one
	DueDays   int  `json:"due_days"`  // the task is due this many days after the signal fires
}

// DefaultRules are the rules as shipped.
func DefaultRules() map[string]Rule {
	return map[string]Rule{
		SigUsageDrop:   {true, 30, 7},
		SigLowUsage:    {true, 10, 7},
		SigCadence:     {true, 0, 2},
		SigPayment:     {true, 0, 2},
		SigRenewal:     {true, 60, 14},
		SigDetractor:   {true, 6, 7},
		SigChurnReason: {true, 0, 3},
		SigRed:         {true, 0, 3},
		// Not activated a month after signup; no new step for a week.
		SigNotActivated: {true, 30, 3},
		SigStalled:      {true, 7, 2},
		// The check day has passed: the owner is told within 3 days.
		SigGoalMissed: {true, 0, 3},
	}
}

// Facts are what the signal rules read besides the health inputs.
type Facts struct {
	RenewalDays *int // days until the renewal date; nil when there is none
	// NoticeDays is the days until the cancellation-notice deadline (the renewal date
	// minus the contract's cancellation window); nil without a window.
	NoticeDays   *int
	ChurnReasons int // churn-reason feedback in the last 30 days
	// Onboarding is the account's activation; nil when no key steps are configured.
	Onboarding *OnboardingFacts
	// Goal is the account's goal, which the goal_missed reason names; the rule reads
	// its recorded state from Inputs.Goal.
	Goal *Goal
}

// OnboardingFacts are what the onboarding rules read.
type OnboardingFacts struct {
	Activated       bool
	DaysSinceSignup int // today − signup day
	// DaysSinceStep is the days since the latest step done, or since signup when none is.
	DaysSinceStep         int
	StepsDone, StepsTotal int
}

// Fired is a rule that fired, with the reason a person reads.
type Fired struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Signals evaluates the enabled rules on a day's inputs and score.
func Signals(in Inputs, r Result, f Facts, rules map[string]Rule) []Fired {
	var out []Fired
	on := func(name string) (Rule, bool) { rule, ok := rules[name]; return rule, ok && rule.Enabled }
	if rule, ok := on(SigUsageDrop); ok && in.EventsPrior30 > 0 {
		change := float64(in.EventsLast30-in.EventsPrior30) / float64(in.EventsPrior30)
		if pct := int(math.Round(-change * 100)); pct >= rule.Threshold {
			out = append(out, Fired{SigUsageDrop, fmt.Sprintf("usage down %d%% (last 30 days against the 30 before)", pct)})
		}
	}
	if rule, ok := on(SigLowUsage); ok && in.EventsLast30+in.EventsPrior30 > 0 && in.EventsLast30 < rule.Threshold {
		out = append(out, Fired{SigLowUsage, fmt.Sprintf("%s in 30 days, fewer than %d", plural(in.EventsLast30, "event", "events"), rule.Threshold)})
	}
	if _, ok := on(SigCadence); ok && in.CadenceDays > 0 && (in.DaysSinceContact < 0 || in.DaysSinceContact > in.CadenceDays) {
		out = append(out, Fired{SigCadence, contactDetail(in.DaysSinceContact, in.CadenceDays)})
	}
	if _, ok := on(SigPayment); ok && in.Payment == "failed" {
		out = append(out, Fired{SigPayment, "the latest invoice's payment failed"})
	}
	if rule, ok := on(SigRenewal); ok && f.RenewalDays != nil {
		within := func(days *int) bool { return days != nil && *days >= 0 && *days <= rule.Threshold }
		renews := fmt.Sprintf("renews in %s", plural(*f.RenewalDays, "day", "days"))
		switch {
		case within(f.NoticeDays):
			// The notice deadline comes first: after it the customer can no longer
			// cancel, so it is the date to act before.
			out = append(out, Fired{SigRenewal, fmt.Sprintf("cancellation notice due in %s (%s)", plural(*f.NoticeDays, "day", "days"), renews)})
		case within(f.RenewalDays):
			out = append(out, Fired{SigRenewal, renews})
		}
	}
	if rule, ok := on(SigDetractor); ok && in.NPS != nil && *in.NPS <= rule.Threshold {
		out = append(out, Fired{SigDetractor, fmt.Sprintf("NPS %d: a detractor", *in.NPS)})
	}
	if _, ok := on(SigChurnReason); ok && f.ChurnReasons > 0 {
		out = append(out, Fired{SigChurnReason, plural(f.ChurnReasons, "churn reason", "churn reasons") + " given in 30 days"})
	}
	if _, ok := on(SigRed); ok && r.Band == Red {
		out = append(out, Fired{SigRed, fmt.Sprintf("health %d, red", r.Score)})
	}
	if _, ok := on(SigGoalMissed); ok && in.Goal == GoalMissed {
		reason := "the customer's goal was missed"
		if g := f.Goal; g != nil {
			reason = fmt.Sprintf("goal missed: %s within %s of signup", g.Describe(), plural(g.checkDays(), "day", "days"))
		}
		out = append(out, Fired{SigGoalMissed, reason})
	}
	if o := f.Onboarding; o != nil && !o.Activated && o.DaysSinceSignup <= OnboardingWindowDays {
		if rule, ok := on(SigNotActivated); ok && o.DaysSinceSignup >= rule.Threshold {
			out = append(out, Fired{SigNotActivated, fmt.Sprintf("not activated %s after signup (%d of %d key steps done)",
				plural(o.DaysSinceSignup, "day", "days"), o.StepsDone, o.StepsTotal)})
		}
		if rule, ok := on(SigStalled); ok && o.DaysSinceStep >= rule.Threshold {
			since := "new key step"
			if o.StepsDone == 0 {
				since = "first key step"
			}
			out = append(out, Fired{SigStalled, fmt.Sprintf("onboarding stalled: no %s in %s", since, plural(o.DaysSinceStep, "day", "days"))})
		}
	}
	return out
}

// ValidateRules checks rule settings: known rules, thresholds and due days in range.
func ValidateRules(rules map[string]Rule) error {
	known := map[string]bool{}
	for _, r := range SignalRules {
		known[r] = true
	}
	names := make([]string, 0, len(rules))
	for name := range rules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := rules[name]
		if !known[name] {
			return errs.Invalidf("signal_rules", "unknown rule %q", name)
		}
		if r.Threshold < 0 || r.Threshold > 1000 {
			return errs.Invalid("signal_rules."+name+".threshold", "must be from 0 to 1000")
		}
		if r.DueDays < 0 || r.DueDays > 365 {
			return errs.Invalid("signal_rules."+name+".due_days", "must be from 0 to 365")
		}
	}
	return nil
}
