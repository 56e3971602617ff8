// Package account holds the customer side of closeloop: accounts (companies), the
// people at them, their contracts and every touchpoint the team has with them. It is
// pure: types and rules, no I/O. The store persists these types.
package account

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// Stage is an account's lifecycle stage.
type Stage string

const (
	Trial      Stage = "trial"
	Onboarding Stage = "onboarding"
	Active     Stage = "active"
	AtRisk     Stage = "at_risk"
	Churned    Stage = "churned"
)

// Stages lists the lifecycle in order.
var Stages = []Stage{Trial, Onboarding, Active, AtRisk, Churned}

func (s Stage) Valid() bool {
	return slices.Contains(Stages, s)
}

// Label is how a person reads the stage.
func (s Stage) Label() string {
	if s == AtRisk {
		return "at risk"
	}
	return string(s)
}

// Account is a customer company.
type Account struct {
	ID          string          `json:"id"`
	ExternalID  string          `json:"external_id"`
	Name        string          `json:"name"`
	Domain      string          `json:"domain"`
	Plan        string          `json:"plan"`
	Seats       int             `json:"seats"`
	CompanySize int             `json:"company_size"`
	Tier        string          `json:"tier"`
	ICPFit      *int            `json:"icp_fit"` // 0–100, nil when unknown
	Stage       Stage           `json:"stage"`
	OwnerID     string          `json:"owner_id"`    // team member; "" when unowned
	SignupDate  string          `json:"signup_date"` // YYYY-MM-DD or ""
	Goal        string          `json:"goal"`
	Traits      json.RawMessage `json:"traits"`
	MRR         int64           `json:"mrr"`      // derived from movements, minor units
	Currency    string          `json:"currency"` // billing currency, "" before the first movement
	CAB         bool            `json:"cab"`      // customer-advisory-board member
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

var (
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	dateRE   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// ValidDate reports whether s is a real YYYY-MM-DD date.
func ValidDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// Normalize trims and lowercases what should be, and fills defaults (stage active,
// the lowest configured tier, empty traits object); traits are stored compactly.
func (a *Account) Normalize(tiers []string) {
	a.ExternalID = strings.TrimSpace(a.ExternalID)
	a.Name = strings.TrimSpace(a.Name)
	a.Domain = strings.ToLower(strings.TrimSpace(a.Domain))
	a.Plan = strings.TrimSpace(a.Plan)
	a.Tier = strings.ToLower(strings.TrimSpace(a.Tier))
	if a.Tier == "" && len(tiers) > 0 {
		a.Tier = tiers[len(tiers)-1]
	}
	if a.Stage == "" {
		a.Stage = Active
	}
	a.Stage = Stage(strings.ReplaceAll(strings.ToLower(string(a.Stage)), " ", "_"))
	a.Traits = normalizeJSON(a.Traits)
}

// normalizeJSON makes an absent or null JSON field an empty object and stores valid
// JSON compactly, so what is stored is what CheckJSONObject measured. Invalid JSON is
// left as it is for the check to refuse.
func normalizeJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return json.RawMessage(b.Bytes())
}

// Validate checks every field against the rules; tiers is the configured tier list.
func (a *Account) Validate(tiers []string) error {
	if a.Name == "" {
		return errs.Invalid("name", "is required")
	}
	if len(a.Name) > 200 {
		return errs.Invalid("name", "is longer than 200 characters")
	}
	if len(a.ExternalID) > 200 {
		return errs.Invalid("external_id", "is longer than 200 characters")
	}
	if a.Domain != "" && !domainRE.MatchString(a.Domain) {
		return errs.Invalidf("domain", "%q is not a domain name such as example.com", a.Domain)
	}
	if a.Seats < 0 {
		return errs.Invalid("seats", "cannot be negative")
	}
	if a.CompanySize < 0 {
		return errs.Invalid("company_size", "cannot be negative")
	}
	if !slices.Contains(tiers, a.Tier) {
		return errs.Invalidf("tier", "%q is not one of %s", a.Tier, strings.Join(tiers, ", "))
	}
	if a.ICPFit != nil && (*a.ICPFit < 0 || *a.ICPFit > 100) {
		return errs.Invalid("icp_fit", "must be between 0 and 100")
	}
	if !a.Stage.Valid() {
		return errs.Invalidf("stage", "%q is not one of trial, onboarding, active, at_risk, churned", a.Stage)
	}
	if a.SignupDate != "" && !ValidDate(a.SignupDate) {
		return errs.Invalidf("signup_date", "%q is not a date in the form YYYY-MM-DD", a.SignupDate)
	}
	if len(a.Goal) > 2000 {
		return errs.Invalid("goal", "is longer than 2000 characters")
	}
	if err := validTraits(a.Traits); err != nil {
		return err
	}
	return nil
}

func validTraits(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	return CheckJSONObject("traits", raw)
}

// Limits of every free-form JSON field closeloop stores (account and person traits).
// Traits are a handful of labels an integration attaches to a record ({"region":
// "emea", "plan_addons": ["sso"]}): the CSV import writes them flat, the pages list
// their top-level keys, and 16 KB is ten times what a rich record uses. The limits
// bound what a write can make every later page do: the edit form pretty-prints traits,
// which costs about depth × size, so a 20 KB value nested 10,000 deep rendered 200 MB.
const (
	// MaxJSONDepth counts nested objects and arrays, the field's own object being
	// level 1: {"a": {"b": [1]}} is 3 levels deep.
	MaxJSONDepth = 8
	// MaxJSONBytes is the size of the value written compactly (whitespace outside
	// strings is not counted, so a pretty-printed value round-trips through a form).
	MaxJSONBytes = 16 << 10
)

// CheckJSONObject is the one check of a stored free-form JSON field, run by the
// domain rules that every entry point goes through (API, web form, CSV import, bulk
// loads): raw must be a single JSON object at most MaxJSONDepth levels deep and
// MaxJSONBytes long. It reads raw once, stopping at the first limit it passes, and
// decodes it only when within both. field names the field in the error.
func CheckJSONObject(field string, raw []byte) error {
	depth, size := 0, 0
	inString, escaped, first := false, false, true
	for _, c := range raw {
		if !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		if first && c != '{' {
			return errs.Invalid(field, "must be a JSON object")
		}
		first = false
		if size++; size > MaxJSONBytes {
			return errs.Invalidf(field, "is larger than %d bytes of JSON (%d KB)", MaxJSONBytes, MaxJSONBytes>>10)
		}
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > MaxJSONDepth {
				return errs.Invalidf(field, "nests objects and arrays more than %d levels deep", MaxJSONDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	var m map[string]any
	if first || json.Unmarshal(raw, &m) != nil {
		return errs.Invalid(field, "must be a JSON object")
	}
	return nil
}

// Person is a contact at an account (an end user of the customer's product).
type Person struct {
	ID         string          `json:"id"`
	ExternalID string          `json:"external_id"`
	AccountID  string          `json:"account_id"`
	Email      string          `json:"email"`
	Name       string          `json:"name"`
	Title      string          `json:"title"`
	Champion   bool            `json:"champion"`
	Traits     json.RawMessage `json:"traits"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// Normalize trims and lowercases the email.
func (p *Person) Normalize() {
	p.ExternalID = strings.TrimSpace(p.ExternalID)
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.Name = strings.TrimSpace(p.Name)
	p.Title = strings.TrimSpace(p.Title)
	p.Traits = normalizeJSON(p.Traits)
}

// Validate checks a person; a person needs an email or an external id to be found again.
func (p *Person) Validate() error {
	if p.Email == "" && p.ExternalID == "" {
		return errs.Invalid("email", "an email or an external_id is required")
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return errs.Invalidf("email", "%q is not an email address", p.Email)
		}
	}
	if len(p.Name) > 200 {
		return errs.Invalid("name", "is longer than 200 characters")
	}
	return validTraits(p.Traits)
}

// EmailDomain returns the part after @, used to match an unknown sender to an account.
func EmailDomain(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return strings.ToLower(email[i+1:])
	}
	return ""
}
