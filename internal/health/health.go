// Package health scores an account's health from a few components, each 0–100 by a
// rule written down here, combined with the weights of a profile chosen by the
// account's tier or, in a weight set by lifecycle stage, by its stage (settings.go).
// A component whose input is missing is left out and its weight is shared among the
// others in proportion to theirs, so a missing input neither helps nor hurts. The
// package is pure: the store gathers the inputs and keeps the daily history.
package health

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Component names, in the order they are shown.
const (
	Usage    = "usage"    // usage trend: events in the last 30 days against the 30 before
	Seats    = "seats"    // active users in the last 30 days against the seats bought
	Activate = "activate" // activation: the account reached its activation point
	Contact  = "contact"  // days since the last contact against the tier's cadence
	NPS      = "nps"      // NPS (0–10), or the sentiment of the account's feedback without one
	Support  = "support"  // open bug reports from the last 30 days
	Payment  = "payment"  // the latest invoice: paid or failed
	Pulse    = "pulse"    // the owner's own 1–5 judgment
	GoalPart = "goal"     // the customer's goal (goal.go): achieved or missed
)

// Components lists every component in display order.
var Components = []string{Usage, Seats, Activate, Contact, NPS, Support, Payment, Pulse, GoalPart}

// Inputs are the facts one day's score is computed from. Pointers and zero values
// that mean "missing" are documented per field.
type Inputs struct {
	EventsLast30, EventsPrior30 int // track, page and screen calls
	ActiveUsers30               int // distinct users in the last 30 days
	Seats                       int // 0: unknown, the seats component is missing
	Activated                   *bool
	DaysSinceContact            int // -1: never in touch
	CadenceDays                 int // the tier's cadence; 0: no policy, the contact component is missing
	NPS                         *int
	// Sentiment is the mean sentiment (−1 to 1, the feedback's VADER compound score)
	// of the account's feedback in the last 90 days, SentimentItems how many items
	// that is; nil when none is labelled. The NPS component reads it without an NPS.
	Sentiment      *float64
	SentimentItems int
	OpenBugs30     int
	Payment        string // "ok", "failed", or "" (missing)
	Pulse          int    // 1–5; 0: missing
	Goal           string // GoalAchieved, GoalMissed; "" or GoalPending: missing
}

// Part is one component's result.
type Part struct {
	Name         string  `json:"component"`
	Missing      bool    `json:"missing"`
	Value        float64 `json:"value"`        // the input the score is from (ratio, days, count, …)
	Score        int     `json:"score"`        // 0–100
	Weight       float64 `json:"weight"`       // the effective weight after redistribution, 0–1
	Contribution float64 `json:"contribution"` // Score × Weight: points of the total
	Detail       string  `json:"detail"`       // how a person reads the value
}

// Result is a day's score.
type Result struct {
	Score   int    `json:"score"`
	Band    string `json:"band"`
	Weights string `json:"weights_version"`
	// Profile names the profile of the weight set that scored it: "tier:strategic",
	// "stage:onboarding", or "tier:default" / "stage:default" for the default one.
	Profile string `json:"profile"`
	Parts   []Part `json:"components"`
}

// Bands.
const (
	Red    = "red"
	Yellow = "yellow"
	Green  = "green"
)

// BandOf is green from 70, yellow from 40, red below.
func BandOf(score int) string {
	switch {
	case score >= 70:
		return Green
	case score >= 40:
		return Yellow
	}
	return Red
}

func clamp(v float64) int {
	return int(math.Round(math.Max(0, math.Min(100, v))))
}

// UsageScore: the change from the prior 30 days to the last 30. Steady or growing
// usage is 100; each point of decline costs two, so a drop of half or more is 0. No
// usage in either window is 0; usage appearing from none is 100. The value is the
// change as a fraction (−0.38 for a drop of 38%).
func UsageScore(last, prior int) (score int, change float64) {
	switch {
	case prior == 0 && last == 0:
		return 0, 0
	case prior == 0:
		return 100, 1
	}
	change = float64(last-prior) / float64(prior)
	return clamp(100 + 200*change), change
}

