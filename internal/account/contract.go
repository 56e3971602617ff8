package account

import (
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
)

// Contract is the commercial agreement behind an account's revenue.
type Contract struct {
	ID                 string    `json:"id"`
	AccountID          string    `json:"account_id"`
	StartDate          string    `json:"start_date"`   // YYYY-MM-DD
	TermMonths         int       `json:"term_months"`  // e.g. 12
	RenewalDate        string    `json:"renewal_date"` // derived from start+term when not given
	AutoRenew          bool      `json:"auto_renew"`
	CancellationWindow int       `json:"cancellation_window_days"` // e.g. 90-day out clause
	Value              int64     `json:"value"`                    // total contract value, minor units
	Currency           string    `json:"currency"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Normalize derives the renewal date from start and term when it is missing.
func (c *Contract) Normalize() {
	if c.RenewalDate == "" && ValidDate(c.StartDate) && c.TermMonths > 0 {
		s, _ := time.Parse("2006-01-02", c.StartDate)
		c.RenewalDate = s.AddDate(0, c.TermMonths, 0).Format("2006-01-02")
	}
}

// Validate checks the contract's dates and numbers.
func (c *Contract) Validate() error {
	if c.AccountID == "" {
		return errs.Invalid("account_id", "is required")
	}
	if !ValidDate(c.StartDate) {
		return errs.Invalidf("start_date", "%q is not a date in the form YYYY-MM-DD", c.StartDate)
	}
	if c.TermMonths < 1 || c.TermMonths > 120 {
		return errs.Invalid("term_months", "must be between 1 and 120")
	}
	if !ValidDate(c.RenewalDate) {
		return errs.Invalidf("renewal_date", "%q is not a date in the form YYYY-MM-DD", c.RenewalDate)
	}
	if c.RenewalDate <= c.StartDate {
		return errs.Invalid("renewal_date", "must be after start_date")
	}
	if c.CancellationWindow < 0 || c.CancellationWindow > 365 {
		return errs.Invalid("cancellation_window_days", "must be between 0 and 365")
	}
	if c.Value < 0 {
		return errs.Invalid("value", "cannot be negative")
	}
	if c.Value > money.MaxAmount {
		return errs.Invalid("value", money.TooLarge(c.Currency))
	}
	return nil
}

// NoticeDeadline is the last day the customer can cancel before the contract renews:
// the renewal date minus the cancellation window.
func (c *Contract) NoticeDeadline() string {
	r, err := time.Parse("2006-01-02", c.RenewalDate)
	if err != nil {
		return ""
	}
	return r.AddDate(0, 0, -c.CancellationWindow).Format("2006-01-02")
}

// DaysToRenewal counts whole days from today to the renewal date (negative when past).
func (c *Contract) DaysToRenewal(today time.Time) int {
	r, err := time.Parse("2006-01-02", c.RenewalDate)
	if err != nil {
		return 0
	}
	t := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	return int(r.Sub(t).Hours() / 24)
}
