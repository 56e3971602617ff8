package feedback

import (
	"math"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/money"
)

// Evidence is one reason a subject (a request or a tag) is wanted: a linked feedback
// item or a vote, by a person at an account, at a time. A subject's figures are built
// from its evidence with every account and person counted once, however many channels,
// items, votes or merged requests they came through.
type Evidence struct {
	Subject   string // request root id or tag id
	AccountID string
	PersonID  string
	At        time.Time
}

// AccountFacts are what ranking needs to know about a requesting account.
type AccountFacts struct {
	MRR         int64 // current, minor units
	ChurnedMRR  int64 // MRR lost when it churned; 0 unless churned
	Currency    string
	Churned     bool
	RenewalDate string // YYYY-MM-DD or ""
	CAB         bool
}

// Weights set how much each component counts in the combined priority. They are
// visible and editable in settings; they need not sum to 1 (priority is rescaled).
type Weights struct {
	Accounts   float64 `json:"accounts"`
	MRR        float64 `json:"mrr"`
	ChurnedMRR float64 `json:"churned_mrr"`
	AtRiskMRR  float64 `json:"at_risk_mrr"`
	Trend      float64 `json:"trend"`
	Strategic  float64 `json:"strategic"`
}

// DefaultWeights favour revenue, then reach, then the team's judgement.
var DefaultWeights = Weights{Accounts: 0.25, MRR: 0.30, ChurnedMRR: 0.10, AtRiskMRR: 0.15, Trend: 0.05, Strategic: 0.15}

// RankOptions are the settings ranking runs with.
type RankOptions struct {
	Now               time.Time
	RenewalWindowDays int                // "MRR at risk": requesters renewing within this many days
	CABWeight         float64            // a customer-advisory-board account counts this many times
	Weights           Weights            //
	Currency          string             // reporting currency
	Rates             map[string]float64 // units of reporting currency per unit of another currency
	Strategic         map[string]int     // subject → 0–10 strategic score
}

// DefaultRankOptions: 90-day renewal window, CAB accounts count double, USD.
func DefaultRankOptions(now time.Time) RankOptions {
	return RankOptions{Now: now, RenewalWindowDays: 90, CABWeight: 2, Weights: DefaultWeights, Currency: "USD"}
}

// Rank is a subject's figures. Money is in minor units of the reporting currency.
type Rank struct {
	Subject          string  `json:"id"`
	Accounts         int     `json:"accounts"`
	People           int     `json:"people"`
	CABAccounts      int     `json:"cab_accounts"`
	WeightedAccounts float64 `json:"weighted_accounts"`
	MRR              int64   `json:"mrr"`
	ChurnedMRR       int64   `json:"churned_mrr"`
	AtRiskMRR        int64   `json:"at_risk_mrr"`
	Last30           int     `json:"last_30_days"`  // evidence in the last 30 days
	Prior30          int     `json:"prior_30_days"` // evidence in the 30 days before that
	Last90           int     `json:"last_90_days"`
	Total            int     `json:"evidence"`
	Trend            int     `json:"trend"` // Last30 − Prior30
	Strategic        int     `json:"strategic_score"`
	Priority         float64 `json:"priority"` // 0–100
	// Unconverted counts requesting accounts whose currency has no rate: their MRR is
	// left out rather than guessed, and the UI says so.
	Unconverted int `json:"unconverted_accounts"`
}

// Tally is a subject's counts before currency conversion and weighting: what both the
// raw evidence path (Compute) and the store's maintained roll-ups produce, so one
// function (Finish) turns either into ranks.
type Tally struct {
	Subject string
	People  int
	Total   int // evidence: linked items and votes (a tag counts an item once)
	Last30  int
	Prior30 int
	Last90  int
	// ByCurrency sums the requesting accounts' contributions per account currency;
	// converting sums (not each account) keeps both paths' rounding identical.
	ByCurrency map[string]Contribution
}

// Contribution is what requesting accounts add to a subject, in one currency.
//
// Its sums are plain int64, and must stay so: the roll-ups add and subtract
// contributions as deltas (Add with sign −1), which only cancel exactly without
// saturation. They cannot overflow in practice because every amount is bounded by
// money.MaxAmount (~10¹⁵ minor units) at every entry point: int64 holds the sum of
// 9,223 accounts each at that maximum, and at real figures (the largest companies bill
// ~10¹² minor units a month) a subject would need millions of requesting accounts.
// Finish, which converts and combines currencies, saturates instead of wrapping.
type Contribution struct {
	Accounts   int
	CAB        int
	MRR        int64 // current MRR of accounts that have not churned
	ChurnedMRR int64
	AtRiskMRR  int64 // current MRR of accounts renewing inside the window
}

