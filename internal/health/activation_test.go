package health

import (
	"errors"
	"reflect"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

func occ(event, day string, props map[string]any) Occurrence {
	return Occurrence{Event: event, Day: day, Props: props}
}

// Hand-worked step completion: signup 2026-03-01.
func TestEvaluateSteps(t *testing.T) {
	pro := map[string]any{"plan": "pro"}
	free := map[string]any{"plan": "free"}
	for _, c := range []struct {
		name string
		step Step
		occ  []Occurrence
		want StepProgress // Count and DoneOn
	}{
		{"one event completes a default step", Step{Event: "Login", Min: 1},
			[]Occurrence{occ("Login", "2026-03-02", nil)}, StepProgress{Count: 1, DoneOn: "2026-03-02"}},
		{"threshold 3: done on the third, in day order whatever the input order", Step{Event: "Report", Min: 3},
			[]Occurrence{occ("Report", "2026-03-09", nil), occ("Report", "2026-03-02", nil), occ("Report", "2026-03-05", nil), occ("Report", "2026-03-07", nil)},
			StepProgress{Count: 4, DoneOn: "2026-03-07"}},
		{"threshold 3, two events: not done", Step{Event: "Report", Min: 3},
			[]Occurrence{occ("Report", "2026-03-02", nil), occ("Report", "2026-03-05", nil)}, StepProgress{Count: 2}},
		{"other events do not count", Step{Event: "Report", Min: 1},
			[]Occurrence{occ("Login", "2026-03-02", nil)}, StepProgress{}},
		{"property filter: only plan=pro counts", Step{Event: "Upgrade", Property: "plan=pro", Min: 2},
			[]Occurrence{occ("Upgrade", "2026-03-02", free), occ("Upgrade", "2026-03-03", pro), occ("Upgrade", "2026-03-04", nil), occ("Upgrade", "2026-03-06", pro)},
			StepProgress{Count: 2, DoneOn: "2026-03-06"}},
		{"property filter on a number and a bool", Step{Event: "Invite", Property: "seats=5", Min: 1},
			[]Occurrence{occ("Invite", "2026-03-02", map[string]any{"seats": 5.0}), occ("Invite", "2026-03-03", map[string]any{"seats": 50.0})},
			StepProgress{Count: 1, DoneOn: "2026-03-02"}},
		{"within 7 days: day 7 (03-08) counts, day 8 does not", Step{Event: "Import", Min: 2, WithinDays: 7},
			[]Occurrence{occ("Import", "2026-03-08", nil), occ("Import", "2026-03-09", nil)}, StepProgress{Count: 1}},
		{"within 7 days: two by day 7", Step{Event: "Import", Min: 2, WithinDays: 7},
			[]Occurrence{occ("Import", "2026-03-01", nil), occ("Import", "2026-03-08", nil), occ("Import", "2026-03-09", nil)},
			StepProgress{Count: 2, DoneOn: "2026-03-08"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := EvaluateSteps(ActivationSettings{Steps: []Step{c.step}}, "2026-03-01", c.occ)
			got := p.Steps[0]
			if got.Count != c.want.Count || got.DoneOn != c.want.DoneOn {
				t.Fatalf("got %+v, want count %d done on %q", got, c.want.Count, c.want.DoneOn)
			}
		})
	}
}

// Activation is the day the last required step is done; an optional step does not
// hold it back; the aha step is the flagged one, else the first required.
func TestActivationDateAndTTV(t *testing.T) {
	set := ActivationSettings{Steps: []Step{
		{Event: "Signup done", Min: 1, Required: true},
		{Event: "Report", Min: 2, Required: true},
		{Event: "Theme", Min: 1}, // optional
	}}
	events := []Occurrence{occ("Signup done", "2026-03-01", nil), occ("Report", "2026-03-04", nil), occ("Report", "2026-03-11", nil), occ("Theme", "2026-03-20", nil)}
	p := EvaluateSteps(set, "2026-03-01", events)
	want := Progress{Done: 3, Total: 3, StartedOn: "2026-03-01", AhaOn: "2026-03-01", LastStepOn: "2026-03-20", ActivatedOn: "2026-03-11"}
	p.Steps = nil
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("progress %+v\nwant     %+v", p, want)
	}
	if d, ok := TimeToValue("2026-03-01", p.ActivatedOn); !ok || d != 10 {
		t.Fatalf("TTV %d %v, want 10 days", d, ok)
	}
	// Without the second report: two of three done, not activated, no TTV.
	p = EvaluateSteps(set, "2026-03-01", events[:2])
	if p.Done != 1 || p.Activated() || p.LastStepOn != "2026-03-01" {
		t.Fatalf("partial: %+v", p)
	}
	if _, ok := TimeToValue("2026-03-01", p.ActivatedOn); ok {
		t.Fatal("TTV before activation")
	}
	// The aha step flagged: the report.
	set.Steps[1].Aha = true
	if p := EvaluateSteps(set, "2026-03-01", events); p.AhaOn != "2026-03-11" {
		t.Fatalf("aha on %q, want 2026-03-11", p.AhaOn)
	}
	// Steps done before the recorded signup: TTV 0, not negative.
	if d, _ := TimeToValue("2026-03-15", "2026-03-11"); d != 0 {
		t.Fatalf("TTV before signup %d", d)
	}
}

