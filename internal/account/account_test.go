package account

import (
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestContractDates(t *testing.T) {
	cases := []struct {
		start    string
		term     int
		window   int
		today    string
		renewal  string
		notice   string
		daysLeft int
	}{
		{"2025-03-01", 12, 90, "2026-01-01", "2026-03-01", "2025-12-01", 59},
		{"2025-01-31", 1, 0, "2025-02-01", "2025-03-03", "2025-03-03", 30}, // Go's AddDate normalises Feb 31 → Mar 3
		{"2024-06-15", 24, 30, "2026-06-16", "2026-06-15", "2026-05-16", -1},
	}
	for _, c := range cases {
		k := Contract{AccountID: "a", StartDate: c.start, TermMonths: c.term, CancellationWindow: c.window}
		k.Normalize()
		if err := k.Validate(); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		today, _ := time.Parse("2006-01-02", c.today)
		if k.RenewalDate != c.renewal || k.NoticeDeadline() != c.notice || k.DaysToRenewal(today) != c.daysLeft {
			t.Errorf("%s+%dm: renewal %s notice %s days %d, want %s %s %d", c.start, c.term, k.RenewalDate, k.NoticeDeadline(), k.DaysToRenewal(today), c.renewal, c.notice, c.daysLeft)
		}
	}
	bad := []Contract{
		{AccountID: "a", StartDate: "2025-02-30", TermMonths: 12},
		{AccountID: "a", StartDate: "2025-01-01", TermMonths: 0},
		{AccountID: "a", StartDate: "2025-01-01", TermMonths: 12, RenewalDate: "2024-12-31"},
		{AccountID: "a", StartDate: "2025-01-01", TermMonths: 12, CancellationWindow: 400},
	}
	for _, b := range bad {
		b.Normalize()
		var fe *errs.FieldError
		if err := b.Validate(); !errors.As(err, &fe) {
			t.Errorf("%+v accepted", b)
		}
	}
}

func TestTouchpointDefaults(t *testing.T) {
	cases := []struct {
		kind TouchpointKind
		want Direction
	}{{Note, Internal}, {Call, Outbound}, {"EMAIL", Outbound}}
	for _, c := range cases {
		tp := Touchpoint{AccountID: "a", Kind: c.kind, Summary: " hi "}
		tp.Normalize()
		if tp.Direction != c.want || tp.Summary != "hi" || tp.OccurredAt.IsZero() {
			t.Errorf("%s: %+v", c.kind, tp)
		}
		if err := tp.Validate(); err != nil {
			t.Errorf("%s: %v", c.kind, err)
		}
	}
	future := Touchpoint{AccountID: "a", Kind: Call, Summary: "x", OccurredAt: time.Now().Add(72 * time.Hour)}
	future.Normalize()
	if err := future.Validate(); err == nil {
		t.Error("a touchpoint three days ahead was accepted")
	}
}

func TestPatchTouchesOnlyGivenFields(t *testing.T) {
	name, seats := "New", 7
	a := Account{Name: "Old", Plan: "pro", Seats: 1}
	p := AccountPatch{ExternalID: "x", Name: &name, Seats: &seats}
	p.ApplyTo(&a)
	if a.Name != "New" || a.Seats != 7 || a.Plan != "pro" || a.ExternalID != "x" {
		t.Fatalf("%+v", a)
	}
}
