package revenue

import (
	"math"
	"testing"
	"time"
)

// ev is one "set MRR" in the hand-worked ledger: at (UTC, "2006-01-02 15:04"), the
// account's MRR becomes major units of its currency.
type ev struct {
	at  string
	mrr int64
}

func ledgerOf(t *testing.T, currency string, evs ...ev) []Movement {
	t.Helper()
	var st State
	var out []Movement
	for _, e := range evs {
		at, err := time.Parse("2006-01-02 15:04", e.at)
		if err != nil {
			t.Fatal(err)
		}
		m, ok, err := SetMRR(st, e.mrr*100, currency, at)
		if err != nil || !ok {
			t.Fatalf("%s %d: ok=%v err=%v", e.at, e.mrr, ok, err)
		}
		out = append(out, m)
		st = st.Next(m)
	}
	return out
}

// handLedger is a dozen accounts over January–June 2026 (three already paying in
// December 2025), in USD and EUR, covering every kind of movement; A7 is a plan
// change recorded as a cancel and a new purchase 20 minutes apart, and A12 cancels
// and returns within May. The expected figures below are worked out by hand in the
// comments of TestMetricsHandWorked.
func handLedger(t *testing.T) []AccountHistory {
	h := func(id, tier, cur string, evs ...ev) AccountHistory {
		return AccountHistory{ID: id, Tier: tier, Movements: ledgerOf(t, cur, evs...)}
	}
	return []AccountHistory{
		h("A1", "standard", "USD", ev{"2026-01-05 09:00", 100}, ev{"2026-03-10 09:00", 150}),
		h("A2", "standard", "USD", ev{"2026-01-10 09:00", 200}, ev{"2026-02-15 09:00", 120}),
		h("A3", "standard", "USD", ev{"2026-01-20 09:00", 50}, ev{"2026-03-01 09:00", 0}, ev{"2026-05-05 09:00", 80}),
		h("A4", "strategic", "USD", ev{"2026-02-03 09:00", 300}, ev{"2026-04-10 09:00", 0}),
		h("A5", "strategic", "USD", ev{"2025-12-01 09:00", 100}, ev{"2026-01-15 09:00", 130}, ev{"2026-06-01 09:00", 90}),
		h("A6", "strategic", "USD", ev{"2025-12-05 09:00", 400}, ev{"2026-02-20 09:00", 0}),
		h("A7", "standard", "USD", ev{"2026-01-08 10:00", 100}, ev{"2026-04-02 10:00", 0}, ev{"2026-04-02 10:20", 160}),
		h("A8", "standard", "USD", ev{"2026-03-05 09:00", 60}, ev{"2026-03-25 09:00", 90}),
		h("A9", "standard", "EUR", ev{"2026-01-12 09:00", 100}, ev{"2026-04-01 09:00", 200}),
		h("A10", "strategic", "EUR", ev{"2026-02-01 09:00", 250}, ev{"2026-05-20 09:00", 0}),
		h("A11", "standard", "EUR", ev{"2025-12-10 09:00", 80}, ev{"2026-03-15 09:00", 40}, ev{"2026-06-10 09:00", 0}),
		h("A12", "standard", "USD", ev{"2026-01-02 09:00", 70}, ev{"2026-05-03 09:00", 0}, ev{"2026-05-25 09:00", 100}),
	}
}

// want is one period's figures in major units (ARPA rounded to the cent); ratios as
// fractions, -1 for "none".
type want struct {
	start, nw, exp, contr, churn, react, end int64
	custStart, custEnd                       int
	grr, nrr, logoChurn, qr, up, down, arpa  float64
}

const none = -1.0

var (
	jan = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jul = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
)

