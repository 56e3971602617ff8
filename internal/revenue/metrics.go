package revenue

import (
	"math"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
)

// Interval is the length of a reporting period.
type Interval string

const (
	Month   Interval = "month"
	Quarter Interval = "quarter"
	Year    Interval = "year"
)

// ParseInterval reads "month", "quarter" or "year"; "" is a month.
func ParseInterval(s string) (Interval, error) {
	switch Interval(s) {
	case "", Month:
		return Month, nil
	case Quarter, Year:
		return Interval(s), nil
	}
	return "", errs.Invalidf("interval", "interval must be month, quarter or year, not %q", s)
}

// PeriodStart is the start of the period containing t.
func (iv Interval) PeriodStart(t time.Time) time.Time {
	t = t.UTC()
	switch iv {
	case Quarter:
		return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Next is the start of the period after the one starting at t.
func (iv Interval) Next(t time.Time) time.Time {
	switch iv {
	case Quarter:
		return t.AddDate(0, 3, 0)
	case Year:
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 1, 0)
}

// Label names the period starting at t: "2026-03", "2026-Q1", "2026".
func (iv Interval) Label(t time.Time) string {
	switch iv {
	case Quarter:
		return t.Format("2006") + "-Q" + string(rune('1'+(int(t.Month())-1)/3))
	case Year:
		return t.Format("2006")
	}
	return t.Format("2006-01")
}

// Definitions are the contested choices of revenue reporting. Each is a visible team
// setting and the page shows the formula it leads to; the zero value is not the
// default, DefaultDefinitions is.
type Definitions struct {
	// QuickRatioReactivation counts reactivation MRR in the quick ratio's numerator
	// (ChartMogul's definition) rather than leaving it out.
	QuickRatioReactivation bool `json:"quick_ratio_reactivation"`
	// ChurnAtPeriodEnd recognises a cancellation only if the account is still gone at
	// the end of the period: a cancel and a return within one period are then an
	// expansion or contraction, not a churn and a reactivation.
	ChurnAtPeriodEnd bool `json:"churn_at_period_end"`
	// GroupMinutes nets an account's movements that fall within this many minutes of
	// the first of them into one (a plan change recorded as a cancel and a new
	// purchase is an expansion). 0 turns grouping off.
	GroupMinutes int `json:"group_minutes"`
	// CohortBySignup puts an account in the cohort of its signup date rather than of
	// its first payment (ChartMogul's "customer since"); with trials, month 0 of a
	// signup cohort holds accounts not yet paying.
	CohortBySignup bool `json:"cohort_by_signup"`
}

// DefaultDefinitions follow ChartMogul: reactivation in the quick ratio, churn at
// cancellation, movements within one hour grouped.
var DefaultDefinitions = Definitions{QuickRatioReactivation: true, GroupMinutes: 60}

// MaxGroupMinutes bounds the grouping window at one day.
const MaxGroupMinutes = 24 * 60

// Check refuses a grouping window outside 0–1440 minutes.
func (d Definitions) Check() error {
	if d.GroupMinutes < 0 || d.GroupMinutes > MaxGroupMinutes {
		return errs.Invalidf("group_minutes", "the grouping window must be 0–%d minutes", MaxGroupMinutes)
	}
	return nil
}

// Conversion says how amounts in different currencies are added. With Currency empty
// every currency is reported on its own; otherwise amounts are converted into
// Currency with the team's Rates (units of Currency per unit of another currency),
// and an account whose currency has no rate is left out and counted, never guessed.
type Conversion struct {
	Currency string
	Rates    map[string]float64
}

// Convert turns minor units of from into minor units of c.Currency; false when there
// is no rate for from.
func (c Conversion) Convert(v int64, from string) (int64, bool) { return c.convert(v, from) }

// convert turns minor units of from into minor units of c.Currency.
func (c Conversion) convert(v int64, from string) (int64, bool) {
	if from == c.Currency {
		return v, true
	}
	r, ok := c.Rates[from]
	if !ok || !(r > 0) {
		return 0, false
	}
	return money.Convert(v, from, c.Currency, r), true
}

// AccountHistory is one account's revenue with the attributes reports segment by:
// either its movements, or (lighter, as the store's roll-up keeps it) its MRR path —
// the MRR after each movement, in time order — and its currency.
type AccountHistory struct {
	ID, Tier, Plan, Owner string
	Signup                time.Time // zero when unknown
	Movements             []Movement
	Path                  []Point // used when Movements is empty
	Currency              string  // the currency of Path
}

// points returns the account's MRR path in time order and its currency.
func (a *AccountHistory) points() ([]Point, string) {
	if len(a.Movements) == 0 {
		return a.Path, a.Currency
	}
	ms := a.Movements
	if !sort.SliceIsSorted(ms, func(i, j int) bool { return ms[i].EffectiveAt.Before(ms[j].EffectiveAt) }) {
		ms = append([]Movement(nil), ms...)
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].EffectiveAt.Before(ms[j].EffectiveAt) })
	}
	out := make([]Point, len(ms))
	for i, m := range ms {
		out[i] = Point{At: m.EffectiveAt, MRR: m.MRRAfter}
	}
	return out, ms[0].Currency
}

