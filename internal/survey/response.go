package survey

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/errs"
)

// Channels a response arrives through.
const (
	ChannelEmail = "email" // a score link of a survey email, then the response page
	ChannelAPI   = "api"
	ChannelCSV   = "csv"
)

// Response is one answer to a survey.
type Response struct {
	ID          string    `json:"id"`
	SurveyID    string    `json:"survey_id"`
	SendID      string    `json:"send_id,omitempty"`
	PersonID    string    `json:"person_id"`
	AccountID   string    `json:"account_id"`
	Score       int       `json:"score"`
	Segment     Segment   `json:"segment,omitempty"` // NPS only
	Comment     string    `json:"comment"`
	Channel     string    `json:"channel"`
	Final       bool      `json:"final"`
	FeedbackID  string    `json:"feedback_id"` // the feedback item the comment became
	RespondedAt time.Time `json:"responded_at"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// For lists: the survey, and who answered.
	Kind        Kind   `json:"kind"`
	SurveyName  string `json:"survey_name"`
	PersonName  string `json:"person_name,omitempty"`
	PersonEmail string `json:"person_email,omitempty"`
	AccountName string `json:"account_name,omitempty"`
	Tier        string `json:"tier,omitempty"`
}

// Input is a response given through the API or a CSV row: who (a person by email or
// external id, or only an account), the score, an optional comment and when.
type Input struct {
	Score             int       `json:"score"`
	Comment           string    `json:"comment,omitempty"`
	Email             string    `json:"email,omitempty"`
	Name              string    `json:"name,omitempty"`
	PersonExternalID  string    `json:"person_external_id,omitempty"`
	AccountID         string    `json:"account_id,omitempty"`
	AccountExternalID string    `json:"account_external_id,omitempty"`
	RespondedAt       time.Time `json:"responded_at,omitempty"`
}

// Normalize trims the text, lowercases the email and defaults the time to now.
func (in *Input) Normalize(now time.Time) {
	in.Comment = strings.TrimSpace(strings.ReplaceAll(in.Comment, "\r\n", "\n"))
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = oneLine(in.Name)
	in.PersonExternalID = strings.TrimSpace(in.PersonExternalID)
	in.AccountID = strings.TrimSpace(in.AccountID)
	in.AccountExternalID = strings.TrimSpace(in.AccountExternalID)
	if in.RespondedAt.IsZero() {
		in.RespondedAt = now
	}
	in.RespondedAt = in.RespondedAt.UTC().Truncate(time.Millisecond)
}

// Validate checks a normalized input against the survey's kind.
func (in *Input) Validate(k Kind, now time.Time) error {
	if err := k.CheckScore("score", in.Score); err != nil {
		return err
	}
	if err := CheckComment(in.Comment); err != nil {
		return err
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			return errs.Invalidf("email", "%q is not an email address", in.Email)
		}
	}
	if in.Email == "" && in.PersonExternalID == "" && in.AccountID == "" && in.AccountExternalID == "" {
		return errs.Invalid("email", "say who answered: email, person_external_id, account_id or account_external_id")
	}
	if in.RespondedAt.After(now.Add(time.Hour)) {
		return errs.Invalid("responded_at", "is in the future")
	}
	return nil
}

// CheckComment bounds a comment.
func CheckComment(c string) error {
	if utf8.RuneCountInString(c) > MaxComment {
		return errs.Invalidf("comment", "is longer than %d characters", MaxComment)
	}
	return nil
}
