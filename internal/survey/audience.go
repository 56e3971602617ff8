package survey

import (
	"slices"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// Settings are the team's survey policy.
type Settings struct {
	// ThrottleDays: nobody gets a survey (of any kind) more often than this.
	ThrottleDays int `json:"throttle_days"`
}

// DefaultThrottleDays is the usual quarter between two surveys to one person.
const DefaultThrottleDays = 90

// Defaults is the policy of a new install.
func Defaults() Settings { return Settings{ThrottleDays: DefaultThrottleDays} }

// Validate checks the policy.
func (s Settings) Validate() error {
	if s.ThrottleDays < 1 || s.ThrottleDays > 3650 {
		return errs.Invalid("throttle_days", "must be between 1 and 3650 days")
	}
	return nil
}

// Candidate is one person the send job considers for one survey.
type Candidate struct {
	PersonID, Email   string
	Tier, Plan, Stage string
	Signup            time.Time // the account's signup date, else when the person was added
	LastSurveyed      time.Time // the last survey of any kind sent to them; zero: never
	LastThisSurvey    time.Time // the last send of this survey to them; zero: never
}

// Matches says whether the person's account is in the audience's segment.
func (a Audience) Matches(c Candidate) bool {
	in := func(l []string, v string) bool { return len(l) == 0 || slices.Contains(l, v) }
	return in(a.Tiers, c.Tier) && in(a.Plans, c.Plan) && in(a.Stages, c.Stage)
}

// signupGrace: an after-signup survey reaches people whose day came at most this
// long before the survey existed (a job that did not run for a few days catches up),
// not everyone who signed up years ago.
const signupGrace = 7 * 24 * time.Hour

// Due says whether the survey s should be sent to c now, under the throttle.
func Due(s Survey, throttleDays int, c Candidate, now time.Time) bool {
	if c.Email == "" || !s.Active || !s.Audience.Matches(c) {
		return false
	}
	if !c.LastSurveyed.IsZero() && now.Sub(c.LastSurveyed) < time.Duration(throttleDays)*24*time.Hour {
		return false
	}
	if d := s.Audience.AfterSignupDays; d > 0 {
		if !c.LastThisSurvey.IsZero() || c.Signup.IsZero() {
			return false // once per person
		}
		day := c.Signup.AddDate(0, 0, d)
		return !day.After(now) && !day.Before(s.CreatedAt.Add(-signupGrace))
	}
	return true
}
