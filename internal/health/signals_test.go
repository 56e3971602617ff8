package health

import (
	"errors"
	"fmt"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestSignals(t *testing.T) {
	days := func(n int) *int { return &n }
	base := Inputs{EventsLast30: 100, EventsPrior30: 100, DaysSinceContact: 1, CadenceDays: 7, Payment: "ok"}
	green := Result{Score: 80, Band: Green}
	for _, c := range []struct {
		name string
		mod  func(*Inputs, *Result, *Facts)
		want string // the fired rules and reasons, "" for none
	}{
		{"healthy", func(*Inputs, *Result, *Facts) {}, ""},
		{"usage down 30%: fires at the threshold", func(in *Inputs, _ *Result, _ *Facts) { in.EventsLast30 = 70 },
			"usage_drop: usage down 30% (last 30 days against the 30 before)"},
		{"usage down 29%: does not", func(in *Inputs, _ *Result, _ *Facts) { in.EventsLast30 = 71 }, ""},
		{"usage from none: no drop", func(in *Inputs, _ *Result, _ *Facts) { in.EventsPrior30 = 0 }, ""},
		{"low usage: 9 events", func(in *Inputs, _ *Result, _ *Facts) { in.EventsLast30, in.EventsPrior30 = 9, 10 },
			"low_usage: 9 events in 30 days, fewer than 10"},
		{"low usage: 10 events does not", func(in *Inputs, _ *Result, _ *Facts) { in.EventsLast30, in.EventsPrior30 = 10, 10 }, ""},
		{"no usage ever: not judged", func(in *Inputs, _ *Result, _ *Facts) { in.EventsLast30, in.EventsPrior30 = 0, 0 }, ""},
		{"cadence: 8 days of 7", func(in *Inputs, _ *Result, _ *Facts) { in.DaysSinceContact = 8 },
			"cadence: no contact in 8 days, cadence is 7"},
		{"cadence: 7 days of 7 is on time", func(in *Inputs, _ *Result, _ *Facts) { in.DaysSinceContact = 7 }, ""},
		{"cadence: never", func(in *Inputs, _ *Result, _ *Facts) { in.DaysSinceContact = -1 }, "cadence: never in touch, cadence is 7"},
		{"payment failed", func(in *Inputs, _ *Result, _ *Facts) { in.Payment = "failed" }, "payment_failed: the latest invoice's payment failed"},
		{"renewal in 60 days", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays = days(60) }, "renewal: renews in 60 days"},
		{"renewal in 61 days", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays = days(61) }, ""},
		{"renewal passed", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays = days(-1) }, ""},
		// A 90-day cancellation window: the notice deadline is 90 days before the renewal.
		{"notice deadline in 20 days, renewal in 110", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays, f.NoticeDays = days(110), days(20) },
			"renewal: cancellation notice due in 20 days (renews in 110 days)"},
		{"notice deadline in 60 days", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays, f.NoticeDays = days(150), days(60) },
			"renewal: cancellation notice due in 60 days (renews in 150 days)"},
		{"notice deadline in 61 days does not", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays, f.NoticeDays = days(151), days(61) }, ""},
		{"notice deadline passed: the renewal in 40 days", func(_ *Inputs, _ *Result, f *Facts) { f.RenewalDays, f.NoticeDays = days(40), days(-50) },
			"renewal: renews in 40 days"},
		{"NPS 6 is a detractor", func(in *Inputs, _ *Result, _ *Facts) { n := 6; in.NPS = &n }, "detractor: NPS 6: a detractor"},
		{"NPS 7 is not", func(in *Inputs, _ *Result, _ *Facts) { n := 7; in.NPS = &n }, ""},
		{"churn reason", func(_ *Inputs, _ *Result, f *Facts) { f.ChurnReasons = 2 }, "churn_reason: 2 churn reasons given in 30 days"},
		{"red", func(_ *Inputs, r *Result, _ *Facts) { r.Score, r.Band = 39, Red }, "health_red: health 39, red"},
		{"yellow is not red", func(_ *Inputs, r *Result, _ *Facts) { r.Score, r.Band = 40, Yellow }, ""},
		{"goal missed", func(in *Inputs, _ *Result, f *Facts) {
			in.Goal, f.Goal = GoalMissed, &Goal{Event: "Report Created", Min: 25, CheckDays: 90}
		}, "goal_missed: goal missed: 25 × Report Created within 90 days of signup"},
		{"goal missed, no check day set: the default 90", func(in *Inputs, _ *Result, f *Facts) {
			in.Goal, f.Goal = GoalMissed, &Goal{Event: "Login", Min: 1}
		}, "goal_missed: goal missed: 1 × Login within 90 days of signup"},
		{"goal pending does not", func(in *Inputs, _ *Result, f *Facts) { in.Goal, f.Goal = GoalPending, &Goal{Event: "Login", Min: 1} }, ""},
		{"goal achieved does not", func(in *Inputs, _ *Result, f *Facts) { in.Goal, f.Goal = GoalAchieved, &Goal{Event: "Login", Min: 1} }, ""},
		{"two at once", func(in *Inputs, r *Result, _ *Facts) { in.Payment = "failed"; r.Score, r.Band = 10, Red },
			"payment_failed: the latest invoice's payment failed; health_red: health 10, red"},
	} {
		in, r, f := base, green, Facts{}
		c.mod(&in, &r, &f)
		got := ""
		for i, s := range Signals(in, r, f, DefaultRules()) {
			if i > 0 {
				got += "; "
			}
			got += s.Rule + ": " + s.Reason
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSignalRulesOffAndThresholds(t *testing.T) {
	in := Inputs{EventsLast30: 50, EventsPrior30: 100, DaysSinceContact: 30, CadenceDays: 7, Payment: "failed", Goal: GoalMissed}
	rules := DefaultRules()
	rules[SigGoalMissed] = Rule{Enabled: false, DueDays: 3}
	rules[SigUsageDrop] = Rule{Enabled: true, Threshold: 60, DueDays: 7} // 50% is now not enough
	off := rules[SigCadence]
	off.Enabled = false
	rules[SigCadence] = off
	delete(rules, SigPayment) // a rule left out is off
	if got := fmt.Sprint(Signals(in, Result{Score: 50, Band: Yellow}, Facts{}, rules)); got != "[]" {
		t.Fatalf("fired %s", got)
	}
	for field, r := range map[string]map[string]Rule{
		"signal_rules":                   {"mood": {}},
		"signal_rules.renewal.threshold": {SigRenewal: {Threshold: -1}},
		"signal_rules.cadence.due_days":  {SigCadence: {DueDays: 400}},
	} {
		var fe *errs.FieldError
		if err := ValidateRules(r); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
