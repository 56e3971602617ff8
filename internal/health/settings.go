package health

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
)

// Weight-set modes: which of an account's fields picks its profile.
const (
	ByTier  = "tier"  // the account's tier (the default; "" reads as this)
	ByStage = "stage" // the account's lifecycle stage (account.Stages)
)

// WeightSet is one version of the weights: per profile (a tier, or a lifecycle stage
// when Mode is ByStage), each component's raw weight. Profile "" is the default for
// an account whose tier or stage has none of its own. A set is never edited in place
// once scores were computed with it: a change is a new version (Reversion), so each
// history row names the weights it was scored with and a later backtest can compare
// the versions on the same history.
type WeightSet struct {
	Version  string                        `json:"version"`
	Mode     string                        `json:"mode,omitempty"` // ByTier ("") or ByStage
	Profiles map[string]map[string]float64 `json:"profiles"`
}

// ModeOrTier is the set's mode, ByTier when unset.
func (w WeightSet) ModeOrTier() string {
	if w.Mode == ByStage {
		return ByStage
	}
	return ByTier
}

// Profile is the name of the profile that scores an account of tier and stage: the
// tier's (or, by stage, the stage's) own when the set has one, else "" (the default).
func (w WeightSet) Profile(tier, stage string) string {
	key := tier
	if w.ModeOrTier() == ByStage {
		key = stage
	}
	if _, ok := w.Profiles[key]; ok {
		return key
	}
	return ""
}

// For returns the weights that score an account of tier and stage.
func (w WeightSet) For(tier, stage string) map[string]float64 {
	return w.Profiles[w.Profile(tier, stage)]
}

// SameWeights says whether a and b score every account alike: the same mode and the
// same profiles, a weight of 0 counting as absent (Combine treats both alike).
func SameWeights(a, b WeightSet) bool {
	if a.ModeOrTier() != b.ModeOrTier() || len(a.Profiles) != len(b.Profiles) {
		return false
	}
	for name, pa := range a.Profiles {
		pb, ok := b.Profiles[name]
		if !ok {
			return false
		}
		for _, c := range Components {
			if pa[c] != pb[c] {
				return false
			}
		}
	}
	return true
}

// NextVersion is a version id no set in sets has: "v" and one more than the highest
// number among the "vN" ids.
func NextVersion(sets []WeightSet) string {
	n := 0
	for _, w := range sets {
		if k, err := strconv.Atoi(strings.TrimPrefix(w.Version, "v")); err == nil && strings.HasPrefix(w.Version, "v") && k > n {
			n = k
		}
	}
	return "v" + strconv.Itoa(n+1)
}

// Reversion keeps the versions honest when next replaces the stored prev: a set that
// keeps a stored version's id with other weights or another mode gets a new id (and
// stays active if it was), and a stored set left out is kept, since history rows
// still name it.
func Reversion(prev, next Settings) Settings {
	stored := map[string]WeightSet{}
	for _, w := range prev.Sets {
		stored[w.Version] = w
	}
	out := next
	out.Sets = nil
	all := append(append([]WeightSet{}, prev.Sets...), next.Sets...)
	seen := map[string]bool{}
	for _, w := range next.Sets {
		if old, ok := stored[w.Version]; ok && !SameWeights(old, w) {
			v := NextVersion(all)
			if out.Active == w.Version {
				out.Active = v
			}
			w.Version = v
			all = append(all, w)
		}
		seen[w.Version] = true
		out.Sets = append(out.Sets, w)
	}
	for _, w := range prev.Sets {
		if !seen[w.Version] {
			out.Sets = append(out.Sets, w)
			seen[w.Version] = true
		}
	}
	return out
}

// DefaultTierProfiles are the shipped weights by tier: usage and contact weigh most,
// and for strategic accounts the owner's own judgment and the contact weigh more. The
// goal weighs 0, so it changes no score until an admin gives it weight.
func DefaultTierProfiles() map[string]map[string]float64 {
	return map[string]map[string]float64{
		"":          {Usage: 25, Seats: 15, Activate: 10, Contact: 15, NPS: 10, Support: 10, Payment: 10, Pulse: 5, GoalPart: 0},
		"strategic": {Usage: 20, Seats: 10, Activate: 5, Contact: 20, NPS: 10, Support: 10, Payment: 10, Pulse: 15, GoalPart: 0},
	}
}

// DefaultStageProfiles are the shipped weights by lifecycle stage (100 each):
//   - trial: is it being used and did it reach activation (usage 35, activation 35,
//     seats, contact and support 10 each); there is no invoice or NPS yet;
//   - onboarding: activation and usage (30 each), seats, contact and support 10,
//     payment and pulse 5;
//   - active (mature, renewing): the relationship and the money — contact 20, NPS 15,
//     payment 15, usage 20, seats, support and pulse 10, activation 0 (long done);
//   - at_risk: as active with contact 25 and payment 10;
//   - churned and any other stage: the default profile, the tier default's weights.
//
// The goal weighs 0 in every profile, as in the tier profiles.
func DefaultStageProfiles() map[string]map[string]float64 {
	return map[string]map[string]float64{
		"":           DefaultTierProfiles()[""],
		"trial":      {Usage: 35, Seats: 10, Activate: 35, Contact: 10, NPS: 0, Support: 10, Payment: 0, Pulse: 0, GoalPart: 0},
		"onboarding": {Usage: 30, Seats: 10, Activate: 30, Contact: 10, NPS: 0, Support: 10, Payment: 5, Pulse: 5, GoalPart: 0},
		"active":     {Usage: 20, Seats: 10, Activate: 0, Contact: 20, NPS: 15, Support: 10, Payment: 15, Pulse: 10, GoalPart: 0},
		"at_risk":    {Usage: 20, Seats: 10, Activate: 0, Contact: 25, NPS: 15, Support: 10, Payment: 10, Pulse: 10, GoalPart: 0},
	}
}

// DefaultProfiles are the shipped profiles of mode.
func DefaultProfiles(mode string) map[string]map[string]float64 {
	if mode == ByStage {
		return DefaultStageProfiles()
	}
	return DefaultTierProfiles()
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
// strategic ones twice a week; weights by tier (DefaultTierProfiles).
func Defaults() Settings {
	return Settings{
		Active:         "v1",
		Sets:           []WeightSet{{Version: "v1", Mode: ByTier, Profiles: DefaultTierProfiles()}},
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
		stages := map[string]bool{"": true}
		switch w.Mode {
		case "", ByTier:
		case ByStage:
			for _, st := range account.Stages {
				stages[string(st)] = true
			}
		default:
			return errs.Invalidf(fmt.Sprintf("weight_sets[%d].mode", i), "must be %q or %q", ByTier, ByStage)
		}
		if _, ok := w.Profiles[""]; !ok {
			return errs.Invalidf(fmt.Sprintf("weight_sets[%d].profiles", i), "needs a default profile \"\"")
		}
		for _, prof := range sortedKeys(w.Profiles) {
			ws := w.Profiles[prof]
			if w.Mode == ByStage && !stages[prof] {
				return errs.Invalidf(fmt.Sprintf("weight_sets[%d].profiles.%s", i, prof), "is not a lifecycle stage (trial, onboarding, active, at_risk, churned)")
			}
			for _, c := range sortedKeys(ws) {
				v := ws[c]
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