// Add returns c + o, or c − o when sign is −1.
func (c Contribution) Add(o Contribution, sign int) Contribution {
	s := int64(sign)
	return Contribution{Accounts: c.Accounts + sign*o.Accounts, CAB: c.CAB + sign*o.CAB, MRR: c.MRR + s*o.MRR,
		ChurnedMRR: c.ChurnedMRR + s*o.ChurnedMRR, AtRiskMRR: c.AtRiskMRR + s*o.AtRiskMRR}
}

// Contribution is one account's share of a subject's figures on day today (see Day)
// with a renewal window of windowDays: a churned account brings its churned MRR, any
// other its current MRR, at risk when it renews within the window.
func (f AccountFacts) Contribution(today int64, windowDays int) Contribution {
	c := Contribution{Accounts: 1}
	if f.CAB {
		c.CAB = 1
	}
	if f.Churned {
		c.ChurnedMRR = f.ChurnedMRR
		return c
	}
	c.MRR = f.MRR
	from, to := RenewalWindow(today, windowDays)
	if f.RenewalDate != "" && f.RenewalDate >= from && f.RenewalDate <= to {
		c.AtRiskMRR = f.MRR
	}
	return c
}

// Day numbers a time by its UTC calendar day (days since 1970-01-01): trends and the
// renewal window move a whole day at a time, so roll-ups can be kept per day.
func Day(t time.Time) int64 {
	sec := t.Unix()
	d := sec / 86400
	if sec < 0 && sec%86400 != 0 {
		d--
	}
	return d
}

// Date is Day's inverse as YYYY-MM-DD.
func Date(day int64) string { return time.Unix(day*86400, 0).UTC().Format("2006-01-02") }

// RenewalWindow is the inclusive range of renewal dates "at risk" on day today.
func RenewalWindow(today int64, windowDays int) (from, to string) {
	return Date(today), Date(today + int64(windowDays))
}

// Windows says which trend windows evidence from day falls in on day today, as 0 or 1
// per window: the last 30 days are today and the 29 before it, the prior 30 the 30
// before those.
func Windows(day, today int64) (last30, prior30, last90 int) {
	age := today - day
	in := func(lo, hi int64) int {
		if age >= lo && age < hi {
			return 1
		}
		return 0
	}
	return in(0, 30), in(30, 60), in(0, 90)
}

// Compute ranks every subject that has evidence (plus those in opts.Strategic), most
// important first (priority, then MRR, then subject id for a stable order).
func Compute(ev []Evidence, accounts map[string]AccountFacts, opts RankOptions) []Rank {
	return Finish(Tallies(ev, accounts, opts.Now, opts.RenewalWindowDays), opts)
}

// Tallies counts evidence per subject, every account and person once, with trend
// windows and the renewal window as of now.
func Tallies(ev []Evidence, accounts map[string]AccountFacts, now time.Time, windowDays int) []Tally {
	type acc struct {
		accounts map[string]bool
		people   map[string]bool
		t        Tally
	}
	by := map[string]*acc{}
	var order []*acc
	today := Day(now)
	for _, e := range ev {
		a := by[e.Subject]
		if a == nil {
			a = &acc{accounts: map[string]bool{}, people: map[string]bool{}, t: Tally{Subject: e.Subject, ByCurrency: map[string]Contribution{}}}
			by[e.Subject] = a
			order = append(order, a)
		}
		a.t.Total++
		l30, p30, l90 := Windows(Day(e.At), today)
		a.t.Last30 += l30
		a.t.Prior30 += p30
		a.t.Last90 += l90
		if e.PersonID != "" && !a.people[e.PersonID] {
			a.people[e.PersonID] = true
			a.t.People++
		}
		if e.AccountID == "" || a.accounts[e.AccountID] {
			continue
		}
		a.accounts[e.AccountID] = true
		f := accounts[e.AccountID]
		a.t.ByCurrency[f.Currency] = a.t.ByCurrency[f.Currency].Add(f.Contribution(today, windowDays), 1)
	}
	tallies := make([]Tally, len(order))
	for i, a := range order {
		tallies[i] = a.t
	}
	return tallies
}

