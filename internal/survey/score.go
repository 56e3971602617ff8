package survey

import (
	"math"
	"sort"
	"strconv"
	"time"
)

// Segment is where an NPS score puts the respondent.
type Segment string

const (
	Promoter  Segment = "promoter"  // 9–10
	Passive   Segment = "passive"   // 7–8
	Detractor Segment = "detractor" // 0–6
)

// SegmentOf places an NPS score (0–10).
func SegmentOf(score int) Segment {
	switch {
	case score >= 9:
		return Promoter
	case score >= 7:
		return Passive
	}
	return Detractor
}

// Summary is the result of a set of responses of one kind.
type Summary struct {
	Kind      Kind  `json:"kind"`
	Responses int   `json:"responses"`
	Counts    []int `json:"counts"` // responses per score, lowest score first

	// NPS: the segments and NPS = %promoters − %detractors (−100…100).
	Promoters  int `json:"promoters,omitempty"`
	Passives   int `json:"passives,omitempty"`
	Detractors int `json:"detractors,omitempty"`
	// CSAT: responses scoring 4 or 5.
	Satisfied int `json:"satisfied,omitempty"`

	Mean float64 `json:"mean"` // of the scores
	// Score is the headline figure: NPS for NPS; for CSAT the share of 4–5 in
	// percent (mode share) or the mean (mode mean); for CES the mean. Rounded to one
	// decimal; 0 when there are no responses (see Responses).
	Score float64  `json:"score"`
	Mode  CSATMode `json:"csat_mode,omitempty"`
}

// Summarize computes the summary of scores (each within the kind's scale; others are
// ignored, the store never holds them).
func Summarize(kind Kind, mode CSATMode, scores []int) Summary {
	lo, hi := kind.Scale()
	s := Summary{Kind: kind, Counts: make([]int, max(hi-lo+1, 0))}
	if kind == CSAT {
		s.Mode = mode
	}
	sum := 0
	for _, v := range scores {
		if v < lo || v > hi {
			continue
		}
		s.Responses++
		s.Counts[v-lo]++
		sum += v
		switch kind {
		case NPS:
			switch SegmentOf(v) {
			case Promoter:
				s.Promoters++
			case Passive:
				s.Passives++
			default:
				s.Detractors++
			}
		case CSAT:
			if v >= 4 {
				s.Satisfied++
			}
		}
	}
	if s.Responses == 0 {
		return s
	}
	n := float64(s.Responses)
	s.Mean = round1(float64(sum) / n)
	switch kind {
	case NPS:
		s.Score = round1(100 * float64(s.Promoters-s.Detractors) / n)
	case CSAT:
		if mode == CSATMean {
			s.Score = s.Mean
		} else {
			s.Score = round1(100 * float64(s.Satisfied) / n)
		}
	case CES:
		s.Score = s.Mean
	}
	return s
}

// Share is part of Responses in percent, rounded to one decimal.
func (s Summary) Share(part int) float64 {
	if s.Responses == 0 {
		return 0
	}
	return round1(100 * float64(part) / float64(s.Responses))
}

// Formula states how Score is computed, shown next to the figure.
func (s Summary) Formula() string {
	switch s.Kind {
	case NPS:
		return "NPS = % promoters (9–10) − % detractors (0–6)"
	case CSAT:
		if s.Mode == CSATMean {
			return "CSAT = mean score (1–5)"
		}
		return "CSAT = % of responses scoring 4 or 5"
	case CES:
		return "CES = mean score (1–7, higher is easier)"
	}
	return ""
}

// Display is Score as shown: NPS as a signed whole number, CSAT share as a percent,
// means with one decimal; "–" without responses.
func (s Summary) Display() string {
	if s.Responses == 0 {
		return "–"
	}
	switch {
	case s.Kind == NPS:
		v := int(math.Round(s.Score))
		if v > 0 {
			return "+" + strconv.Itoa(v)
		}
		return strconv.Itoa(v)
	case s.Kind == CSAT && s.Mode != CSATMean:
		return strconv.FormatFloat(s.Score, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(s.Score, 'f', 1, 64)
}

// Point is one response as the aggregations see it.
type Point struct {
	Score int
	At    time.Time
	Group string // the account, the tier…: whatever ByGroup groups by
}

// Period is the summary of one calendar month (UTC).
type Period struct {
	Month string `json:"month"` // YYYY-MM
	Summary
}

// Monthly summarizes points per calendar month, oldest first, with every month
// between the first and the last present (empty months have no responses).
func Monthly(kind Kind, mode CSATMode, pts []Point) []Period {
	if len(pts) == 0 {
		return nil
	}
	by := map[string][]int{}
	first, last := pts[0].At.UTC(), pts[0].At.UTC()
	for _, p := range pts {
		at := p.At.UTC()
		by[at.Format("2006-01")] = append(by[at.Format("2006-01")], p.Score)
		if at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	var out []Period
	m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	for end := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		out = append(out, Period{Month: k, Summary: Summarize(kind, mode, by[k])})
	}
	return out
}

// Group is the summary of one group's responses.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Summary
}

// ByGroup summarizes points per Group, by key.
func ByGroup(kind Kind, mode CSATMode, pts []Point) []Group {
	by := map[string][]int{}
	for _, p := range pts {
		by[p.Group] = append(by[p.Group], p.Score)
	}
	out := make([]Group, 0, len(by))
	for k, v := range by {
		out = append(out, Group{Key: k, Summary: Summarize(kind, mode, v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func itoa(n int) string { return strconv.Itoa(n) }

// Scored is one response as the results read it: its score, time and account.
type Scored struct {
	Score       int
	At          time.Time
	AccountID   string
	AccountName string
	Tier        string
}

// Results are a survey's figures: overall, per month, per tier and per account.
type Results struct {
	Overall   Summary  `json:"overall"`
	Formula   string   `json:"formula"`
	Monthly   []Period `json:"monthly"`
	ByTier    []Group  `json:"by_tier"`
	ByAccount []Group  `json:"by_account"` // Key is the account id, Label its name; responses without an account are left out
}

// Compute summarizes a survey's responses.
func Compute(v Survey, rs []Scored) Results {
	scores := make([]int, len(rs))
	var months, tiers, accts []Point
	names := map[string]string{}
	for i, r := range rs {
		scores[i] = r.Score
		months = append(months, Point{Score: r.Score, At: r.At})
		if r.AccountID != "" {
			tiers = append(tiers, Point{Score: r.Score, Group: r.Tier})
			accts = append(accts, Point{Score: r.Score, Group: r.AccountID})
			names[r.AccountID] = r.AccountName
		}
	}
	res := Results{Overall: Summarize(v.Kind, v.CSATMode, scores), Monthly: Monthly(v.Kind, v.CSATMode, months),
		ByTier: ByGroup(v.Kind, v.CSATMode, tiers), ByAccount: ByGroup(v.Kind, v.CSATMode, accts)}
	res.Formula = res.Overall.Formula()
	for i := range res.ByTier {
		res.ByTier[i].Label = res.ByTier[i].Key
	}
	for i := range res.ByAccount {
		res.ByAccount[i].Label = names[res.ByAccount[i].Key]
	}
	if res.Monthly == nil {
		res.Monthly = []Period{}
	}
	return res
}
