package health

import (
	"fmt"
	"sort"

	"github.com/closeloop/closeloop/internal/errs"
)

// WeightSet is one version of the weights: per profile (a tier), each component's
// raw weight. Profile "" is the default for a tier without its own. A set is never
// edited in place once scores were computed with it: a change is a new version, so a
// later backtest can compare the versions on the same history.
type WeightSet struct {
	Version  string                        `json:"version"`
	Profiles map[string]map[string]float64 `json:"profiles"`
}

// For returns the weights of tier's profile, or the default profile's.
func (w WeightSet) For(tier string) map[string]float64 {
	if p, ok := w.Profiles[tier]; ok {
		return p
	}
	return w.Profiles[""]
}

// Settings are the health and cadence policy an admin edits.
type Settings struct {
	Active string      `json:"active"` // the version in use
	Sets   []WeightSet `json:"weight_sets"`
	// Cadence is per tier how many days may pass between contacts; a tier without an
	// entry gets DefaultCadence.
	Cadence        map[string]int `json:"cadence_days"`
	DefaultCadence int            `json:"default_cadence_days"`
	// ContactKinds are the touchpoint kinds that count as contact (internal notes
	// never do, whatever their kind).
	ContactKinds []string `json:"contact_kinds"`
	// Rules are the signal rules by name (signals.go); a rule left out is off.
	Rules map[string]Rule `json:"signal_rules"`
	// HistoryDays is how many days of health history are kept (the health-prune job
	// removes older days); 0 is DefaultHistoryDays.
	HistoryDays int `json:"history_retention_days"`
}

// DefaultHistoryDays keeps a year of daily history and a month more, so a year-on-year
// comparison of the same date still finds its day; MinHistoryDays keeps the account
// page's 90-day chart whole.
const (
	DefaultHistoryDays = 400
	MinHistoryDays     = 91
	MaxHistoryDays     = 3660
)

// HistoryRetention is how many days of history to keep.
func (s Settings) HistoryRetention() int {
	if s.HistoryDays == 0 {
		return DefaultHistoryDays
	}
	return s.HistoryDays
}

// Defaults: every account is talked to at least monthly, important ones weekly and
// strategic ones twice a week; usage and contact weigh most, and for strategic
// accounts the owner's own judgment and the contact weigh more.
func Defaults() Settings {
	base := map[string]float64{Usage: 25, Seats: 15, Activate: 10, Contact: 15, NPS: 10, Support: 10, Payment: 10, Pulse: 5}
	strategic := map[string]float64{Usage: 20, Seats: 10, Activate: 5, Contact: 20, NPS: 10, Support: 10, Payment: 10, Pulse: 15}
	return Settings{
		Active:         "v1",
		Sets:           []WeightSet{{Version: "v1", Profiles: map[string]map[string]float64{"": base, "strategic": strategic}}},
		Cadence:        map[string]int{"strategic": 3, "important": 7, "standard": 30},
		DefaultCadence: 30,
		ContactKinds:   []string{"email", "call", "meeting", "chat"},
		Rules:          DefaultRules(),
		HistoryDays:    DefaultHistoryDays,
	}
}

// Weights returns the active weight set.
func (s Settings) Weights() WeightSet {
	for _, w := range s.Sets {
		if w.Version == s.Active {
			return w
		}
	}
	return WeightSet{Version: s.Active}
}

// CadenceFor is tier's cadence in days.
func (s Settings) CadenceFor(tier string) int {
	if d, ok := s.Cadence[tier]; ok && d > 0 {
		return d
	}
	return s.DefaultCadence
}

// Validate checks the settings; kinds are the known touchpoint kinds.
func (s Settings) Validate(kinds []string) error {
	known := map[string]bool{}
	for _, k := range kinds {
		known[k] = true
	}
	comps := map[string]bool{}
	for _, c := range Components {
		comps[c] = true
	}
	versions := map[string]bool{}
	for i, w := range s.Sets {
		if w.Version == "" || versions[w.Version] {
			return errs.Invalidf(fmt.Sprintf("weight_sets[%d].version", i), "must be set and unique")
		}
		versions[w.Version] = true
		if _, ok := w.Profiles[""]; !ok {
			return errs.Invalidf(fmt.Sprintf("weight_sets[%d].profiles", i), "needs a default profile \"\"")
		}
		for prof, ws := range w.Profiles {
			for c, v := range ws {
				if !comps[c] {
					return errs.Invalidf(fmt.Sprintf("weight_sets[%d].profiles.%s", i, prof), "unknown component %q", c)
				}
				if v < 0 || v > 1000 {
					return errs.Invalidf(fmt.Sprintf("weight_sets[%d].profiles.%s.%s", i, prof, c), "must be from 0 to 1000")
				}
			}
		}
	}
	if !versions[s.Active] {
		return errs.Invalidf("active", "names no weight set")
	}
	for _, t := range sortedKeys(s.Cadence) {
		if d := s.Cadence[t]; d < 1 || d > 366 {
			return errs.Invalidf("cadence_days."+t, "must be from 1 to 366 days")
		}
	}
	if s.DefaultCadence < 1 || s.DefaultCadence > 366 {
		return errs.Invalidf("default_cadence_days", "must be from 1 to 366 days")
	}
	if d := s.HistoryDays; d != 0 && (d < MinHistoryDays || d > MaxHistoryDays) {
		return errs.Invalidf("history_retention_days", "must be from %d to %d days (0: %d)", MinHistoryDays, MaxHistoryDays, DefaultHistoryDays)
	}
	for _, k := range s.ContactKinds {
		if !known[k] {
			return errs.Invalidf("contact_kinds", "unknown touchpoint kind %q", k)
		}
	}
	return ValidateRules(s.Rules)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