// Finish converts tallies to the reporting currency, weighs CAB accounts, adds the
// strategic scores (a subject in opts.Strategic is ranked even with no evidence),
// sets the combined priority and sorts, most important first.
func Finish(tallies []Tally, opts RankOptions) []Rank {
	out := make([]Rank, 0, max(len(tallies), len(opts.Strategic)))
	seen := map[string]bool{}
	for _, t := range tallies {
		seen[t.Subject] = true
		r := Rank{Subject: t.Subject, People: t.People, Total: t.Total, Last30: t.Last30, Prior30: t.Prior30, Last90: t.Last90}
		for cur, c := range t.ByCurrency {
			rate, ok := opts.rate(cur)
			r.Accounts += c.Accounts
			r.CABAccounts += c.CAB
			if !ok {
				r.Unconverted += c.Accounts
			}
			r.MRR = addSat(r.MRR, convert(c.MRR, cur, opts, rate, ok))
			r.ChurnedMRR = addSat(r.ChurnedMRR, convert(c.ChurnedMRR, cur, opts, rate, ok))
			r.AtRiskMRR = addSat(r.AtRiskMRR, convert(c.AtRiskMRR, cur, opts, rate, ok))
		}
		out = append(out, r)
	}
	for s := range opts.Strategic {
		if !seen[s] {
			out = append(out, Rank{Subject: s})
		}
	}
	for i := range out {
		r := &out[i]
		r.WeightedAccounts = float64(r.Accounts-r.CABAccounts) + opts.CABWeight*float64(r.CABAccounts)
		r.Trend = r.Last30 - r.Prior30
		r.Strategic = opts.Strategic[r.Subject]
	}
	prioritize(out, opts.Weights)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority > out[j].Priority
		}
		if out[i].MRR != out[j].MRR {
			return out[i].MRR > out[j].MRR
		}
		return out[i].Subject < out[j].Subject
	})
	return out
}

func (o RankOptions) rate(cur string) (float64, bool) {
	if cur == "" || cur == o.Currency {
		return 1, true
	}
	r, ok := o.Rates[cur]
	return r, ok && r > 0
}

// convert applies an exchange rate (money.Convert holds a product beyond int64 at its
// limit, since rates are the team's to set).
func convert(v int64, cur string, opts RankOptions, rate float64, ok bool) int64 {
	if !ok {
		return 0
	}
	if cur == "" {
		return v
	}
	return money.Convert(v, cur, opts.Currency, rate)
}

// addSat adds two amounts, holding the result at the int64 limits instead of wrapping:
// a ranking shows a huge figure as huge, never as negative (see Contribution for why
// in-range amounts never get near the limits).
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}

// prioritize sets Priority: each component is scaled to 0–1 by the largest value
// among the subjects ranked together (so the top request on a component gets 1), the
// weighted sum is divided by the sum of weights, and shown as 0–100. Negative trends
// count as 0: a cooling request is not penalised below one nobody asked for.
func prioritize(rs []Rank, w Weights) {
	var maxA, maxM, maxC, maxR, maxT float64
	for _, r := range rs {
		maxA = max(maxA, r.WeightedAccounts)
		maxM = max(maxM, float64(r.MRR))
		maxC = max(maxC, float64(r.ChurnedMRR))
		maxR = max(maxR, float64(r.AtRiskMRR))
		maxT = max(maxT, float64(r.Trend))
	}
	total := w.Accounts + w.MRR + w.ChurnedMRR + w.AtRiskMRR + w.Trend + w.Strategic
	if total <= 0 {
		return
	}
	scale := func(v, m float64) float64 {
		if m <= 0 || v <= 0 {
			return 0
		}
		return v / m
	}
	for i := range rs {
		r := &rs[i]
		p := w.Accounts*scale(r.WeightedAccounts, maxA) + w.MRR*scale(float64(r.MRR), maxM) +
			w.ChurnedMRR*scale(float64(r.ChurnedMRR), maxC) + w.AtRiskMRR*scale(float64(r.AtRiskMRR), maxR) +
			w.Trend*scale(float64(r.Trend), maxT) + w.Strategic*float64(r.Strategic)/10
		r.Priority = float64(int(p/total*1000+0.5)) / 10 // one decimal
	}
}
