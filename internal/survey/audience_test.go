package survey

import (
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	seg := Survey{Kind: NPS, Active: true, Audience: Audience{Tiers: []string{"enterprise"}, Stages: []string{"customer"}}, CreatedAt: days(400)}
	after := Survey{Kind: CSAT, Active: true, Audience: Audience{AfterSignupDays: 30}, CreatedAt: days(20)}
	ent := Candidate{PersonID: "p", Email: "a@x.com", Tier: "enterprise", Stage: "customer", Plan: "pro"}
	with := func(f func(*Candidate)) Candidate { c := ent; f(&c); return c }
	cases := []struct {
		name string
		s    Survey
		c    Candidate
		want bool
	}{
		{"in segment, never surveyed", seg, ent, true},
		{"no email", seg, with(func(c *Candidate) { c.Email = "" }), false},
		{"other tier", seg, with(func(c *Candidate) { c.Tier = "smb" }), false},
		{"other stage", seg, with(func(c *Candidate) { c.Stage = "churned" }), false},
		{"plan not restricted", seg, with(func(c *Candidate) { c.Plan = "" }), true},
		{"inactive survey", func() Survey { s := seg; s.Active = false; return s }(), ent, false},
		// Throttle 90 days: 89 days ago is too soon, exactly 90 is allowed.
		{"surveyed 89 days ago", seg, with(func(c *Candidate) { c.LastSurveyed = days(89) }), false},
		{"surveyed 90 days ago", seg, with(func(c *Candidate) { c.LastSurveyed, c.LastThisSurvey = days(90), days(90) }), true},
		// After signup: signed up 30 days ago (day is today) → due; 29 → not yet.
		{"signup day reached", after, with(func(c *Candidate) { c.Signup = days(30) }), true},
		{"signup day not yet", after, with(func(c *Candidate) { c.Signup = days(29) }), false},
		{"signup unknown", after, ent, false},
		{"once per person", after, with(func(c *Candidate) { c.Signup = days(30); c.LastThisSurvey = days(100); c.LastSurveyed = days(100) }), false},
		// The survey exists 20 days; a signup day 27 days ago (57 − 30) is within the
		// week's grace before it, 28 days ago is not: old customers are not swept up.
		{"day 27 days ago, in grace", after, with(func(c *Candidate) { c.Signup = days(57) }), true},
		{"day 28 days ago, too old", after, with(func(c *Candidate) { c.Signup = days(58) }), false},
		{"after signup but throttled", after, with(func(c *Candidate) { c.Signup = days(30); c.LastSurveyed = days(10) }), false},
	}
	for _, c := range cases {
		if got := Due(c.s, 90, c.c, now); got != c.want {
			t.Errorf("%s: Due = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSurveyValidate(t *testing.T) {
	s := Survey{Kind: "stars"}
	s.Normalize()
	if err := s.Validate(); err == nil || !hasField(err, "kind") {
		t.Fatalf("bad kind: %v", err)
	}
	s = Survey{Kind: NPS, Audience: Audience{AfterSignupDays: -1}}
	s.Normalize()
	if err := s.Validate(); err == nil || !hasField(err, "audience.after_signup_days") {
		t.Fatalf("bad days: %v", err)
	}
	s = Survey{Kind: CES, CSATMode: "median"}
	s.Normalize()
	if err := s.Validate(); err == nil || !hasField(err, "csat_mode") {
		t.Fatalf("bad mode: %v", err)
	}
	s = Survey{Kind: NPS, Audience: Audience{Tiers: []string{" enterprise ", "enterprise", ""}}}
	s.Normalize()
	if err := s.Validate(); err != nil || s.Question != DefaultQuestion(NPS) || len(s.Audience.Tiers) != 1 {
		t.Fatalf("normalized %+v: %v", s, err)
	}
	if err := NPS.CheckScore("score", 11); err == nil || !hasField(err, "score") {
		t.Fatalf("11 on NPS: %v", err)
	}
	if err := CES.CheckScore("score", 7); err != nil {
		t.Fatal(err)
	}
	if err := CSAT.CheckScore("score", 0); err == nil {
		t.Fatal("0 on CSAT accepted")
	}
}