func TestValidateActivation(t *testing.T) {
	for _, c := range []struct {
		steps []Step
		field string // "" for valid
	}{
		{nil, ""},
		{[]Step{{Event: "A", Min: 1, Required: true}}, ""},
		{[]Step{{Event: "", Min: 1, Required: true}}, "steps[0].event"},
		{[]Step{{Event: "A", Min: 0, Required: true}}, "steps[0].min"},
		{[]Step{{Event: "A", Min: 1, Required: true}, {Event: "B", Min: 1, WithinDays: -1}}, "steps[1].within_days"},
		{[]Step{{Event: "A", Min: 1, Required: true, Property: "plan"}}, "steps[0].property"},
		{[]Step{{Event: "A", Min: 1, Required: true, Property: "=pro"}}, "steps[0].property"},
		{[]Step{{Event: "A", Min: 1}}, "steps"},
		{[]Step{{Event: "A", Min: 1, Required: true, Aha: true}, {Event: "B", Min: 1, Aha: true}}, "steps"},
	} {
		err := ActivationSettings{Steps: c.steps}.Validate()
		var fe *errs.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.steps, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%+v: %v, want an error on %s", c.steps, err, c.field)
		}
	}
}

// Hand-worked funnel: five accounts, three signed up in January, two in February.
//
//	Jan a: started, aha, activated, paid (TTV 4)
//	Jan b: started, aha, activated (TTV 10)
//	Jan c: started only
//	Feb d: started, aha
//	Feb e: nothing; paid without onboarding is not counted at paid (strict funnel)
//
// Overall: 5 → 4 (80%) → 3 (75%) → 2 (66.67%) → 1 (50%); of signups 100, 80, 60, 40, 20 %.
// January: 3 → 3 (100%) → 2 (66.67%) → 2 (100%) → 1 (50%), median TTV 7.
// February: 2 → 1 (50%) → 1 (100%) → 0 (0%) → 0 (0%), no TTV.
func TestComputeFunnel(t *testing.T) {
	f := ComputeFunnel([]FunnelAccount{
		{Signup: "2026-01-03", Started: true, Aha: true, Activated: true, Paid: true, TTVDays: 4},
		{Signup: "2026-01-20", Started: true, Aha: true, Activated: true, TTVDays: 10},
		{Signup: "2026-01-31", Started: true},
		{Signup: "2026-02-01", Started: true, Aha: true},
		{Signup: "2026-02-14", Paid: true},
	})
	type row struct {
		counts   []int
		prev     []float64
		top      []float64
		medianTT float64 // -1: none
	}
	check := func(name string, got FunnelRow, want row) {
		t.Helper()
		var counts []int
		var prev, top []float64
		for _, s := range got.Stages {
			counts, prev, top = append(counts, s.Accounts), append(prev, s.FromPrev), append(top, s.FromTop)
		}
		med := -1.0
		if got.MedianTTVDays != nil {
			med = *got.MedianTTVDays
		}
		if !reflect.DeepEqual(counts, want.counts) || !reflect.DeepEqual(prev, want.prev) || !reflect.DeepEqual(top, want.top) || med != want.medianTT {
			t.Errorf("%s: counts %v prev %v top %v median %v\nwant     %v      %v     %v       %v", name, counts, prev, top, med, want.counts, want.prev, want.top, want.medianTT)
		}
	}
	check("overall", f.Overall, row{[]int{5, 4, 3, 2, 1}, []float64{1, 0.8, 0.75, 0.6667, 0.5}, []float64{1, 0.8, 0.6, 0.4, 0.2}, 7})
	if len(f.ByMonth) != 2 || f.ByMonth[0].Month != "2026-01" || f.ByMonth[1].Month != "2026-02" {
		t.Fatalf("months %+v", f.ByMonth)
	}
	check("January", f.ByMonth[0], row{[]int{3, 3, 2, 2, 1}, []float64{1, 1, 0.6667, 1, 0.5}, []float64{1, 1, 0.6667, 0.6667, 0.3333}, 7})
	check("February", f.ByMonth[1], row{[]int{2, 1, 1, 0, 0}, []float64{1, 0.5, 1, 0, 0}, []float64{1, 0.5, 0.5, 0, 0}, -1})
	if empty := ComputeFunnel(nil); empty.Overall.Stages[0].Accounts != 0 || empty.Overall.Stages[1].FromPrev != 0 || len(empty.ByMonth) != 0 {
		t.Fatalf("empty funnel %+v", empty)
	}
}

