// Package feedback holds the voice-of-the-customer types and rules: feedback items
// from every channel, feature requests with their votes, and the Capture input that
// every channel (API, web form, CSV, email, webhooks, portal) turns its payload into.
// It is pure: the store persists these types, channels parse into them.
package feedback

import (
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/sentiment"
)

// Source is the channel a feedback item came through.
type Source string

const (
	SourceAPI          Source = "api"
	SourceWeb          Source = "web"
	SourceCSV          Source = "csv"
	SourceEmail        Source = "email"
	SourceCall         Source = "call"
	SourceSlack        Source = "slack"
	SourceIntercom     Source = "intercom"
	SourceZendesk      Source = "zendesk"
	SourceHelpScout    Source = "helpscout"
	SourceFreshdesk    Source = "freshdesk"
	SourceSurvey       Source = "survey"
	SourceSocial       Source = "social"
	SourcePortal       Source = "portal"
	SourceCancellation Source = "cancellation" // the cancellation survey (internal/cancel)
)

// Sources lists every channel.
var Sources = []Source{SourceAPI, SourceWeb, SourceCSV, SourceEmail, SourceCall, SourceSlack, SourceIntercom,
	SourceZendesk, SourceHelpScout, SourceFreshdesk, SourceSurvey, SourceSocial, SourcePortal, SourceCancellation}

// Kind is what the feedback is about.
type Kind string

const (
	FeatureRequest Kind = "feature_request"
	Bug            Kind = "bug"
	Usability      Kind = "usability"
	Pricing        Kind = "pricing"
	Content        Kind = "content"
	JobToBeDone    Kind = "job_to_be_done"
	ChurnReason    Kind = "churn_reason"
	Praise         Kind = "praise"
	Other          Kind = "other"
)

// Kinds lists every kind.
var Kinds = []Kind{FeatureRequest, Bug, Usability, Pricing, Content, JobToBeDone, ChurnReason, Praise, Other}

// Label is how a person reads the kind.
func (k Kind) Label() string { return strings.ReplaceAll(string(k), "_", " ") }

// Status is where an item is in triage.
type Status string

const (
	New      Status = "new"
	Triaged  Status = "triaged"
	Archived Status = "archived"
)

var Statuses = []Status{New, Triaged, Archived}

func oneOf[T ~string](v T, list []T) bool {
	return slices.Contains(list, v)
}

func (s Source) Valid() bool { return oneOf(s, Sources) }
func (k Kind) Valid() bool   { return oneOf(k, Kinds) }
func (s Status) Valid() bool { return oneOf(s, Statuses) }

// Item is one piece of customer feedback.
type Item struct {
	ID          string            `json:"id"`
	Text        string            `json:"text"`
	Quote       string            `json:"quote"` // the excerpt that matters; shown as evidence and in close-the-loop emails
	Source      Source            `json:"source"`
	Kind        Kind              `json:"kind"`
	AccountID   string            `json:"account_id"`
	PersonID    string            `json:"person_id"`
	SubmittedBy string            `json:"submitted_by"` // team member
	ExternalURL string            `json:"external_url"`
	ExternalID  string            `json:"external_id"` // the channel's own id (ticket, conversation, message)
	Status      Status            `json:"status"`
	OccurredAt  time.Time         `json:"occurred_at"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	TagIDs      []string          `json:"tag_ids"`
	RequestIDs  []string          `json:"request_ids"`
	Sentiment   *sentiment.Result `json:"sentiment"` // nil until labelled (items from before migration 0022)
}

// Capture is what every channel hands to the capture function: the item plus how to
// find who said it. The store resolves the person and account: by PersonExternalID,
// else by Email; an unknown email becomes a new person, attached to the account whose
// domain matches the email's, if any.
type Capture struct {
	Text        string    `json:"text"`
	Quote       string    `json:"quote,omitempty"`
	Source      Source    `json:"source"`
	Kind        Kind      `json:"kind,omitempty"`
	ExternalURL string    `json:"external_url,omitempty"`
	ExternalID  string    `json:"external_id,omitempty"` // with Source, makes a redelivered webhook a no-op
	OccurredAt  time.Time `json:"occurred_at,omitempty"`

	Email             string `json:"email,omitempty"`
	Name              string `json:"name,omitempty"`
	PersonExternalID  string `json:"person_external_id,omitempty"`
	AccountExternalID string `json:"account_external_id,omitempty"`
	AccountID         string `json:"account_id,omitempty"`
	SubmittedBy       string `json:"-"` // team member, set by the UI/API from the caller

	TagIDs         []string `json:"tag_ids,omitempty"`
	RequestIDs     []string `json:"request_ids,omitempty"`
	IdempotencyKey string   `json:"idempotency_key,omitempty"`

	// Original is the whole message the text was cut from (an email with its quoted
	// history and signature), kept beside the item; "" when the text is all of it.
	// Channels set it; the API does not take it.
	Original string `json:"-"`
}

// MaxText bounds one item; longer conversations are cut, never refused, so a channel
// never loses an item for being long.
const MaxText = 50000

// Normalize trims, defaults (kind other, now) and cuts over-long text on a rune boundary.
func (c *Capture) Normalize(now time.Time) {
	c.Text = strings.TrimSpace(c.Text)
	c.Quote = strings.TrimSpace(c.Quote)
	if len(c.Text) > MaxText {
		c.Text = truncate(c.Text, MaxText)
	}
	if len(c.Quote) > 2000 {
		c.Quote = truncate(c.Quote, 2000)
	}
	c.Original = strings.TrimSpace(c.Original)
	if len(c.Original) > 4*MaxText {
		c.Original = truncate(c.Original, 4*MaxText)
	}
	if c.Original == c.Text {
		c.Original = ""
	}
	if c.Quote == "" {
		c.Quote = DefaultQuote(c.Text)
	}
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Name = strings.TrimSpace(c.Name)
	if c.Kind == "" {
		c.Kind = Other
	}
	if c.OccurredAt.IsZero() || c.OccurredAt.After(now.Add(time.Hour)) {
		c.OccurredAt = now
	}
	c.OccurredAt = c.OccurredAt.UTC().Truncate(time.Millisecond)
}

// Validate checks a normalized capture.
func (c *Capture) Validate() error {
	if c.Text == "" {
		return errs.Invalid("text", "is required")
	}
	if !c.Source.Valid() {
		return errs.Invalidf("source", "%q is not a known channel", c.Source)
	}
	if !c.Kind.Valid() {
		return errs.Invalidf("kind", "%q is not one of feature_request, bug, usability, pricing, content, job_to_be_done, churn_reason, praise, other", c.Kind)
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			return errs.Invalidf("email", "%q is not an email address", c.Email)
		}
	}
	if c.ExternalURL != "" {
		u, err := url.Parse(c.ExternalURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errs.Invalid("external_url", "must be an http(s) URL")
		}
	}
	if len(c.IdempotencyKey) > 200 {
		return errs.Invalid("idempotency_key", "is longer than 200 characters")
	}
	return nil
}

// DefaultQuote is the first sentence or 280 characters of text: a usable excerpt until
// someone picks a better one.
func DefaultQuote(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	for i, r := range t {
		if (r == '.' || r == '!' || r == '?') && i > 20 {
			return t[:i+1]
		}
		if i >= 280 {
			return truncate(t, 280) + "…"
		}
	}
	return t
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