func checkPeriods(t *testing.T, name string, got []Period, w []want) {
	t.Helper()
	if len(got) != len(w) {
		t.Fatalf("%s: %d periods, want %d", name, len(got), len(w))
	}
	for i, p := range got {
		e := w[i]
		amounts := []struct {
			what      string
			got, want int64
		}{{"start", p.StartMRR, e.start}, {"new", p.New, e.nw}, {"expansion", p.Expansion, e.exp},
			{"contraction", p.Contraction, e.contr}, {"churn", p.Churn, e.churn}, {"reactivation", p.Reactivation, e.react}, {"end", p.EndMRR, e.end}}
		for _, a := range amounts {
			if a.got != a.want*100 {
				t.Errorf("%s %s %s = %d, want %d", name, p.Label, a.what, a.got, a.want*100)
			}
		}
		if !p.IdentityHolds {
			t.Errorf("%s %s: identity broken", name, p.Label)
		}
		if p.CustomersStart != e.custStart || p.CustomersEnd != e.custEnd {
			t.Errorf("%s %s customers %d→%d, want %d→%d", name, p.Label, p.CustomersStart, p.CustomersEnd, e.custStart, e.custEnd)
		}
		ratios := []struct {
			what string
			got  *float64
			want float64
		}{{"grr", p.GRR, e.grr}, {"nrr", p.NRR, e.nrr}, {"logo churn", p.LogoChurn, e.logoChurn}, {"quick ratio", p.QuickRatio, e.qr},
			{"upgrade rate", p.UpgradeRate, e.up}, {"downgrade rate", p.DowngradeRate, e.down}}
		for _, r := range ratios {
			switch {
			case r.want == none && r.got != nil:
				t.Errorf("%s %s %s = %v, want none", name, p.Label, r.what, *r.got)
			case r.want != none && (r.got == nil || math.Abs(*r.got-r.want) > 1e-9):
				t.Errorf("%s %s %s = %v, want %v", name, p.Label, r.what, fmtp(r.got), r.want)
			}
		}
		// By MRR: expansion and contraction as shares of the start MRR.
		if e.start > 0 {
			if p.UpgradeMRRRate == nil || math.Abs(*p.UpgradeMRRRate-float64(e.exp)/float64(e.start)) > 1e-12 ||
				p.DowngradeMRRRate == nil || math.Abs(*p.DowngradeMRRRate-float64(e.contr)/float64(e.start)) > 1e-12 {
				t.Errorf("%s %s upgrade/downgrade by MRR = %v/%v, want %d/%d of %d", name, p.Label, fmtp(p.UpgradeMRRRate), fmtp(p.DowngradeMRRRate), e.exp, e.contr, e.start)
			}
		}
		if p.LogoChurn != nil && math.Abs(*p.LogoRetention+*p.LogoChurn-1) > 1e-12 {
			t.Errorf("%s %s: logo retention %v is not 1 − churn", name, p.Label, *p.LogoRetention)
		}
		if p.ARPA == nil || float64(*p.ARPA) != math.Round(e.arpa*100) {
			t.Errorf("%s %s ARPA = %v, want %v", name, p.Label, p.ARPA, e.arpa*100)
		}
	}
}

func fmtp(p *float64) any {
	if p == nil {
		return "none"
	}
	return *p
}

func series(t *testing.T, r Report, seg, cur string) []Period {
	t.Helper()
	for _, s := range r.Series {
		if s.Segment == seg && s.Currency == cur {
			return s.Periods
		}
	}
	t.Fatalf("no series %q/%q in %+v", seg, cur, r.Series)
	return nil
}

