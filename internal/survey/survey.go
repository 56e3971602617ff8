// Package survey holds the rules of NPS, CSAT and CES surveys without any I/O: the
// kinds and their scales, what a survey and a response must be, who is due one
// (audience and throttle), the signed score links, the email, and the formulas of
// the results (segments, NPS, CSAT, CES, trends per month and per group).
package survey

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/errs"
)

// Kind is the survey's metric, which fixes its scale.
type Kind string

const (
	NPS  Kind = "nps"  // "How likely are you to recommend…", 0–10
	CSAT Kind = "csat" // "How satisfied…", 1–5
	CES  Kind = "ces"  // "How easy…", 1–7
)

// Kinds lists every kind.
var Kinds = []Kind{NPS, CSAT, CES}

// Valid says whether k is a known kind.
func (k Kind) Valid() bool { return k == NPS || k == CSAT || k == CES }

// Scale is the lowest and highest score of the kind.
func (k Kind) Scale() (lo, hi int) {
	switch k {
	case NPS:
		return 0, 10
	case CSAT:
		return 1, 5
	case CES:
		return 1, 7
	}
	return 0, -1
}

// Scores lists the kind's scores, lowest first: the links of the email.
func (k Kind) Scores() []int {
	lo, hi := k.Scale()
	var out []int
	for s := lo; s <= hi; s++ {
		out = append(out, s)
	}
	return out
}

// Label is how the kind is written for people.
func (k Kind) Label() string {
	switch k {
	case NPS:
		return "NPS"
	case CSAT:
		return "CSAT"
	case CES:
		return "CES"
	}
	return string(k)
}

// Ends names the two ends of the scale under the email's links.
func (k Kind) Ends() (lo, hi string) {
	switch k {
	case NPS:
		return "Not at all likely", "Extremely likely"
	case CSAT:
		return "Very unsatisfied", "Very satisfied"
	case CES:
		return "Very difficult", "Very easy"
	}
	return "", ""
}

// CheckScore refuses a score outside the kind's scale, naming the field.
func (k Kind) CheckScore(field string, score int) error {
	lo, hi := k.Scale()
	if score < lo || score > hi {
		return errs.Invalidf(field, "%d is outside the %s scale %d–%d", score, k.Label(), lo, hi)
	}
	return nil
}

// CSATMode is how a CSAT survey reports its score.
type CSATMode string

const (
	CSATShare CSATMode = "share" // % of responses that are 4 or 5 (the common definition)
	CSATMean  CSATMode = "mean"  // the mean score, 1–5
)

// Audience is who a survey goes to. With AfterSignupDays > 0 it goes once to every
// person that many days after their signup (the account's signup date, else when the
// person was added); otherwise it goes to the people of accounts matching every
// non-empty list, again whenever the throttle allows. An empty audience with no
// lists is every person with an email address.
type Audience struct {
	Tiers           []string `json:"tiers,omitempty"`
	Plans           []string `json:"plans,omitempty"`
	Stages          []string `json:"stages,omitempty"`
	AfterSignupDays int      `json:"after_signup_days,omitempty"`
}

// Survey is one survey definition.
type Survey struct {
	ID        string    `json:"id"`
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	Question  string    `json:"question"`
	FollowUp  string    `json:"follow_up"`
	CSATMode  CSATMode  `json:"csat_mode"`
	Audience  Audience  `json:"audience"`
	Active    bool      `json:"active"` // sending; an inactive survey still takes responses by API and CSV
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits of the text fields (the API states them in openapi.json).
const (
	MaxName     = 200
	MaxQuestion = 500
	MaxComment  = 5000
)

// DefaultQuestion is the usual wording of each kind, used when none is given.
func DefaultQuestion(k Kind) string {
	switch k {
	case NPS:
		return "How likely are you to recommend us to a friend or colleague?"
	case CSAT:
		return "How satisfied are you with us?"
	case CES:
		return "How easy was it to get what you needed done?"
	}
	return ""
}

// Normalize trims the text and fills the defaults.
func (s *Survey) Normalize() {
	s.Name = oneLine(s.Name)
	s.Question = oneLine(s.Question)
	s.FollowUp = oneLine(s.FollowUp)
	if s.Question == "" {
		s.Question = DefaultQuestion(s.Kind)
	}
	if s.Name == "" {
		s.Name = s.Kind.Label() + " survey"
	}
	if s.FollowUp == "" {
		s.FollowUp = "What is the main reason for your score?"
	}
	if s.CSATMode == "" {
		s.CSATMode = CSATShare
	}
	s.Audience.Tiers = clean(s.Audience.Tiers)
	s.Audience.Plans = clean(s.Audience.Plans)
	s.Audience.Stages = clean(s.Audience.Stages)
}

// Validate checks a normalized survey.
func (s *Survey) Validate() error {
	if !s.Kind.Valid() {
		return errs.Invalidf("kind", "%q is not one of nps, csat, ces", s.Kind)
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"name", s.Name, MaxName}, {"question", s.Question, MaxQuestion}, {"follow_up", s.FollowUp, MaxQuestion}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return errs.Invalidf(f.field, "is longer than %d characters", f.max)
		}
	}
	if s.CSATMode != CSATShare && s.CSATMode != CSATMean {
		return errs.Invalidf("csat_mode", "%q is not one of share, mean", s.CSATMode)
	}
	if d := s.Audience.AfterSignupDays; d < 0 || d > 3650 {
		return errs.Invalid("audience.after_signup_days", "must be between 0 and 3650")
	}
	for field, l := range map[string][]string{"audience.tiers": s.Audience.Tiers, "audience.plans": s.Audience.Plans, "audience.stages": s.Audience.Stages} {
		if len(l) > 50 {
			return errs.Invalidf(field, "lists more than 50 values")
		}
	}
	return nil
}

// Describe says who the audience is, in a sentence.
func (a Audience) Describe() string {
	var parts []string
	for _, p := range []struct {
		name string
		l    []string
	}{{"tier", a.Tiers}, {"plan", a.Plans}, {"stage", a.Stages}} {
		if len(p.l) > 0 {
			parts = append(parts, p.name+" "+strings.Join(p.l, " or "))
		}
	}
	who := "everyone with an email address"
	if len(parts) > 0 {
		who = "people of accounts with " + strings.Join(parts, ", ")
	}
	if a.AfterSignupDays > 0 {
		return who + ", once, " + itoa(a.AfterSignupDays) + " days after signup"
	}
	return who
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clean(l []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range l {
		v = strings.TrimSpace(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
