package health

import (
	"errors"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestUsageScore(t *testing.T) {
	for _, c := range []struct {
		last, prior, want int
		change            float64
	}{
		{0, 0, 0, 0},        // no usage at all
		{10, 0, 100, 1},     // usage appeared
		{100, 100, 100, 0},  // steady
		{150, 100, 100, .5}, // growth is capped at 100
		{62, 100, 24, -.38}, // 100 + 200×(−0.38) = 24
		{90, 100, 80, -.1},  // 100 − 20
		{50, 100, 0, -.5},   // half gone is 0
		{0, 100, 0, -1},
	} {
		got, ch := UsageScore(c.last, c.prior)
		if got != c.want || ch != c.change {
			t.Errorf("UsageScore(%d, %d) = %d, %v; want %d, %v", c.last, c.prior, got, ch, c.want, c.change)
		}
	}
}

func TestSeatsScore(t *testing.T) {
	for _, c := range []struct{ active, seats, want int }{
		{8, 10, 100}, {10, 10, 100}, {12, 10, 100}, // 80% or more
		{4, 10, 50}, // 0.4 / 0.8
		{1, 10, 13}, // 12.5 rounds to 13 (half away from zero)
		{0, 10, 0},
	} {
		if got, _ := SeatsScore(c.active, c.seats); got != c.want {
			t.Errorf("SeatsScore(%d, %d) = %d, want %d", c.active, c.seats, got, c.want)
		}
	}
}

func TestContactScore(t *testing.T) {
	for _, c := range []struct{ days, cadence, want int }{
		{0, 7, 100}, {7, 7, 100}, // within the cadence
		{14, 7, 50},  // 100 × (21−14)/14
		{19, 7, 14},  // 100 × 2/14 = 14.3
		{21, 7, 0},   // three cadences
		{60, 30, 50}, // monthly cadence, two months
		{-1, 7, 0},   // never
	} {
		if got := ContactScore(c.days, c.cadence); got != c.want {
			t.Errorf("ContactScore(%d, %d) = %d, want %d", c.days, c.cadence, got, c.want)
		}
	}
}

func TestSmallComponents(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"nps 0", NPSScore(0), 0}, {"nps 7", NPSScore(7), 70}, {"nps 10", NPSScore(10), 100},
		{"bugs 0", SupportScore(0), 100}, {"bugs 1", SupportScore(1), 75}, {"bugs 3", SupportScore(3), 25}, {"bugs 9", SupportScore(9), 0},
		{"paid", PaymentScore("ok"), 100}, {"failed", PaymentScore("failed"), 0},
		{"pulse 1", PulseScore(1), 0}, {"pulse 3", PulseScore(3), 50}, {"pulse 5", PulseScore(5), 100},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestBands(t *testing.T) {
	for score, want := range map[int]string{0: Red, 39: Red, 40: Yellow, 69: Yellow, 70: Green, 100: Green} {
		if got := BandOf(score); got != want {
			t.Errorf("BandOf(%d) = %s, want %s", score, got, want)
		}
	}
}

// Hand-worked: weights usage 25, seats 15, activate 10, contact 15, nps 10, support
// 10, payment 10, pulse 5 (100 in all). Seats, activation, NPS and pulse are missing
// (40 of weight), so the other four share everything in proportion, out of 60:
// usage 25/60, contact 15/60, support 10/60, payment 10/60.
func TestComputeRedistributesMissing(t *testing.T) {
	w := Defaults().Weights().For("standard", "active")
	in := Inputs{EventsLast30: 62, EventsPrior30: 100, DaysSinceContact: 19, CadenceDays: 7, OpenBugs30: 1, Payment: "ok"}
	r := Compute(in, w, "v1")
	// usage 24, contact 14, support 75, payment 100:
	// (24×25 + 14×15 + 75×10 + 100×10) / 60 = (600 + 210 + 750 + 1000) / 60 = 42.67 → 43
	if r.Score != 43 || r.Band != Yellow || r.Weights != "v1" {
		t.Fatalf("score %d band %s version %s, want 43 yellow v1", r.Score, r.Band, r.Weights)
	}
	want := map[string]struct {
		missing bool
		score   int
		weight  float64
		contrib float64
	}{
		Usage:    {false, 24, 0.4167, 10},
		Seats:    {true, 0, 0, 0},
		Activate: {true, 0, 0, 0},
		Contact:  {false, 14, 0.25, 3.5},
		NPS:      {true, 0, 0, 0},
		Support:  {false, 75, 0.1667, 12.5},
		Payment:  {false, 100, 0.1667, 16.67},
		Pulse:    {true, 0, 0, 0},
		GoalPart: {true, 0, 0, 0},
	}
	if len(r.Parts) != len(Components) {
		t.Fatalf("%d parts", len(r.Parts))
	}
	for _, p := range r.Parts {
		w := want[p.Name]
		if p.Missing != w.missing || p.Score != w.score || p.Weight != w.weight || p.Contribution != w.contrib {
			t.Errorf("%s: %+v, want %+v", p.Name, p, w)
		}
	}
	// Every input present: the raw weights apply as they are.
	yes, nps := true, 9
	full := Compute(Inputs{EventsLast30: 100, EventsPrior30: 100, ActiveUsers30: 4, Seats: 10, Activated: &yes, DaysSinceContact: 2,
		CadenceDays: 7, NPS: &nps, Payment: "failed", Pulse: 3}, w, "v1")
	// 100×25 + 50×15 + 100×10 + 100×15 + 90×10 + 100×10 + 0×10 + 50×5 = 7900 / 100 = 79
	if full.Score != 79 || full.Band != Green {
		t.Fatalf("full: %d %s, want 79 green", full.Score, full.Band)
	}
}

func TestComputeAllMissingWeightsZero(t *testing.T) {
	r := Compute(Inputs{EventsLast30: 5, EventsPrior30: 5}, map[string]float64{Seats: 10}, "x")
	if r.Score != 0 || r.Band != Red {
		t.Fatalf("nothing weighted: %d %s", r.Score, r.Band)
	}
}

func TestExplain(t *testing.T) {
	w := map[string]float64{Usage: 50, Contact: 50}
	then := Compute(Inputs{EventsLast30: 100, EventsPrior30: 100, DaysSinceContact: 5, CadenceDays: 7}, w, "v1")
	now := Compute(Inputs{EventsLast30: 80, EventsPrior30: 100, DaysSinceContact: 14, CadenceDays: 7}, w, "v1")
	// then: 100, 100 → 100. now: usage 60 (−20 points ×0.5 = −20), contact 50 (−25).
	// Support (always present, weight 0 here) moves nothing.
	if now.Score != 55 {
		t.Fatalf("now %d", now.Score)
	}
	got := Explain(then, now, "since last week")
	want := "−45 since last week: no contact in 14 days, cadence is 7 (−25), usage down 20% (−20)"
	if got != want {
		t.Fatalf("Explain:\n got %q\nwant %q", got, want)
	}
	if got := Explain(now, now, "since last week"); got != "no change since last week" {
		t.Fatalf("no change: %q", got)
	}
	if got := Explain(now, then, "in 30 days"); got != "+45 in 30 days: no contact in 5 days, cadence is 7 (+25), usage steady (+20)" {
		t.Fatalf("up: %q", got)
	}
}

func TestCadence(t *testing.T) {
	s := Defaults()
	for tier, want := range map[string]int{"strategic": 3, "important": 7, "standard": 30, "gold": 30} {
		if got := s.CadenceFor(tier); got != want {
			t.Errorf("CadenceFor(%s) = %d, want %d", tier, got, want)
		}
	}
	s.Cadence["standard"] = 14
	if s.CadenceFor("standard") != 14 {
		t.Fatal("setting not used")
	}
}

// History retention: unset is the default 400 days; 91 (the chart's 90 days and
// today) and 3660 are the bounds.
func TestHistoryRetention(t *testing.T) {
	kinds := []string{"email", "call", "meeting", "chat"}
	for days, want := range map[int]int{0: 400, 91: 91, 3660: 3660, 400: 400} {
		s := Defaults()
		s.HistoryDays = days
		if got := s.HistoryRetention(); got != want || s.Validate(kinds) != nil {
			t.Errorf("%d days: keeps %d (want %d), validate %v", days, got, want, s.Validate(kinds))
		}
	}
	for _, days := range []int{90, 3661, -1} {
		s := Defaults()
		s.HistoryDays = days
		if s.Validate(kinds) == nil {
			t.Errorf("%d days accepted", days)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	kinds := []string{"email", "call", "meeting", "chat", "note"}
	if err := Defaults().Validate(kinds); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(*Settings){
		"active":                         func(s *Settings) { s.Active = "v9" },
		"cadence_days.standard":          func(s *Settings) { s.Cadence["standard"] = 0 },
		"default_cadence_days":           func(s *Settings) { s.DefaultCadence = 400 },
		"contact_kinds":                  func(s *Settings) { s.ContactKinds = []string{"fax"} },
		"weight_sets[0].profiles.":       func(s *Settings) { s.Sets[0].Profiles[""]["mood"] = 1 },
		"weight_sets[0].profiles..usage": func(s *Settings) { s.Sets[0].Profiles[""][Usage] = -1 },
		"weight_sets[1].version":         func(s *Settings) { s.Sets = append(s.Sets, s.Sets[0]) },
		"history_retention_days":         func(s *Settings) { s.HistoryDays = 90 },
	} {
		s := Defaults()
		mutate(&s)
		var fe *errs.FieldError
		if err := s.Validate(kinds); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

// The activation component: activated is 100, not activated 0, unknown missing.
// Weighted 50 against steady usage (100) at 50: activated (100×50 + 100×50)/100 =
// 100, not activated (100×50 + 0×50)/100 = 50, unknown: usage takes all the weight,
// 100.
func TestActivationComponent(t *testing.T) {
	w := map[string]float64{Usage: 50, Activate: 50}
	yes, no := true, false
	for _, c := range []struct {
		name      string
		activated *bool
		score     int
		part      Part
	}{
		{"activated", &yes, 100, Part{Name: Activate, Value: 1, Score: 100, Weight: 0.5, Contribution: 50, Detail: "activated"}},
		{"not activated", &no, 50, Part{Name: Activate, Score: 0, Weight: 0.5, Contribution: 0, Detail: "not activated"}},
		{"unknown", nil, 100, Part{Name: Activate, Missing: true}},
	} {
		r := Compute(Inputs{EventsLast30: 100, EventsPrior30: 100, Activated: c.activated}, w, "x")
		if r.Score != c.score || r.Parts[2] != c.part {
			t.Errorf("%s: score %d, part %+v; want %d, %+v", c.name, r.Score, r.Parts[2], c.score, c.part)
		}
	}
}

// The NPS component reads the NPS when there is one, else the mean sentiment of the
// account's feedback (−1 to 1 → 0 to 100, neutral 50). Weighted 50 against steady
// usage (100) at 50: NPS 7 → 70 → (5000 + 3500)/100 = 85 whatever the sentiment;
// sentiment +0.40 → 70 → 85; −1 → 0 → 50; 0 → 50 → 75; neither: missing, 100.
func TestNPSOrSentiment(t *testing.T) {
	w := map[string]float64{Usage: 50, NPS: 50}
	f := func(v float64) *float64 { return &v }
	seven := 7
	for _, c := range []struct {
		name      string
		nps       *int
		sentiment *float64
		items     int
		score     int
		part      Part
	}{
		{"NPS wins", &seven, f(-0.8), 4, 85, Part{Name: NPS, Value: 7, Score: 70, Weight: 0.5, Contribution: 35, Detail: "NPS 7"}},
		{"sentiment +0.40", nil, f(0.4), 3, 85, Part{Name: NPS, Value: 0.4, Score: 70, Weight: 0.5, Contribution: 35, Detail: "feedback sentiment +0.40 (3 items in 90 days)"}},
		{"sentiment −1", nil, f(-1), 1, 50, Part{Name: NPS, Value: -1, Score: 0, Weight: 0.5, Contribution: 0, Detail: "feedback sentiment -1.00 (1 item in 90 days)"}},
		{"neutral", nil, f(0), 2, 75, Part{Name: NPS, Value: 0, Score: 50, Weight: 0.5, Contribution: 25, Detail: "feedback sentiment +0.00 (2 items in 90 days)"}},
		{"neither", nil, nil, 0, 100, Part{Name: NPS, Missing: true}},
	} {
		r := Compute(Inputs{EventsLast30: 100, EventsPrior30: 100, NPS: c.nps, Sentiment: c.sentiment, SentimentItems: c.items}, w, "x")
		if r.Score != c.score || r.Parts[4] != c.part {
			t.Errorf("%s: score %d, part %+v; want %d, %+v", c.name, r.Score, r.Parts[4], c.score, c.part)
		}
	}
	// Sentiment is no NPS: it does not make a detractor.
	if fired := Signals(Inputs{Sentiment: f(-1), SentimentItems: 5}, Result{Band: Green}, Facts{}, DefaultRules()); len(fired) != 0 {
		t.Fatalf("fired %+v", fired)
	}
}