func TestMetricsHandWorked(t *testing.T) {
	accts := handLedger(t)
	rep, err := Metrics(accts, Options{From: jan, To: jul, Interval: Month, Defs: DefaultDefinitions})
	if err != nil {
		t.Fatal(err)
	}
	// USD, worked by hand (amounts in dollars):
	// Jan: start A5 100 + A6 400 = 500; new A1 100, A2 200, A3 50, A7 100, A12 70 = 520;
	//      A5 +30. End 1050, 7 customers. NRR 530/500, upgrade 1 of 2.
	// Feb: A4 new 300; A2 −80; A6 churns 400. End 870. GRR = NRR = 570/1050; QR 300/480.
	// Mar: A1 +50, A8 new 60 then +30 (days apart: not grouped), A3 churns 50. End 960.
	//      GRR 820/870, NRR 900/870, QR 140/50, upgrades A1 and A8 of 7.
	// Apr: A4 churns 300; A7's cancel and re-purchase 20 minutes apart is one
	//      expansion 100→160. End 720, 6 customers. QR 60/300.
	// May: A3 reactivates 80; A12 cancels (70) and returns at 100. End 830.
	//      QR (new + expansion + reactivation)/(contraction + churn) = 180/70.
	// Jun: A5 −40. End 790.
	usd := []want{
		{500, 520, 30, 0, 0, 0, 1050, 2, 7, 1, 530.0 / 500, 0, none, 0.5, 0, 150},
		{1050, 300, 0, 80, 400, 0, 870, 7, 7, 570.0 / 1050, 570.0 / 1050, 1.0 / 7, 300.0 / 480, 0, 1.0 / 7, 870.0 / 7},
		{870, 60, 80, 0, 50, 0, 960, 7, 7, 820.0 / 870, 900.0 / 870, 1.0 / 7, 140.0 / 50, 2.0 / 7, 0, 960.0 / 7},
		{960, 0, 60, 0, 300, 0, 720, 7, 6, 660.0 / 960, 720.0 / 960, 1.0 / 7, 60.0 / 300, 1.0 / 7, 0, 120},
		{720, 0, 0, 0, 70, 180, 830, 6, 7, 650.0 / 720, 830.0 / 720, 1.0 / 6, 180.0 / 70, 0, 0, 830.0 / 7},
		{830, 0, 0, 40, 0, 0, 790, 7, 7, 790.0 / 830, 790.0 / 830, 0, 0, 0, 1.0 / 7, 790.0 / 7},
	}
	checkPeriods(t, "USD", series(t, rep, "", "USD"), usd)
	// EUR: A11 pays 80 from December; A9 new 100 in Jan, +100 in Apr; A10 new 250 in
	// Feb, churns in May; A11 −40 in Mar, churns in Jun.
	eur := []want{
		{80, 100, 0, 0, 0, 0, 180, 1, 2, 1, 1, 0, none, 0, 0, 90},
		{180, 250, 0, 0, 0, 0, 430, 2, 3, 1, 1, 0, none, 0, 0, 430.0 / 3},
		{430, 0, 0, 40, 0, 0, 390, 3, 3, 390.0 / 430, 390.0 / 430, 0, 0, 0, 1.0 / 3, 130},
		{390, 0, 100, 0, 0, 0, 490, 3, 3, 1, 490.0 / 390, 0, none, 1.0 / 3, 0, 490.0 / 3},
		{490, 0, 0, 0, 250, 0, 240, 3, 2, 240.0 / 490, 240.0 / 490, 1.0 / 3, 0, 0, 0, 120},
		{240, 0, 0, 0, 40, 0, 200, 2, 1, 200.0 / 240, 200.0 / 240, 1.0 / 2, 0, 0, 0, 200},
	}
	checkPeriods(t, "EUR", series(t, rep, "", "EUR"), eur)
	if len(rep.Series) != 2 {
		t.Errorf("%d series, want USD and EUR only", len(rep.Series))
	}
}

// The contested definitions, each changed alone against the hand-worked ledger.
func TestMetricsDefinitions(t *testing.T) {
	accts := handLedger(t)
	run := func(d Definitions) []Period {
		rep, err := Metrics(accts, Options{From: jan, To: jul, Defs: d})
		if err != nil {
			t.Fatal(err)
		}
		return series(t, rep, "", "USD")
	}
	// Quick ratio without reactivation: May's numerator is 0.
	noReact := DefaultDefinitions
	noReact.QuickRatioReactivation = false
	if p := run(noReact)[4]; p.QuickRatio == nil || *p.QuickRatio != 0 {
		t.Errorf("May QR without reactivation = %v, want 0", fmtp(p.QuickRatio))
	}
	// No grouping: A7 in April is a churn of 100 and a reactivation of 160.
	noGroup := DefaultDefinitions
	noGroup.GroupMinutes = 0
	apr := run(noGroup)[3]
	if apr.Churn != 40000 || apr.Reactivation != 16000 || apr.Expansion != 0 || apr.EndMRR != 72000 {
		t.Errorf("April ungrouped = churn %d react %d exp %d end %d, want 40000 16000 0 72000", apr.Churn, apr.Reactivation, apr.Expansion, apr.EndMRR)
	}
	if apr.QuickRatio == nil || *apr.QuickRatio != 160.0/400 {
		t.Errorf("April ungrouped QR = %v, want 0.4", fmtp(apr.QuickRatio))
	}
	// Churn at period end: A12's cancel and return within May is an expansion of 30;
	// A3's reactivation stays (it left in March). Nothing churned in May, so no QR.
	pe := DefaultDefinitions
	pe.ChurnAtPeriodEnd = true
	may := run(pe)[4]
	if may.Churn != 0 || may.Reactivation != 8000 || may.Expansion != 3000 || may.EndMRR != 83000 || may.QuickRatio != nil || may.ChurnedCustomers != 0 {
		t.Errorf("May churn-at-period-end = churn %d react %d exp %d end %d qr %v", may.Churn, may.Reactivation, may.Expansion, may.EndMRR, fmtp(may.QuickRatio))
	}
	// A churn that stays through the period end is still a churn (A4 in April).
	if apr := run(pe)[3]; apr.Churn != 30000 {
		t.Errorf("April churn-at-period-end = %d, want 30000", apr.Churn)
	}
}

