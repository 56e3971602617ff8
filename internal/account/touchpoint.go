package account

import (
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// TouchpointKind is how the team and the customer were in touch.
type TouchpointKind string

const (
	Email   TouchpointKind = "email"
	Call    TouchpointKind = "call"
	Meeting TouchpointKind = "meeting"
	Chat    TouchpointKind = "chat"
	Note    TouchpointKind = "note"
)

var TouchpointKinds = []TouchpointKind{Email, Call, Meeting, Chat, Note}

// Direction of a touchpoint: who reached out.
type Direction string

const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
	Internal Direction = "internal" // a note nobody outside saw
)

var Directions = []Direction{Inbound, Outbound, Internal}

// Touchpoint is one email, call, meeting, chat or note with an account; cadence and
// history are computed from these.
type Touchpoint struct {
	ID         string         `json:"id"`
	AccountID  string         `json:"account_id"`
	PersonID   string         `json:"person_id"` // "" when not with one person
	MemberID   string         `json:"member_id"` // team member; "" for automated
	Kind       TouchpointKind `json:"kind"`
	Direction  Direction      `json:"direction"`
	OccurredAt time.Time      `json:"occurred_at"`
	Summary    string         `json:"summary"`
	CreatedAt  time.Time      `json:"created_at"`
}

// Normalize defaults the direction from the kind (a note is internal, anything else
// outbound) and trims the summary.
func (t *Touchpoint) Normalize() {
	t.Summary = strings.TrimSpace(t.Summary)
	t.Kind = TouchpointKind(strings.ToLower(string(t.Kind)))
	if t.Direction == "" {
		if t.Kind == Note {
			t.Direction = Internal
		} else {
			t.Direction = Outbound
		}
	}
	if t.OccurredAt.IsZero() {
		t.OccurredAt = time.Now()
	}
	t.OccurredAt = t.OccurredAt.UTC().Truncate(time.Millisecond)
}

// Validate checks the touchpoint.
func (t *Touchpoint) Validate() error {
	if t.AccountID == "" {
		return errs.Invalid("account_id", "is required")
	}
	ok := false
	for _, k := range TouchpointKinds {
		ok = ok || k == t.Kind
	}
	if !ok {
		return errs.Invalidf("kind", "%q is not one of email, call, meeting, chat, note", t.Kind)
	}
	ok = false
	for _, d := range Directions {
		ok = ok || d == t.Direction
	}
	if !ok {
		return errs.Invalidf("direction", "%q is not one of inbound, outbound, internal", t.Direction)
	}
	if t.Summary == "" {
		return errs.Invalid("summary", "is required")
	}
	if len(t.Summary) > 10000 {
		return errs.Invalid("summary", "is longer than 10000 characters")
	}
	if t.OccurredAt.After(time.Now().Add(24 * time.Hour)) {
		return errs.Invalid("occurred_at", "is in the future")
	}
	return nil
}
