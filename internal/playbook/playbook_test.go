package playbook_test

import (
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/playbook"
)

// Relative due dates, worked by hand on the calendar.
func TestDueDate(t *testing.T) {
	for _, c := range []struct {
		start string
		days  int
		want  string
	}{
		{"2026-06-15T10:00:00Z", 0, "2026-06-15"},      // the same day
		{"2026-06-15T10:00:00Z", 3, "2026-06-18"},      // within the month
		{"2026-06-28T10:00:00Z", 5, "2026-07-03"},      // June has 30 days
		{"2026-12-31T23:30:00Z", 1, "2027-01-01"},      // late in the evening, across the year
		{"2028-02-28T08:00:00Z", 1, "2028-02-29"},      // a leap year
		{"2027-02-28T08:00:00Z", 1, "2027-03-01"},      // not a leap year
		{"2026-06-15T23:30:00-05:00", 0, "2026-06-16"}, // the UTC day: 04:30 on the 16th
		{"2026-01-01T00:00:00Z", 365, "2027-01-01"},
	} {
		start, err := time.Parse(time.RFC3339, c.start)
		if err != nil {
			t.Fatal(err)
		}
		if got := playbook.DueDate(start, c.days); got != c.want {
			t.Errorf("DueDate(%s, %d) = %s, want %s", c.start, c.days, got, c.want)
		}
	}
}

func TestAssignee(t *testing.T) {
	for _, c := range []struct{ step, owner, want string }{
		{"", "owner1", "owner1"}, // default: the account's owner
		{"m2", "owner1", "m2"},   // the step names someone
		{"", "", ""},             // nobody owns the account and its tier has no default
	} {
		if got := playbook.Assignee(playbook.Step{AssigneeID: c.step}, c.owner); got != c.want {
			t.Errorf("Assignee(%q, %q) = %q, want %q", c.step, c.owner, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := func() playbook.Playbook {
		return playbook.Playbook{Name: " Save the account ", Signals: []string{"health_red", " health_red"},
			Steps: []playbook.Step{{Title: " Call the champion ", DueDays: 1}, {Title: "Exec sponsor email", DueDays: 7}}}
	}
	p := ok()
	p.Normalize()
	if err := p.Validate(); err != nil || p.Name != "Save the account" || len(p.Signals) != 1 || p.Steps[0].Title != "Call the champion" {
		t.Fatalf("valid playbook: %v %+v", err, p)
	}
	for field, mod := range map[string]func(*playbook.Playbook){
		"name":              func(p *playbook.Playbook) { p.Name = "" },
		"signals":           func(p *playbook.Playbook) { p.Signals = []string{"moon_phase"} },
		"steps":             func(p *playbook.Playbook) { p.Steps = nil },
		"steps[1].title":    func(p *playbook.Playbook) { p.Steps[1].Title = "  " },
		"steps[0].due_days": func(p *playbook.Playbook) { p.Steps[0].DueDays = -1 },
		"steps[1].due_days": func(p *playbook.Playbook) { p.Steps[1].DueDays = 366 },
	} {
		p := ok()
		mod(&p)
		p.Normalize()
		var fe *errs.FieldError
		if err := p.Validate(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}
