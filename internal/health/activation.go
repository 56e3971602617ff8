package health

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// Onboarding and activation: a short list of key steps an account (and each of its
// people) goes through; the account is activated on the day its last required step
// is done. Steps are evaluated over the account's track events (store/activation.go
// reads them), so the same rules give the account page, the funnel, the health
// component "activate" and the signals not_activated and onboarding_stalled.

// Step is one key step: at least Min track events named Event (whose property
// matches Property, "key=value", when set), within WithinDays of signup when set.
type Step struct {
	Name       string `json:"name"` // what people read; the event when empty
	Event      string `json:"event"`
	Property   string `json:"property,omitempty"`    // "key=value": only events whose properties.key is value count
	Min        int    `json:"min"`                   // the count that completes the step, at least 1
	WithinDays int    `json:"within_days,omitempty"` // 0: any time; else only events at most N days after signup count
	Required   bool   `json:"required"`              // activation needs every required step
	Aha        bool   `json:"aha,omitempty"`         // the funnel's aha step (at most one; else the first required step)
}

// Label is the step's name, or its event when it has none.
func (s Step) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Event
}

// Filter splits Property into its key and value ("" when there is no filter).
func (s Step) Filter() (key, value string) {
	k, v, _ := strings.Cut(s.Property, "=")
	return strings.TrimSpace(k), strings.TrimSpace(v)
}

// ActivationSettings are the key steps, in the order they are shown.
type ActivationSettings struct {
	Steps []Step `json:"steps"`
}

// MaxSteps bounds the list: a handful of steps is the point.
const MaxSteps = 20

// Normalize trims names and fills the count threshold's default of 1.
func (a *ActivationSettings) Normalize() {
	if a.Steps == nil {
		a.Steps = []Step{}
	}
	for i := range a.Steps {
		st := &a.Steps[i]
		st.Name, st.Event, st.Property = strings.TrimSpace(st.Name), strings.TrimSpace(st.Event), strings.TrimSpace(st.Property)
		if st.Min == 0 {
			st.Min = 1
		}
	}
}

// Validate checks the steps: events named, thresholds and windows in range, a
// property filter of the form key=value, at least one required step and at most one
// aha step.
func (a ActivationSettings) Validate() error {
	if len(a.Steps) > MaxSteps {
		return errs.Invalidf("steps", "at most %d steps", MaxSteps)
	}
	required, aha := 0, 0
	for i, st := range a.Steps {
		f := func(name string) string { return fmt.Sprintf("steps[%d].%s", i, name) }
		switch {
		case st.Event == "" || len(st.Event) > 200:
			return errs.Invalid(f("event"), "name the track event, at most 200 characters")
		case len(st.Name) > 200:
			return errs.Invalid(f("name"), "at most 200 characters")
		case st.Min < 1 || st.Min > 1_000_000:
			return errs.Invalid(f("min"), "must be from 1 to 1,000,000")
		case st.WithinDays < 0 || st.WithinDays > 730:
			return errs.Invalid(f("within_days"), "must be from 0 (any time) to 730")
		}
		if st.Property != "" {
			if k, _ := st.Filter(); k == "" || !strings.Contains(st.Property, "=") || len(st.Property) > 200 {
				return errs.Invalid(f("property"), "must be key=value, e.g. plan=pro")
			}
		}
		if st.Required {
			required++
		}
		if st.Aha {
			aha++
		}
	}
	if len(a.Steps) > 0 && required == 0 {
		return errs.Invalid("steps", "mark at least one step required: activation is the day every required step is done")
	}
	if aha > 1 {
		return errs.Invalid("steps", "at most one aha step")
	}
	return nil
}

// AhaStep is the index of the aha step: the one flagged, else the first required step
// (-1 when there are no steps).
func (a ActivationSettings) AhaStep() int {
	first := -1
	for i, st := range a.Steps {
		if st.Aha {
			return i
		}
		if st.Required && first < 0 {
			first = i
		}
	}
	return first
}

