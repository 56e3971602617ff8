package feedback

import (
	"strings"
	"testing"
	"time"
)

// The figures below are worked by hand; the comments show the arithmetic.
func TestComputeHandWorked(t *testing.T) {
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	accounts := map[string]AccountFacts{
		"A1": {MRR: 100000, Currency: "USD", RenewalDate: "2026-08-15"},           // renews in 46 days: at risk
		"A2": {MRR: 50000, Currency: "USD", RenewalDate: "2027-03-01", CAB: true}, // CAB member
		"A3": {Churned: true, ChurnedMRR: 30000, Currency: "USD"},                 // churned at $300
		"A4": {MRR: 20000, Currency: "EUR"},                                       // €200 → $220 at 1.10
		"A5": {MRR: 40000, Currency: "GBP"},                                       // no GBP rate: left out
	}
	ev := []Evidence{
		// R1: A1 asks three times through three channels (email, Zendesk, a Slack vote)
		// by two people — one account, two people.
		{"R1", "A1", "p1", ago(5)},
		{"R1", "A1", "p1", ago(10)},
		{"R1", "A1", "p2", ago(40)},
		{"R1", "A2", "p3", ago(20)},
		{"R1", "A3", "p4", ago(100)},
		// R2: two small accounts in other currencies.
		{"R2", "A4", "p5", ago(2)},
		{"R2", "A5", "p6", ago(3)},
	}
	opts := DefaultRankOptions(now)
	opts.Rates = map[string]float64{"EUR": 1.10}
	opts.Strategic = map[string]int{"R2": 10}
	got := Compute(ev, accounts, opts)
	want := []Rank{
		// R1: accounts A1,A2,A3 = 3; people p1..p4 = 4; CAB 1 → weighted (3−1)+2×1 = 4;
		// MRR 1000+500 = $1,500 (A3 churned, not current); churned $300; at risk A1 $1,000;
		// last 30 days: 5,10,20 = 3; prior 30: 40 = 1; last 90: 4; total 5; trend 3−1 = 2.
		// Priority: every component is the maximum → .25+.30+.10+.15+.05 = .85 → 85.0.
		{Subject: "R1", Accounts: 3, People: 4, CABAccounts: 1, WeightedAccounts: 4, MRR: 150000, ChurnedMRR: 30000,
			AtRiskMRR: 100000, Last30: 3, Prior30: 1, Last90: 4, Total: 5, Trend: 2, Priority: 85.0},
		// R2: accounts 2, people 2, weighted 2; MRR $220 (A5 unconverted); trend 2.
		// Priority: .25×2/4 + .30×22000/150000 + .05×2/2 + .15×10/10 = .125+.044+.05+.15 = .369 → 36.9.
		{Subject: "R2", Accounts: 2, People: 2, WeightedAccounts: 2, MRR: 22000, Last30: 2, Last90: 2, Total: 2,
			Trend: 2, Strategic: 10, Priority: 36.9, Unconverted: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d ranks: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rank %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	// CAB weighting is a setting: at weight 1 the CAB account counts like any other.
	opts.CABWeight = 1
	if r := Compute(ev, accounts, opts)[0]; r.WeightedAccounts != 3 {
		t.Errorf("CAB weight 1: weighted accounts %v, want 3", r.WeightedAccounts)
	}
	// Renewal window is a setting: at 30 days A1 (46 days out) is not at risk.
	opts.RenewalWindowDays = 30
	if r := Compute(ev, accounts, opts)[0]; r.AtRiskMRR != 0 {
		t.Errorf("30-day window: at risk %d, want 0", r.AtRiskMRR)
	}
}

func TestWeightsOnlyStrategic(t *testing.T) {
	now := time.Now()
	opts := DefaultRankOptions(now)
	opts.Weights = Weights{Strategic: 1}
	opts.Strategic = map[string]int{"a": 3, "b": 7}
	got := Compute(nil, nil, opts)
	if len(got) != 2 || got[0].Subject != "b" || got[0].Priority != 70 || got[1].Priority != 30 {
		t.Fatalf("%+v", got)
	}
}

func TestCaptureNormalizeAndValidate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Capture{Text: "  We need SSO with Okta. Also audit logs please!  ", Source: SourceEmail, Email: " Ann@Acme.COM "}
	c.Normalize(now)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Quote != "We need SSO with Okta." || c.Email != "ann@acme.com" || c.Kind != Other || !c.OccurredAt.Equal(now) {
		t.Fatalf("%+v", c)
	}
	bad := []Capture{
		{Text: "", Source: SourceAPI},
		{Text: "x", Source: "fax"},
		{Text: "x", Source: SourceAPI, Kind: "wish"},
		{Text: "x", Source: SourceAPI, Email: "nope"},
		{Text: "x", Source: SourceAPI, ExternalURL: "javascript:alert(1)"},
	}
	for _, b := range bad {
		b.Normalize(now)
		if b.Validate() == nil {
			t.Errorf("%+v accepted", b)
		}
	}
	long := Capture{Text: "é" + strings.Repeat("a", MaxText+10), Source: SourceAPI}
	long.Normalize(now)
	if len(long.Text) > MaxText {
		t.Fatalf("not truncated: %d", len(long.Text))
	}
}
