// Package auth holds team members, roles, API-key scopes, password hashing, session
// and API-key tokens, and sign-in rate limiting. It does no database I/O.
package auth

import (
	"fmt"
	"strings"
	"time"
)

// Role is a team member's role. Roles are ordered: admin > member > viewer.
type Role string

const (
	RoleViewer Role = "viewer" // reads everything, changes nothing
	RoleMember Role = "member" // does the work: logs touchpoints, edits accounts
	RoleAdmin  Role = "admin"  // manages the team, API keys and settings
)

var Roles = []Role{RoleViewer, RoleMember, RoleAdmin}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleMember:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything need grants.
func (r Role) AtLeast(need Role) bool { return r.rank() >= need.rank() && need.rank() > 0 }

// Scope is what an API key may do.
type Scope string

const (
	ScopeRead   Scope = "read"   // GET the JSON API
	ScopeWrite  Scope = "write"  // create, update, delete through the JSON API
	ScopeIngest Scope = "ingest" // send usage events (Segment-compatible ingest)
	ScopeAdmin  Scope = "admin"  // everything, including team and keys
	// ScopeMetrics lets a Prometheus server scrape /metrics and nothing else, so the
	// scrape config never holds a key that can read customer data.
	ScopeMetrics Scope = "metrics"
)

var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeIngest, ScopeAdmin, ScopeMetrics}

// ParseScopes reads a comma-separated scope list.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(strings.ToLower(p))
		if p == "" {
			continue
		}
		ok := false
		for _, v := range Scopes {
			if Scope(p) == v {
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown scope %q (want read, write, ingest, admin or metrics)", p)
		}
		out = append(out, Scope(p))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("at least one scope is needed (read, write, ingest, admin, metrics)")
	}
	return out, nil
}

// Grants reports whether a key with scopes may use a route needing need. The admin
// scope grants everything; write does not imply read, so a write-only key for a
// pipeline cannot read customer data back.
func Grants(scopes []Scope, need Scope) bool {
	for _, s := range scopes {
		if s == need || s == ScopeAdmin {
			return true
		}
	}
	return false
}

// Member is a person on the team.
type Member struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	Capacity     int       `json:"capacity"` // accounts a CSM can carry; ~40 by default
	CreatedAt    time.Time `json:"created_at"`
}

// APIKey is a key's stored record; the secret itself is never stored.
type APIKey struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"` // shown in lists so people can tell keys apart
	Hash       string    `json:"-"`
	Scopes     []Scope   `json:"scopes"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Revoked    bool      `json:"revoked"`
	// Suspended: the member who created the key is disabled. The key is refused until
	// they are enabled again.
	Suspended bool `json:"suspended"`
}

// Session is a signed-in browser.
type Session struct {
	TokenHash string
	MemberID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}
