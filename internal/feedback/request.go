package feedback

import (
	"regexp"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// RequestStatus is where a feature request is on the way to shipping.
type RequestStatus string

const (
	Open        RequestStatus = "open"
	UnderReview RequestStatus = "under_review"
	Planned     RequestStatus = "planned"
	InProgress  RequestStatus = "in_progress"
	Shipped     RequestStatus = "shipped"
	Declined    RequestStatus = "declined"
)

// RequestStatuses lists the statuses in roadmap order.
var RequestStatuses = []RequestStatus{Open, UnderReview, Planned, InProgress, Shipped, Declined}

func (s RequestStatus) Valid() bool   { return oneOf(s, RequestStatuses) }
func (s RequestStatus) Label() string { return strings.ReplaceAll(string(s), "_", " ") }

// Request is a feature request (an idea): the thing feedback items and votes point at.
type Request struct {
	ID             string        `json:"id"`
	Title          string        `json:"title"`
	Description    string        `json:"description"`
	Status         RequestStatus `json:"status"`
	Public         bool          `json:"public"`          // shown on the customer portal
	Quarter        string        `json:"quarter"`         // roadmap slot such as 2026-Q3, or ""
	StrategicScore int           `json:"strategic_score"` // 0–10, set by the product team
	MergedInto     string        `json:"merged_into"`     // "" unless merged into another request
	ReleaseNote    string        `json:"release_note"`
	ShippedAt      time.Time     `json:"shipped_at"`
	CreatedBy      string        `json:"created_by"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

var quarterRE = regexp.MustCompile(`^\d{4}-Q[1-4]$`)

// Normalize trims and defaults.
func (r *Request) Normalize() {
	r.Title = strings.TrimSpace(r.Title)
	r.Description = strings.TrimSpace(r.Description)
	r.Quarter = strings.ToUpper(strings.TrimSpace(r.Quarter))
	if r.Status == "" {
		r.Status = Open
	}
}

// Validate checks a request.
func (r *Request) Validate() error {
	if r.Title == "" {
		return errs.Invalid("title", "is required")
	}
	if len(r.Title) > 300 {
		return errs.Invalid("title", "is longer than 300 characters")
	}
	if !r.Status.Valid() {
		return errs.Invalidf("status", "%q is not one of open, under_review, planned, in_progress, shipped, declined", r.Status)
	}
	if r.Quarter != "" && !quarterRE.MatchString(r.Quarter) {
		return errs.Invalidf("quarter", "%q is not a quarter such as 2026-Q3", r.Quarter)
	}
	if r.StrategicScore < 0 || r.StrategicScore > 10 {
		return errs.Invalid("strategic_score", "must be between 0 and 10")
	}
	return nil
}

// VoteSource says who cast a vote: the team on a customer's behalf, or the customer
// in the portal.
type VoteSource string

const (
	VoteTeam   VoteSource = "team"
	VotePortal VoteSource = "portal"
)

// Vote is one person's vote for a request. A person votes once per request.
type Vote struct {
	RequestID string     `json:"request_id"`
	PersonID  string     `json:"person_id"`
	AccountID string     `json:"account_id"`
	Source    VoteSource `json:"source"`
	CastBy    string     `json:"cast_by"` // team member for team votes
	CreatedAt time.Time  `json:"created_at"`
}