// SeatsScore: the share of seats active in the last 30 days; 80% or more is 100,
// linear below. The value is the share.
func SeatsScore(active, seats int) (score int, share float64) {
	share = float64(active) / float64(seats)
	return clamp(share / 0.8 * 100), share
}

// ContactScore: in touch within the cadence is 100; then linear down to 0 at three
// cadences. Never in touch is 0.
func ContactScore(days, cadence int) int {
	if days < 0 {
		return 0
	}
	if days <= cadence {
		return 100
	}
	return clamp(100 * float64(3*cadence-days) / float64(2*cadence))
}

// NPSScore: 0–10 scaled to 0–100.
func NPSScore(nps int) int { return clamp(float64(nps) * 10) }

// SentimentScore: the mean sentiment −1 to 1 scaled to 0–100, neutral (0) 50. It
// stands in for NPS on an account never surveyed, so what the customer writes still
// counts.
func SentimentScore(mean float64) int { return clamp(50 + 50*mean) }

// SupportScore: each open bug from the last 30 days costs 25; four or more is 0.
func SupportScore(bugs int) int { return clamp(100 - 25*float64(bugs)) }

// PaymentScore: paid is 100, failed is 0.
func PaymentScore(state string) int {
	if state == "ok" {
		return 100
	}
	return 0
}

// PulseScore: 1 is 0, 5 is 100, 25 a step.
func PulseScore(p int) int { return clamp(float64(p-1) * 25) }

// GoalScore: the customer's goal achieved is 100, missed (its check day passed
// without it) is 0; while it is pending, or when the account has no goal, the
// component is missing.
func GoalScore(state string) (score int, known bool) {
	switch state {
	case GoalAchieved:
		return 100, true
	case GoalMissed:
		return 0, true
	}
	return 0, false
}

// Score scores in with ws, using the profile for the account's tier and stage (see
// WeightSet.Profile), and names the profile on the result.
func Score(in Inputs, ws WeightSet, tier, stage string) Result {
	prof := ws.Profile(tier, stage)
	r := Compute(in, ws.Profiles[prof], ws.Version)
	r.Profile = ws.ModeOrTier() + ":" + cmp.Or(prof, "default")
	return r
}

// Compute scores in with the weights (raw, any scale; a component with weight 0 or
// absent does not count). The weights of missing components are redistributed.
func Compute(in Inputs, weights map[string]float64, version string) Result {
	parts := make([]Part, 0, len(Components))
	for _, name := range Components {
		p := Part{Name: name}
		switch name {
		case Usage:
			p.Score, p.Value = UsageScore(in.EventsLast30, in.EventsPrior30)
			p.Detail = usageDetail(in.EventsLast30, in.EventsPrior30, p.Value)
		case Seats:
			if in.Seats <= 0 {
				p.Missing = true
				break
			}
			p.Score, p.Value = SeatsScore(in.ActiveUsers30, in.Seats)
			p.Detail = fmt.Sprintf("%d of %d seats active", in.ActiveUsers30, in.Seats)
		case Activate:
			if in.Activated == nil {
				p.Missing = true
				break
			}
			p.Detail = "not activated"
			if *in.Activated {
				p.Score, p.Value, p.Detail = 100, 1, "activated"
			}
		case Contact:
			if in.CadenceDays <= 0 {
				p.Missing = true
				break
			}
			p.Score, p.Value = ContactScore(in.DaysSinceContact, in.CadenceDays), float64(in.DaysSinceContact)
			p.Detail = contactDetail(in.DaysSinceContact, in.CadenceDays)
		case NPS:
			switch {
			case in.NPS != nil:
				p.Score, p.Value = NPSScore(*in.NPS), float64(*in.NPS)
				p.Detail = fmt.Sprintf("NPS %d", *in.NPS)
			case in.Sentiment != nil:
				p.Score, p.Value = SentimentScore(*in.Sentiment), *in.Sentiment
				p.Detail = fmt.Sprintf("feedback sentiment %+.2f (%s in 90 days)", *in.Sentiment, plural(in.SentimentItems, "item", "items"))
			default:
				p.Missing = true
			}
		case Support:
			p.Score, p.Value = SupportScore(in.OpenBugs30), float64(in.OpenBugs30)
			p.Detail = plural(in.OpenBugs30, "open bug", "open bugs") + " in 30 days"
		case Payment:
			if in.Payment == "" {
				p.Missing = true
				break
			}
			p.Score = PaymentScore(in.Payment)
			p.Value, p.Detail = float64(p.Score/100), "last invoice paid"
			if in.Payment != "ok" {
				p.Detail = "last payment failed"
			}
		case Pulse:
			if in.Pulse <= 0 {
				p.Missing = true
				break
			}
			p.Score, p.Value = PulseScore(in.Pulse), float64(in.Pulse)
			p.Detail = fmt.Sprintf("owner's pulse %d/5", in.Pulse)
		case GoalPart:
			var known bool
			if p.Score, known = GoalScore(in.Goal); !known {
				p.Missing = true
				break
			}
			p.Value, p.Detail = float64(p.Score/100), "goal achieved"
			if p.Score == 0 {
				p.Detail = "goal missed"
			}
		}
		parts = append(parts, p)
	}
	return Combine(parts, weights, version)
}