func TestMetricsConvertedAndSegments(t *testing.T) {
	accts := handLedger(t)
	rep, err := Metrics(accts, Options{From: jan, To: jul, Defs: DefaultDefinitions,
		Convert: Conversion{Currency: "USD", Rates: map[string]float64{"EUR": 1.1}}, GroupBy: ByTier})
	if err != nil {
		t.Fatal(err)
	}
	all := series(t, rep, "", "USD")
	// January: USD start 500 + EUR 80 × 1.1 = 588; end 1050 + 180 × 1.1 = 1248.
	if all[0].StartMRR != 58800 || all[0].EndMRR != 124800 {
		t.Errorf("converted January %d→%d, want 58800→124800", all[0].StartMRR, all[0].EndMRR)
	}
	// Strategic accounts: A4, A5, A6 (USD) and A10 (EUR 250 = 275 USD from February).
	// February: start A5 130 + A6 400 = 530; new A4 300 + A10 275; churn A6 400 → 705.
	strat := series(t, rep, "strategic", "USD")
	if f := strat[1]; f.StartMRR != 53000 || f.New != 57500 || f.Churn != 40000 || f.EndMRR != 70500 {
		t.Errorf("strategic February = %+v", f)
	}
	// Without a EUR rate the EUR accounts are left out and counted, not guessed.
	rep, err = Metrics(accts, Options{From: jan, To: jul, Defs: DefaultDefinitions, Convert: Conversion{Currency: "USD"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.UnconvertedAccounts != 3 || len(rep.Unconverted) != 1 || rep.Unconverted[0] != "EUR" {
		t.Errorf("unconverted = %d %v, want 3 [EUR]", rep.UnconvertedAccounts, rep.Unconverted)
	}
	if got := series(t, rep, "", "USD")[0].EndMRR; got != 105000 {
		t.Errorf("USD-only January end = %d, want 105000", got)
	}
}

func TestMetricsQuarterAndYear(t *testing.T) {
	accts := handLedger(t)
	rep, err := Metrics(accts, Options{From: jan, To: jul, Interval: Quarter, Defs: DefaultDefinitions})
	if err != nil {
		t.Fatal(err)
	}
	q := series(t, rep, "", "USD")
	// Q1: start 500, end 960; Q2: start 960, end 790. Labels name the quarter.
	if len(q) != 2 || q[0].Label != "2026-Q1" || q[0].StartMRR != 50000 || q[0].EndMRR != 96000 || q[1].Label != "2026-Q2" || q[1].EndMRR != 79000 {
		t.Errorf("quarters = %+v", q)
	}
	// Q1 new: A1 100, A2 200, A3 50, A7 100, A12 70, A4 300, A8 60 = 880.
	if q[0].New != 88000 || q[0].NewCustomers != 7 {
		t.Errorf("Q1 new = %d (%d customers), want 88000 (7)", q[0].New, q[0].NewCustomers)
	}
	rep, err = Metrics(accts, Options{From: jan, To: jul, Interval: Year, Defs: DefaultDefinitions})
	if err != nil {
		t.Fatal(err)
	}
	if y := series(t, rep, "", "USD"); len(y) != 1 || y[0].Label != "2026" || y[0].StartMRR != 50000 || y[0].EndMRR != 79000 || !y[0].IdentityHolds {
		t.Errorf("year = %+v", y)
	}
}

func TestCohortsHandWorked(t *testing.T) {
	rep, err := Cohorts(handLedger(t), jan, jul, DefaultDefinitions, Conversion{})
	if err != nil {
		t.Fatal(err)
	}
	type cw struct {
		month, cur string
		accounts   int
		mrr        []int64 // end of each month, major units
		paying     []int
	}
	// USD January cohort: A1, A2, A3, A7, A12. End of Jan 100+200+50+100+70 = 520;
	// Feb A2 at 120 → 440; Mar A1 150, A3 gone → 440; Apr A7 160 → 500; May A3 back at
	// 80, A12 at 100 → 610; Jun 610. A5, A6, A11 joined in December: outside the range.
	wantC := []cw{
		{"2026-01", "EUR", 1, []int64{100, 100, 100, 200, 200, 200}, []int{1, 1, 1, 1, 1, 1}},
		{"2026-01", "USD", 5, []int64{520, 440, 440, 500, 610, 610}, []int{5, 5, 4, 4, 5, 5}},
		{"2026-02", "EUR", 1, []int64{250, 250, 250, 0, 0}, []int{1, 1, 1, 0, 0}},
		{"2026-02", "USD", 1, []int64{300, 300, 0, 0, 0}, []int{1, 1, 0, 0, 0}},
		{"2026-03", "USD", 1, []int64{90, 90, 90, 90}, []int{1, 1, 1, 1}},
	}
	if len(rep.Cohorts) != len(wantC) {
		t.Fatalf("%d cohorts, want %d: %+v", len(rep.Cohorts), len(wantC), rep.Cohorts)
	}
	for i, w := range wantC {
		c := rep.Cohorts[i]
		if c.Month != w.month || c.Currency != w.cur || c.Accounts != w.accounts || len(c.Cells) != len(w.mrr) {
			t.Fatalf("cohort %d = %s %s %d accounts %d cells, want %+v", i, c.Month, c.Currency, c.Accounts, len(c.Cells), w)
		}
		for k, cell := range c.Cells {
			if cell.MRR != w.mrr[k]*100 || cell.Paying != w.paying[k] {
				t.Errorf("%s %s month %d = %d paying %d, want %d paying %d", w.month, w.cur, k, cell.MRR, cell.Paying, w.mrr[k]*100, w.paying[k])
			}
			if got, want := *cell.RevenueRetention, float64(w.mrr[k])/float64(w.mrr[0]); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s %s month %d revenue retention %v, want %v", w.month, w.cur, k, got, want)
			}
			if got, want := *cell.LogoRetention, float64(w.paying[k])/float64(w.accounts); got != want {
				t.Errorf("%s %s month %d logo retention %v, want %v", w.month, w.cur, k, got, want)
			}
		}
	}
	// By signup (a definition): a signup date, when known, decides the cohort even
	// before the first payment; by default it does not.
	accts := handLedger(t)
	accts[7].Signup = time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC) // A8 signed up in Feb, paid in Mar
	rep, _ = Cohorts(accts, jan, jul, DefaultDefinitions, Conversion{})
	if rep.Cohorts[3].Month != "2026-02" || rep.Cohorts[3].Accounts != 1 {
		t.Errorf("by first payment, A8's signup moved it: %+v", rep.Cohorts[3])
	}
	bySignup := DefaultDefinitions
	bySignup.CohortBySignup = true
	rep, _ = Cohorts(accts, jan, jul, bySignup, Conversion{})
	for _, c := range rep.Cohorts {
		if c.Month == "2026-02" && c.Currency == "USD" {
			if c.Accounts != 2 || c.MRR0 != 30000 || c.Cells[1].MRR != 39000 {
				t.Errorf("February USD cohort with A8 = %+v", c)
			}
		}
	}
}
