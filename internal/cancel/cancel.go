// Package cancel is the cancellation survey (pure): the two multiple-choice questions
// and their team-editable options, an answer's validation, the signed link the host
// product redirects a cancelling customer to, and the churn-reasons report weighted
// by churned MRR. The store keeps the answers (store/cancellations.go), the public
// page is internal/cancelpage.
package cancel

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/closeloop/closeloop/internal/errs"
)

// Option is one answer of a multiple-choice question: a stable code (what reports,
// the API and stored answers use) and the label the customer reads.
type Option struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Settings are the team's two option lists (Settings → Cancellation).
type Settings struct {
	Reasons []Option `json:"reasons"` // why are you leaving (choose one)
	Liked   []Option `json:"liked"`   // what did you like (choose any)
}

// Defaults are the reasons cancellation tools commonly ask about, and what customers
// commonly liked.
func Defaults() Settings {
	return Settings{
		Reasons: []Option{
			{"too_expensive", "It's too expensive"},
			{"missing_feature", "It's missing a feature we need"},
			{"switched_competitor", "We switched to another product"},
			{"not_using", "We aren't using it enough"},
			{"poor_support", "Support didn't meet our needs"},
			{"business_closed", "Our business is closing or changing"},
			{"other", "Something else"},
		},
		Liked: []Option{
			{"ease_of_use", "Easy to use"},
			{"features", "The features"},
			{"support", "The support team"},
			{"price", "The price"},
			{"integrations", "The integrations"},
			{"nothing", "Nothing in particular"},
		},
	}
}

// Bounds of the option lists and of an answer.
const (
	MaxOptions = 30
	MaxLabel   = 120
	MaxText    = 5000
)

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks both lists: 1–30 options each, codes lower_snake_case and unique
// within their list, labels 1–120 printable characters.
func (s Settings) Validate() error {
	if err := checkOptions("reasons", s.Reasons); err != nil {
		return err
	}
	return checkOptions("liked", s.Liked)
}

func checkOptions(field string, opts []Option) error {
	if len(opts) == 0 || len(opts) > MaxOptions {
		return errs.Invalidf(field, "give 1–%d options", MaxOptions)
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if !codeRE.MatchString(o.Code) {
			return errs.Invalidf(field, "code %q must be lower_snake_case letters, digits and _ (at most 40), starting with a letter", o.Code)
		}
		if seen[o.Code] {
			return errs.Invalidf(field, "code %q is listed twice", o.Code)
		}
		seen[o.Code] = true
		if l := []rune(o.Label); len(l) == 0 || len(l) > MaxLabel || strings.TrimSpace(o.Label) != o.Label {
			return errs.Invalidf(field, "the label of %q must be 1–%d characters without leading or trailing spaces", o.Code, MaxLabel)
		}
		if strings.ContainsFunc(o.Label, unicode.IsControl) {
			return errs.Invalidf(field, "the label of %q has a control character", o.Code)
		}
	}
	return nil
}

// Label returns the label of code in opts, or the code itself (an answer given
// before the team removed its option still reads as something).
func Label(opts []Option, code string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

func has(opts []Option, code string) bool {
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Code == code })
}

// ParseOptions reads the settings form's text: one option a line, "code: Label".
// Blank lines are skipped; a bad line is named by its number.
func ParseOptions(field, text string) ([]Option, error) {
	var out []Option
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		code, label, ok := strings.Cut(line, ":")
		if !ok {
			return nil, errs.Invalidf(field, "line %d: write code: Label", i+1)
		}
		out = append(out, Option{Code: strings.TrimSpace(code), Label: strings.TrimSpace(label)})
	}
	if err := checkOptions(field, out); err != nil {
		return nil, err
	}
	return out, nil
}

// FormatOptions is the inverse of ParseOptions.
func FormatOptions(opts []Option) string {
	var b strings.Builder
	for _, o := range opts {
		fmt.Fprintf(&b, "%s: %s\n", o.Code, o.Label)
	}
	return b.String()
}

// Channels an answer comes through.
const (
	ChannelPage = "page" // the hosted page, through a signed link
	ChannelAPI  = "api"
)

// Cancellation is one answer, as stored and listed.
type Cancellation struct {
	ID          string    `json:"id"`
	AccountID   string    `json:"account_id"`
	AccountName string    `json:"account_name"`
	PersonID    string    `json:"person_id,omitempty"`
	PersonEmail string    `json:"person_email,omitempty"`
	Reason      string    `json:"reason"`
	Liked       []string  `json:"liked"`
	Text        string    `json:"text"`
	Channel     string    `json:"channel"`
	FeedbackID  string    `json:"feedback_id,omitempty"`
	CancelledAt time.Time `json:"cancelled_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// Input is an answer before it is stored.
type Input struct {
	Reason      string
	Liked       []string
	Text        string
	CancelledAt time.Time // zero: now
}

// Normalize trims the answer, drops repeated liked codes and dates it now if undated.
func (in *Input) Normalize(now time.Time) {
	in.Reason = strings.TrimSpace(in.Reason)
	in.Text = strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(in.Text, "\x00", ""), ""))
	var liked []string
	for _, c := range in.Liked {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(liked, c) {
			liked = append(liked, c)
		}
	}
	in.Liked = liked
	if in.CancelledAt.IsZero() {
		in.CancelledAt = now
	}
	in.CancelledAt = in.CancelledAt.UTC().Truncate(time.Millisecond)
}

// Validate checks a normalized answer against the team's options; each refusal names
// its field.
func (in Input) Validate(set Settings, now time.Time) error {
	if in.Reason == "" {
		return errs.Invalid("reason", "choose why you are leaving")
	}
	if !has(set.Reasons, in.Reason) {
		return errs.Invalidf("reason", "%q is not one of the reasons", in.Reason)
	}
	for _, c := range in.Liked {
		if !has(set.Liked, c) {
			return errs.Invalidf("liked", "%q is not one of the options", c)
		}
	}
	if n := len([]rune(in.Text)); n > MaxText {
		return errs.Invalidf("text", "keep it under %d characters (this is %d)", MaxText, n)
	}
	if in.CancelledAt.After(now.Add(24 * time.Hour)) {
		return errs.Invalid("cancelled_at", "is in the future")
	}
	return nil
}