// Combine weighs scored parts: each present part's effective weight is its weight
// over the sum of the present parts' weights.
func Combine(parts []Part, weights map[string]float64, version string) Result {
	total := 0.0
	for _, p := range parts {
		if !p.Missing {
			total += math.Max(0, weights[p.Name])
		}
	}
	sum := 0.0
	for i := range parts {
		p := &parts[i]
		p.Weight, p.Contribution = 0, 0
		if p.Missing || total == 0 {
			continue
		}
		p.Weight = math.Max(0, weights[p.Name]) / total
		p.Contribution = round2(float64(p.Score) * p.Weight)
		p.Weight = round4(p.Weight)
		sum += float64(p.Score) * math.Max(0, weights[p.Name]) / total
	}
	score := clamp(sum)
	return Result{Score: score, Band: BandOf(score), Weights: version, Parts: parts}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

func usageDetail(last, prior int, change float64) string {
	switch {
	case last == 0 && prior == 0:
		return "no usage in 60 days"
	case prior == 0:
		return "usage started"
	case change < 0:
		return fmt.Sprintf("usage down %d%%", int(math.Round(-change*100)))
	case change > 0:
		return fmt.Sprintf("usage up %d%%", int(math.Round(change*100)))
	}
	return "usage steady"
}

func contactDetail(days, cadence int) string {
	if days < 0 {
		return fmt.Sprintf("never in touch, cadence is %d", cadence)
	}
	return fmt.Sprintf("no contact in %s, cadence is %d", plural(days, "day", "days"), cadence)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Explain says why the score moved from then to now, naming the components whose
// contribution moved most, either way (at most three, those of at least one point),
// each with its current reading and its effect: "−14 since last week: usage down 38% (−9),
// no contact in 19 days, cadence is 7 (−5)". since names the earlier date.
func Explain(then, now Result, since string) string {
	delta := now.Score - then.Score
	if delta == 0 {
		return "no change " + since
	}
	prev := map[string]Part{}
	for _, p := range then.Parts {
		prev[p.Name] = p
	}
	type move struct {
		p Part
		d int
	}
	var moves []move
	for _, p := range now.Parts {
		d := int(math.Round(p.Contribution - prev[p.Name].Contribution))
		if d != 0 {
			moves = append(moves, move{p, d})
		}
	}
	sort.SliceStable(moves, func(i, j int) bool { return abs(moves[i].d) > abs(moves[j].d) })
	if len(moves) > 3 {
		moves = moves[:3]
	}
	var b strings.Builder
	b.WriteString(signed(delta) + " " + since)
	for i, m := range moves {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		detail := m.p.Detail
		if m.p.Missing {
			detail = m.p.Name + " no longer known"
		}
		fmt.Fprintf(&b, "%s (%s)", detail, signed(m.d))
	}
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// signed writes n with a typographic minus or a plus.
func signed(n int) string {
	if n < 0 {
		return fmt.Sprintf("−%d", -n)
	}
	return fmt.Sprintf("+%d", n)
}