// Segment dimensions.
const (
	ByTier  = "tier"
	ByPlan  = "plan"
	ByOwner = "owner"
)

// ParseGroupBy reads "", "tier", "plan" or "owner".
func ParseGroupBy(s string) (string, error) {
	switch s {
	case "", ByTier, ByPlan, ByOwner:
		return s, nil
	}
	return "", errs.Invalidf("group_by", "group_by must be tier, plan or owner, not %q", s)
}

func (a *AccountHistory) segment(by string) string {
	switch by {
	case ByTier:
		return a.Tier
	case ByPlan:
		return a.Plan
	case ByOwner:
		return a.Owner
	}
	return ""
}

// Options select a report.
type Options struct {
	From, To time.Time // the periods that overlap [From, To)
	Interval Interval
	Defs     Definitions
	Convert  Conversion
	GroupBy  string // "" for the whole company only; else also one series per value
}

// Period is one period's figures for one segment and currency. Amounts are minor
// units; contraction and churn are positive amounts lost. Ratios are nil when their
// denominator is zero, so "no customers" never reads as 0%.
type Period struct {
	Label        string    `json:"period"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	StartMRR     int64     `json:"start_mrr"`
	New          int64     `json:"new"`
	Expansion    int64     `json:"expansion"`
	Contraction  int64     `json:"contraction"`
	Churn        int64     `json:"churn"`
	Reactivation int64     `json:"reactivation"`
	EndMRR       int64     `json:"end_mrr"`
	Net          int64     `json:"net"`

	CustomersStart       int `json:"customers_start"`
	CustomersEnd         int `json:"customers_end"`
	NewCustomers         int `json:"new_customers"`
	ChurnedCustomers     int `json:"churned_customers"`
	ReactivatedCustomers int `json:"reactivated_customers"`
	UpgradedCustomers    int `json:"upgraded_customers"`
	DowngradedCustomers  int `json:"downgraded_customers"`

	GRR              *float64 `json:"grr"`
	NRR              *float64 `json:"nrr"`
	LogoRetention    *float64 `json:"logo_retention"`
	LogoChurn        *float64 `json:"logo_churn"`
	QuickRatio       *float64 `json:"quick_ratio"`
	UpgradeRate      *float64 `json:"upgrade_rate"`
	DowngradeRate    *float64 `json:"downgrade_rate"`
	UpgradeMRRRate   *float64 `json:"upgrade_mrr_rate"`
	DowngradeMRRRate *float64 `json:"downgrade_mrr_rate"`
	ARPA             *int64   `json:"arpa"`
	IdentityHolds    bool     `json:"identity_holds"`
}

// Series is the periods of one segment in one currency.
type Series struct {
	Segment  string   `json:"segment"` // "" is the whole company
	Currency string   `json:"currency"`
	Periods  []Period `json:"periods"`
}

// Report is the result of Metrics.
type Report struct {
	Interval Interval    `json:"interval"`
	GroupBy  string      `json:"group_by,omitempty"`
	Defs     Definitions `json:"definitions"`
	Currency string      `json:"currency,omitempty"` // reporting currency when converting
	Series   []Series    `json:"series"`
	// Unconverted lists the currencies without a rate whose accounts were left out.
	Unconverted         []string `json:"unconverted_currencies,omitempty"`
	UnconvertedAccounts int      `json:"unconverted_accounts,omitempty"`
}

// Formulas are the definitions as people read them, for the page and the API.
func (d Definitions) Formulas() map[string]string {
	cohort := "Cohort = the month of the first payment; logo retention = paying ÷ cohort size; revenue retention = MRR_k ÷ MRR_0"
	if d.CohortBySignup {
		cohort = "Cohort = the signup month (the first payment's when unknown); logo retention = paying ÷ cohort size; revenue retention = MRR_k ÷ MRR_0"
	}
	qr := "(New + Expansion + Reactivation) ÷ (Contraction + Churn)"
	if !d.QuickRatioReactivation {
		qr = "(New + Expansion) ÷ (Contraction + Churn)"
	}
	return map[string]string{
		"end_mrr":        "End = Start + New + Expansion + Reactivation − Contraction − Churn",
		"grr":            "GRR = (Start − Contraction − Churn) ÷ Start",
		"nrr":            "NRR = (Start + Expansion + Reactivation − Contraction − Churn) ÷ Start",
		"logo_churn":     "Logo churn = churned customers ÷ customers at start",
		"logo_retention": "Logo retention = 1 − logo churn",
		"quick_ratio":    "Quick ratio = " + qr,
		"upgrade_rate":   "Upgrade rate = customers who expanded ÷ customers at start (by MRR: Expansion ÷ Start)",
		"downgrade_rate": "Downgrade rate = customers who contracted ÷ customers at start (by MRR: Contraction ÷ Start)",
		"arpa":           "ARPA = End MRR ÷ customers at end",
		"cohort":         cohort,
	}
}

// step is a point of an account's MRR path after grouping: MRR becomes v at t.
type step struct {
	t time.Time
	v int64
}

// path turns an account's movements into the MRR steps the report counts, applying
// conversion and the grouping definitions, in buf's storage (callers reuse it from
// one account to the next, so a report allocates no steps per account). ok is false
// when the account's currency cannot be converted.
func path(a *AccountHistory, iv Interval, d Definitions, c Conversion, buf []step) (steps []step, currency string, ok bool) {
	pts, from := a.points()
	if len(pts) == 0 {
		return nil, "", true
	}
	currency = from
	if c.Currency != "" {
		currency = c.Currency
	}
	window := time.Duration(d.GroupMinutes) * time.Minute
	var groupStart time.Time
	steps = buf[:0]
	for i, m := range pts {
		v := m.MRR
		if c.Currency != "" {
			var conv bool
			if v, conv = c.convert(v, from); !conv {
				return nil, "", false
			}
		}
		// Grouped movements take the first one's time, so the group lands in one period.
		if i > 0 && window > 0 && m.At.Sub(groupStart) < window {
			steps[len(steps)-1].v = v
			continue
		}
		groupStart = m.At
		steps = append(steps, step{t: m.At, v: v})
	}
	if d.ChurnAtPeriodEnd {
		// A fall to zero followed by a return in the same period is dropped: the
		// return then reads as a change from the MRR before the cancellation.
		out := steps[:0] // in place: each step is read before its slot is written
		for i, s := range steps {
			if s.v == 0 && i+1 < len(steps) && iv.PeriodStart(steps[i+1].t).Equal(iv.PeriodStart(s.t)) {
				continue
			}
			out = append(out, s)
		}
		steps = out
	}
	// Drop steps that change nothing (a group that nets out).
	out := steps[:0]
	var prev int64
	for _, s := range steps {
		if s.v != prev {
			out = append(out, s)
			prev = s.v
		}
	}
	return out, currency, true
}

// Metrics computes the report from every account's history. It reads each account's
// movements once, so its cost is linear in movements plus accounts × periods.
func Metrics(accounts []AccountHistory, o Options) (Report, error) {
	if err := o.Defs.Check(); err != nil {
		return Report{}, err
	}
	if o.Interval == "" {
		o.Interval = Month
	}
	rep := Report{Interval: o.Interval, GroupBy: o.GroupBy, Defs: o.Defs, Currency: o.Convert.Currency}
	if !o.To.After(o.From) {
		return rep, errs.Invalid("to", "to must be after from")
	}
	var starts []time.Time
	for t := o.Interval.PeriodStart(o.From); t.Before(o.To); t = o.Interval.Next(t) {
		starts = append(starts, t)
		if len(starts) > 600 {
			return rep, errs.Invalid("from", "the range has more than 600 periods; choose a longer interval or a shorter range")
		}
	}
	ends := make([]time.Time, len(starts))
	for i, st := range starts {
		ends[i] = o.Interval.Next(st)
	}
	type key struct{ seg, cur string }
	series := map[key]*Series{}
	get := func(seg, cur string) *Series {
		k := key{seg, cur}
		s := series[k]
		if s == nil {
			s = &Series{Segment: seg, Currency: cur, Periods: make([]Period, len(starts))}
			for i, st := range starts {
				s.Periods[i] = Period{Label: o.Interval.Label(st), Start: st, End: o.Interval.Next(st)}
			}
			series[k] = s
		}
		return s
	}
	unconv := map[string]bool{}
	var buf []step
	for ai := range accounts {
		a := &accounts[ai]
		steps, cur, ok := path(a, o.Interval, o.Defs, o.Convert, buf)
		buf = steps
		if !ok {
			rep.UnconvertedAccounts++
			_, c := a.points()
			unconv[c] = true
			continue
		}
		if len(steps) == 0 {
			continue
		}
		targets := []*Series{get("", cur)}
		if o.GroupBy != "" {
			targets = append(targets, get(a.segment(o.GroupBy), cur))
		}
		addAccount(steps, starts, ends, targets)
	}
	for c := range unconv {
		rep.Unconverted = append(rep.Unconverted, c)
	}
	sort.Strings(rep.Unconverted)
	for _, s := range series {
		for i := range s.Periods {
			s.Periods[i].finish(o.Defs)
		}
		rep.Series = append(rep.Series, *s)
	}
	sort.Slice(rep.Series, func(i, j int) bool {
		a, b := rep.Series[i], rep.Series[j]
		if (a.Segment == "") != (b.Segment == "") {
			return a.Segment == ""
		}
		if a.Segment != b.Segment {
			return a.Segment < b.Segment
		}
		return a.Currency < b.Currency
	})
	return rep, nil
}

// addAccount adds one account's steps to every period of each target series.
func addAccount(steps []step, starts, ends []time.Time, targets []*Series) {
	var mrr int64 // MRR before the step at index si
	had := false  // any revenue before index si
	si := 0
	for si < len(steps) && steps[si].t.Before(starts[0]) {
		mrr, had = steps[si].v, had || steps[si].v > 0
		si++
	}
	for pi := range starts {
		end := ends[pi]
		if si == len(steps) && mrr == 0 {
			break // nothing more to add: the account left for good
		}
		start := mrr
		var d Period
		var newC, churnC, reactC, upC, downC bool
		for si < len(steps) && steps[si].t.Before(end) {
			v := steps[si].v
			kind, _ := Classify(mrr, v, had)
			delta := v - mrr
			switch kind {
			case New:
				d.New += delta
				newC = true
			case Expansion:
				d.Expansion += delta
				upC = true
			case Contraction:
				d.Contraction -= delta
				downC = true
			case Churn:
				d.Churn -= delta
				churnC = true
			case Reactivation:
				d.Reactivation += delta
				reactC = true
			}
			mrr, had = v, had || v > 0
			si++
		}
		for _, s := range targets {
			p := &s.Periods[pi]
			p.StartMRR += start
			p.EndMRR += mrr
			p.New += d.New
			p.Expansion += d.Expansion
			p.Contraction += d.Contraction
			p.Churn += d.Churn
			p.Reactivation += d.Reactivation
			p.CustomersStart += b2i(start > 0)
			p.CustomersEnd += b2i(mrr > 0)
			p.NewCustomers += b2i(newC)
			p.ChurnedCustomers += b2i(churnC)
			p.ReactivatedCustomers += b2i(reactC)
			p.UpgradedCustomers += b2i(upC)
			p.DowngradedCustomers += b2i(downC)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ratio(n, d float64) *float64 {
	if d == 0 {
		return nil
	}
	r := n / d
	return &r
}

// finish derives the ratios from the sums.
func (p *Period) finish(d Definitions) {
	p.Net = p.New + p.Expansion + p.Reactivation - p.Contraction - p.Churn
	p.IdentityHolds = p.EndMRR == p.StartMRR+p.Net
	s := float64(p.StartMRR)
	p.GRR = ratio(s-float64(p.Contraction)-float64(p.Churn), s)
	p.NRR = ratio(s+float64(p.Expansion)+float64(p.Reactivation)-float64(p.Contraction)-float64(p.Churn), s)
	cs := float64(p.CustomersStart)
	p.LogoChurn = ratio(float64(p.ChurnedCustomers), cs)
	if p.LogoChurn != nil {
		r := 1 - *p.LogoChurn
		p.LogoRetention = &r
	}
	gain := float64(p.New + p.Expansion)
	if d.QuickRatioReactivation {
		gain += float64(p.Reactivation)
	}
	p.QuickRatio = ratio(gain, float64(p.Contraction+p.Churn))
	p.UpgradeRate = ratio(float64(p.UpgradedCustomers), cs)
	p.DowngradeRate = ratio(float64(p.DowngradedCustomers), cs)
	p.UpgradeMRRRate = ratio(float64(p.Expansion), s)
	p.DowngradeMRRRate = ratio(float64(p.Contraction), s)
	if p.CustomersEnd > 0 {
		a := int64(math.Round(float64(p.EndMRR) / float64(p.CustomersEnd)))
		p.ARPA = &a
	}
}