// Events are the distinct event names the steps read.
func (a ActivationSettings) Events() []string {
	seen := map[string]bool{}
	var out []string
	for _, st := range a.Steps {
		if !seen[st.Event] {
			seen[st.Event] = true
			out = append(out, st.Event)
		}
	}
	sort.Strings(out)
	return out
}

// Occurrence is one track event as the steps see it.
type Occurrence struct {
	Event string
	Day   string         // YYYY-MM-DD, UTC
	Props map[string]any // the event's properties
}

// StepProgress is where one step stands.
type StepProgress struct {
	Step   int    `json:"step"` // index in the settings
	Name   string `json:"name"`
	Count  int    `json:"count"`   // counting events so far (within the window)
	DoneOn string `json:"done_on"` // the day the count reached Min; "" until then
}

// Progress is an account's (or a person's) onboarding.
type Progress struct {
	Steps       []StepProgress `json:"steps"`
	Done        int            `json:"steps_done"`
	Total       int            `json:"steps_total"`
	StartedOn   string         `json:"started_on"`   // the first step done
	AhaOn       string         `json:"aha_on"`       // the aha step done
	LastStepOn  string         `json:"last_step_on"` // the latest step done
	ActivatedOn string         `json:"activated_on"` // every required step done: the latest of them
}

// Activated reports whether every required step is done.
func (p Progress) Activated() bool { return p.ActivatedOn != "" }

// EvaluateSteps works out the progress from occurrences in any order; signup is the
// signup day (YYYY-MM-DD), which the within-N-days windows count from.
func EvaluateSteps(set ActivationSettings, signup string, occ []Occurrence) Progress {
	sorted := append([]Occurrence(nil), occ...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Day < sorted[j].Day })
	start, signupErr := time.Parse(time.DateOnly, signup)
	p := Progress{Total: len(set.Steps), Steps: make([]StepProgress, len(set.Steps))}
	for i, st := range set.Steps {
		sp := StepProgress{Step: i, Name: st.Label()}
		key, value := st.Filter()
		last := ""
		if st.WithinDays > 0 && signupErr == nil {
			last = start.AddDate(0, 0, st.WithinDays).Format(time.DateOnly)
		}
		for _, o := range sorted {
			if o.Event != st.Event || (last != "" && o.Day > last) || (key != "" && PropString(o.Props[key]) != value) {
				continue
			}
			sp.Count++
			if sp.DoneOn == "" && sp.Count >= max(st.Min, 1) {
				sp.DoneOn = o.Day
			}
		}
		p.Steps[i] = sp
	}
	activated, allRequired := "", true
	for i, sp := range p.Steps {
		if sp.DoneOn == "" {
			if set.Steps[i].Required {
				allRequired = false
			}
			continue
		}
		p.Done++
		if p.StartedOn == "" || sp.DoneOn < p.StartedOn {
			p.StartedOn = sp.DoneOn
		}
		p.LastStepOn = max(p.LastStepOn, sp.DoneOn)
		if set.Steps[i].Required {
			activated = max(activated, sp.DoneOn)
		}
	}
	if allRequired && activated != "" {
		p.ActivatedOn = activated
	}
	if a := set.AhaStep(); a >= 0 {
		p.AhaOn = p.Steps[a].DoneOn
	}
	return p
}

// PropString is a property value as the filter compares it: strings as they are,
// numbers in their shortest form, booleans as true/false.
func PropString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		return fmt.Sprint(x)
	}
}

// DaysBetween is the whole days from day a to day b (YYYY-MM-DD), or false when
// either does not parse.
func DaysBetween(a, b string) (int, bool) {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(tb.Sub(ta) / (24 * time.Hour)), true
}

// TimeToValue is the days from signup to activation (never negative: steps done
// before the recorded signup count as day 0); false until activated.
func TimeToValue(signup, activatedOn string) (int, bool) {
	if activatedOn == "" {
		return 0, false
	}
	d, ok := DaysBetween(signup, activatedOn)
	return max(d, 0), ok
}
