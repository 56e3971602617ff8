package account

import (
	"encoding/json"
	"time"
)

// AccountPatch is a partial account: nil fields are left as they are. Imports and the
// bulk API build patches, so a CSV with only some columns touches only those fields,
// and the same patch applied twice changes nothing the second time.
type AccountPatch struct {
	ExternalID  string           `json:"external_id"`
	Name        *string          `json:"name,omitempty"`
	Domain      *string          `json:"domain,omitempty"`
	Plan        *string          `json:"plan,omitempty"`
	Seats       *int             `json:"seats,omitempty"`
	CompanySize *int             `json:"company_size,omitempty"`
	Tier        *string          `json:"tier,omitempty"`
	ICPFit      **int            `json:"icp_fit,omitempty"` // set to nil pointer to clear
	Stage       *Stage           `json:"stage,omitempty"`
	OwnerEmail  *string          `json:"owner_email,omitempty"` // team member by email; "" unassigns
	OwnerID     *string          `json:"owner_id,omitempty"`
	SignupDate  *string          `json:"signup_date,omitempty"`
	Goal        *string          `json:"goal,omitempty"`
	Traits      *json.RawMessage `json:"traits,omitempty"`
	CAB         *bool            `json:"cab,omitempty"`
	// MRR sets the current MRR; the store records the movement that gets there.
	MRR      *int64     `json:"mrr,omitempty"`
	Currency *string    `json:"currency,omitempty"`
	MRRAt    *time.Time `json:"mrr_effective_at,omitempty"`
}

// ApplyTo copies the set fields onto a (owner email is resolved by the store).
func (p *AccountPatch) ApplyTo(a *Account) {
	if p.ExternalID != "" {
		a.ExternalID = p.ExternalID
	}
	set(&a.Name, p.Name)
	set(&a.Domain, p.Domain)
	set(&a.Plan, p.Plan)
	set(&a.Seats, p.Seats)
	set(&a.CompanySize, p.CompanySize)
	set(&a.Tier, p.Tier)
	if p.ICPFit != nil {
		a.ICPFit = *p.ICPFit
	}
	set(&a.Stage, p.Stage)
	set(&a.OwnerID, p.OwnerID)
	set(&a.SignupDate, p.SignupDate)
	set(&a.Goal, p.Goal)
	set(&a.Traits, p.Traits)
	set(&a.CAB, p.CAB)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// PersonPatch is a partial person, matched by external id, else by email.
type PersonPatch struct {
	ExternalID        string           `json:"external_id"`
	Email             *string          `json:"email,omitempty"`
	Name              *string          `json:"name,omitempty"`
	Title             *string          `json:"title,omitempty"`
	Champion          *bool            `json:"champion,omitempty"`
	Traits            *json.RawMessage `json:"traits,omitempty"`
	AccountID         *string          `json:"account_id,omitempty"`
	AccountExternalID *string          `json:"account_external_id,omitempty"`
}

// ApplyTo copies the set fields onto p (the account is resolved by the store).
func (pp *PersonPatch) ApplyTo(p *Person) {
	if pp.ExternalID != "" {
		p.ExternalID = pp.ExternalID
	}
	set(&p.Email, pp.Email)
	set(&p.Name, pp.Name)
	set(&p.Title, pp.Title)
	set(&p.Champion, pp.Champion)
	set(&p.Traits, pp.Traits)
	set(&p.AccountID, pp.AccountID)
}

// UpsertResult counts what a bulk upsert did.
type UpsertResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}
