package health

import (
	"errors"
	"slices"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

// Which profile scores an account: by tier the tier's own or the default, by stage
// the stage's own or the default, whatever the other field says.
func TestProfileSelection(t *testing.T) {
	byTier := Defaults().Weights()
	byStage := WeightSet{Version: "v2", Mode: ByStage, Profiles: DefaultStageProfiles()}
	for _, c := range []struct {
		ws          WeightSet
		tier, stage string
		want, label string
	}{
		{byTier, "strategic", "onboarding", "strategic", "tier:strategic"},
		{byTier, "standard", "onboarding", "", "tier:default"},
		{byTier, "", "", "", "tier:default"},
		{byStage, "strategic", "onboarding", "onboarding", "stage:onboarding"},
		{byStage, "standard", "active", "active", "stage:active"},
		{byStage, "strategic", "at_risk", "at_risk", "stage:at_risk"},
		{byStage, "strategic", "churned", "", "stage:default"}, // no churned profile shipped
		{byStage, "strategic", "", "", "stage:default"},
	} {
		if got := c.ws.Profile(c.tier, c.stage); got != c.want {
			t.Errorf("%s %s/%s: profile %q, want %q", c.ws.ModeOrTier(), c.tier, c.stage, got, c.want)
		}
		if r := Score(Inputs{}, c.ws, c.tier, c.stage); r.Profile != c.label || r.Weights != c.ws.Version {
			t.Errorf("%s %s/%s: scored with %q %q, want %q %q", c.ws.ModeOrTier(), c.tier, c.stage, r.Profile, r.Weights, c.label, c.ws.Version)
		}
	}
	// Every shipped stage profile sums to 100 and gives the goal no weight.
	for name, p := range DefaultStageProfiles() {
		sum := 0.0
		for _, c := range Components {
			sum += p[c]
		}
		if sum != 100 || p[GoalPart] != 0 {
			t.Errorf("stage profile %q: sum %v, goal %v", name, sum, p[GoalPart])
		}
	}
}

// Hand-worked, one onboarding account scored by stage and by tier. Usage 90 against
// 100 → 80; not activated → 0; last contact 10 days ago, cadence 7 → 100×11/14 =
// 78.6 → 79; no bugs → 100; seats, NPS, payment, pulse and goal unknown.
//
// Onboarding profile: usage 30, seats 10, activate 30, contact 10, nps 0, support 10,
// payment 5, pulse 5. The missing seats, payment and pulse (20) are shared out: the
// present weights sum to 80, so usage and activation get 30/80 = 0.375 each, contact
// and support 10/80 = 0.125. (80×30 + 0×30 + 79×10 + 100×10) / 80 = 4190/80 =
// 52.4 → 52, yellow.
//
// The tier default profile (usage 25, activate 10, contact 15, support 10 present =
// 60) weighs activation less: (80×25 + 0×10 + 79×15 + 100×10) / 60 = 4185/60 = 69.75
// → 70, green.
func TestStageProfileRedistributesMissing(t *testing.T) {
	no := false
	in := Inputs{EventsLast30: 90, EventsPrior30: 100, Activated: &no, DaysSinceContact: 10, CadenceDays: 7}
	r := Score(in, WeightSet{Version: "v2", Mode: ByStage, Profiles: DefaultStageProfiles()}, "standard", "onboarding")
	if r.Score != 52 || r.Band != Yellow || r.Profile != "stage:onboarding" {
		t.Fatalf("by stage: %d %s %s, want 52 yellow stage:onboarding", r.Score, r.Band, r.Profile)
	}
	want := map[string]struct {
		missing         bool
		score           int
		weight, contrib float64
	}{
		Usage: {false, 80, 0.375, 30}, Seats: {true, 0, 0, 0}, Activate: {false, 0, 0.375, 0}, Contact: {false, 79, 0.125, 9.88},
		NPS: {true, 0, 0, 0}, Support: {false, 100, 0.125, 12.5}, Payment: {true, 0, 0, 0}, Pulse: {true, 0, 0, 0}, GoalPart: {true, 0, 0, 0},
	}
	for _, p := range r.Parts {
		w := want[p.Name]
		if p.Missing != w.missing || p.Score != w.score || p.Weight != w.weight || p.Contribution != w.contrib {
			t.Errorf("%s: %+v, want %+v", p.Name, p, w)
		}
	}
	if byTier := Score(in, Defaults().Weights(), "standard", "onboarding"); byTier.Score != 70 || byTier.Band != Green || byTier.Profile != "tier:default" {
		t.Fatalf("by tier: %d %s %s, want 70 green tier:default", byTier.Score, byTier.Band, byTier.Profile)
	}
}

// The goal component: achieved 100, missed 0, pending or none missing. With the
// shipped weight 0 it moves no score; weighted 50 against usage 50 (steady, 100):
// achieved (100×50 + 100×50)/100 = 100, missed (100×50 + 0×50)/100 = 50, pending:
// the goal is missing, usage takes all its weight → 100.
func TestGoalComponent(t *testing.T) {
	w := map[string]float64{Usage: 50, GoalPart: 50}
	for _, c := range []struct {
		state                string
		known                bool
		part, score, shipped int
		detail               string
	}{
		{GoalAchieved, true, 100, 100, 79, "goal achieved"},
		{GoalMissed, true, 0, 50, 79, "goal missed"},
		{GoalPending, false, 0, 100, 79, ""},
		{"", false, 0, 100, 79, ""},
	} {
		s, known := GoalScore(c.state)
		if s != c.part || known != c.known {
			t.Errorf("GoalScore(%q) = %d %v, want %d %v", c.state, s, known, c.part, c.known)
		}
		in := Inputs{EventsLast30: 100, EventsPrior30: 100, Goal: c.state}
		r := Compute(in, w, "x")
		g := r.Parts[len(r.Parts)-1]
		if r.Score != c.score || g.Name != GoalPart || g.Missing == c.known || g.Detail != c.detail {
			t.Errorf("%q: score %d, part %+v; want %d", c.state, r.Score, g, c.score)
		}
		// Shipped weights: the same inputs as TestComputeRedistributesMissing's full
		// account score 79 whatever the goal says.
		yes, nps := true, 9
		full := Inputs{EventsLast30: 100, EventsPrior30: 100, ActiveUsers30: 4, Seats: 10, Activated: &yes, DaysSinceContact: 2,
			CadenceDays: 7, NPS: &nps, Payment: "failed", Pulse: 3, Goal: c.state}
		if r := Score(full, Defaults().Weights(), "standard", "active"); r.Score != c.shipped {
			t.Errorf("%q with shipped weights: %d, want %d", c.state, r.Score, c.shipped)
		}
	}
}

// Saving weights never edits a version in place: changed weights or another mode
// under a stored id get the next id (and stay active); a weight of 0 written out
// where the stored set left it absent is no change; a new id of the client's own is
// kept; a stored set left out stays, since history rows name it.
func TestReversion(t *testing.T) {
	prev := Defaults()
	delete(prev.Sets[0].Profiles[""], GoalPart) // as stored before the goal component existed
	withSets := func(active string, sets ...WeightSet) Settings {
		s := Defaults()
		s.Active, s.Sets = active, sets
		return s
	}
	changed := WeightSet{Version: "v1", Profiles: DefaultTierProfiles()}
	changed.Profiles[""][Usage] = 30
	stage := WeightSet{Version: "v1", Mode: ByStage, Profiles: DefaultStageProfiles()}
	same := WeightSet{Version: "v1", Mode: ByTier, Profiles: DefaultTierProfiles()} // goal: 0 written out
	own := WeightSet{Version: "q3", Profiles: DefaultTierProfiles()}
	for _, c := range []struct {
		name       string
		next       Settings
		active     string
		versions   []string
		activeMode string
	}{
		{"weights changed", withSets("v1", changed), "v2", []string{"v2", "v1"}, ByTier},
		{"mode changed", withSets("v1", stage), "v2", []string{"v2", "v1"}, ByStage},
		{"unchanged, zero written out", withSets("v1", same), "v1", []string{"v1"}, ByTier},
		{"a new id of its own", withSets("q3", own), "q3", []string{"q3", "v1"}, ByTier},
	} {
		got := Reversion(prev, c.next)
		var vs []string
		for _, w := range got.Sets {
			vs = append(vs, w.Version)
		}
		if got.Active != c.active || !slices.Equal(vs, c.versions) || got.Weights().ModeOrTier() != c.activeMode {
			t.Errorf("%s: active %s, versions %v, mode %s; want %s %v %s", c.name, got.Active, vs, got.Weights().ModeOrTier(), c.active, c.versions, c.activeMode)
		}
		if err := got.Validate([]string{"email", "call", "meeting", "chat"}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// A second change after the first gets the next id again.
	once := Reversion(prev, withSets("v1", changed))
	again := once
	again.Sets = append([]WeightSet{}, once.Sets...)
	again.Sets[0] = stage
	again.Sets[0].Version = "v2"
	if got := Reversion(once, again); got.Active != "v3" || len(got.Sets) != 3 {
		t.Fatalf("second change: active %s, %d sets", got.Active, len(got.Sets))
	}
	if v := NextVersion([]WeightSet{{Version: "v9"}, {Version: "q3"}, {Version: "v10"}, {Version: "vx"}}); v != "v11" {
		t.Fatalf("NextVersion %s", v)
	}
}

func TestWeightSetModeValidate(t *testing.T) {
	kinds := []string{"email"}
	for field, ws := range map[string]WeightSet{
		"weight_sets[0].mode":             {Version: "v1", Mode: "plan", Profiles: DefaultTierProfiles()},
		"weight_sets[0].profiles.mature":  {Version: "v1", Mode: ByStage, Profiles: map[string]map[string]float64{"": {Usage: 1}, "mature": {Usage: 1}}},
		"weight_sets[0].profiles.at_risk": {Version: "v1", Mode: ByStage, Profiles: map[string]map[string]float64{"": {Usage: 1}, "at_risk": {GoalPart: -1}}},
	} {
		s := Defaults()
		s.ContactKinds, s.Sets = kinds, []WeightSet{ws}
		var fe *errs.FieldError
		if err := s.Validate(kinds); !errors.As(err, &fe) || fe.Field != field && fe.Field != field+"."+GoalPart {
			t.Errorf("%s: got %v", field, err)
		}
	}
	s := Defaults()
	s.Sets = []WeightSet{{Version: "v1", Mode: ByStage, Profiles: DefaultStageProfiles()}}
	if err := s.Validate([]string{"email", "call", "meeting", "chat"}); err != nil {
		t.Fatalf("shipped stage profiles: %v", err)
	}
}