// The onboarding rules: fires / does not fire at the thresholds (30 days, 7 days);
// nothing without configured steps or once activated. (No duplicate while open is the
// store's: TestOnboardingSignalTasks.)
func TestOnboardingSignals(t *testing.T) {
	base := Inputs{EventsLast30: 100, EventsPrior30: 100, DaysSinceContact: 1, CadenceDays: 7, Payment: "ok"}
	green := Result{Score: 80, Band: Green}
	for _, c := range []struct {
		name string
		o    *OnboardingFacts
		want string
	}{
		{"no steps configured", nil, ""},
		{"day 30, 1 of 3 done, last step 2 days ago", &OnboardingFacts{DaysSinceSignup: 30, DaysSinceStep: 2, StepsDone: 1, StepsTotal: 3},
			"not_activated: not activated 30 days after signup (1 of 3 key steps done)"},
		{"day 29: not yet", &OnboardingFacts{DaysSinceSignup: 29, DaysSinceStep: 2, StepsDone: 1, StepsTotal: 3}, ""},
		{"activated on day 40", &OnboardingFacts{Activated: true, DaysSinceSignup: 40, DaysSinceStep: 20, StepsDone: 3, StepsTotal: 3}, ""},
		{"stalled: 7 days since the last step", &OnboardingFacts{DaysSinceSignup: 10, DaysSinceStep: 7, StepsDone: 2, StepsTotal: 3},
			"onboarding_stalled: onboarding stalled: no new key step in 7 days"},
		{"6 days since the last step: not stalled", &OnboardingFacts{DaysSinceSignup: 10, DaysSinceStep: 6, StepsDone: 2, StepsTotal: 3}, ""},
		{"no step at all 8 days after signup", &OnboardingFacts{DaysSinceSignup: 8, DaysSinceStep: 8, StepsTotal: 3},
			"onboarding_stalled: onboarding stalled: no first key step in 8 days"},
		{"day 180, the window's last day", &OnboardingFacts{DaysSinceSignup: 180, DaysSinceStep: 3, StepsDone: 1, StepsTotal: 3},
			"not_activated: not activated 180 days after signup (1 of 3 key steps done)"},
		{"day 181: past the onboarding window", &OnboardingFacts{DaysSinceSignup: 181, DaysSinceStep: 181, StepsTotal: 3}, ""},
		{"both", &OnboardingFacts{DaysSinceSignup: 45, DaysSinceStep: 45, StepsTotal: 2},
			"not_activated: not activated 45 days after signup (0 of 2 key steps done); onboarding_stalled: onboarding stalled: no first key step in 45 days"},
	} {
		got := ""
		for i, s := range Signals(base, green, Facts{Onboarding: c.o}, DefaultRules()) {
			if i > 0 {
				got += "; "
			}
			got += s.Rule + ": " + s.Reason
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	// Turned off, or left out of saved settings: silent.
	rules := DefaultRules()
	delete(rules, SigStalled)
	rules[SigNotActivated] = Rule{Enabled: false, Threshold: 30, DueDays: 3}
	if fired := Signals(base, green, Facts{Onboarding: &OnboardingFacts{DaysSinceSignup: 90, DaysSinceStep: 90}}, rules); len(fired) != 0 {
		t.Fatalf("off rules fired: %+v", fired)
	}
}
