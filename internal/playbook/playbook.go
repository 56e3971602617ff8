// Package playbook is the rules of playbooks: a named, ordered list of task templates
// that a signal or a person starts on an account. Starting one makes a task per step,
// due a number of days after the day it started, for the account's owner or for the
// member the step names. Storage and the runs themselves are in store/playbooks.go.
package playbook

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
)

// Limits keep a playbook a checklist a person can read, not a project plan.
const (
	MaxSteps   = 30
	MaxDueDays = 365
	MaxTitle   = 300
	MaxName    = 200
)

// Step is one task template.
type Step struct {
	Title   string `json:"title"`
	DueDays int    `json:"due_days"` // the task is due this many days after the run starts (0: the same day)
	// AssigneeID is the member who gets the task; "" is the account's owner (or, for an
	// account nobody owns, its tier's default owner).
	AssigneeID string `json:"assignee_id"`
}

// Playbook is a named list of steps, started by hand or by the signal rules it is
// attached to.
type Playbook struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Signals   []string  `json:"signals"` // signal rules (health.SignalRules) that start it
	Steps     []Step    `json:"steps"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Normalize trims what people type and drops repeated signals, keeping their order.
func (p *Playbook) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	var sigs []string
	for _, s := range p.Signals {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(sigs, s) {
			sigs = append(sigs, s)
		}
	}
	p.Signals = sigs
	for i := range p.Steps {
		p.Steps[i].Title = strings.TrimSpace(p.Steps[i].Title)
		p.Steps[i].AssigneeID = strings.TrimSpace(p.Steps[i].AssigneeID)
	}
}

// Validate checks a normalized playbook; the field names are the API's.
func (p Playbook) Validate() error {
	if p.Name == "" || len([]rune(p.Name)) > MaxName {
		return errs.Invalidf("name", "is required, at most %d characters", MaxName)
	}
	for _, s := range p.Signals {
		if !slices.Contains(health.SignalRules, s) {
			return errs.Invalidf("signals", "unknown signal rule %q (one of %s)", s, strings.Join(health.SignalRules, ", "))
		}
	}
	if len(p.Steps) == 0 || len(p.Steps) > MaxSteps {
		return errs.Invalidf("steps", "a playbook has from 1 to %d steps", MaxSteps)
	}
	for i, st := range p.Steps {
		f := fmt.Sprintf("steps[%d].", i)
		if st.Title == "" || len([]rune(st.Title)) > MaxTitle {
			return errs.Invalidf(f+"title", "is required, at most %d characters", MaxTitle)
		}
		if st.DueDays < 0 || st.DueDays > MaxDueDays {
			return errs.Invalidf(f+"due_days", "must be from 0 to %d", MaxDueDays)
		}
	}
	return nil
}

// DueDate is the due day of a step started at start: the UTC day of start plus days.
// Days are calendar days, so a step due in 1 day from 23:30 on the 31st is due on the
// 1st, and months and leap years fall where the calendar puts them.
func DueDate(start time.Time, days int) string {
	d := start.UTC()
	return time.Date(d.Year(), d.Month(), d.Day()+days, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Assignee is who gets a step's task: the step's member when it names one, else the
// account's owner (already resolved to the tier's default owner when nobody owns it).
func Assignee(st Step, accountOwner string) string {
	if st.AssigneeID != "" {
		return st.AssigneeID
	}
	return accountOwner
}
