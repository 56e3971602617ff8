package feedback

import (
	"sort"
	"time"
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

// Compute ranks every subject that has evidence (plus those in opts.Strategic), most
// important first (priority, then MRR, then subject id for a stable order).
func Compute(ev []Evidence, accounts map[string]AccountFacts, opts RankOptions) []Rank {
	type acc struct {
		accounts map[string]bool
		people   map[string]bool
		r        Rank
	}
	by := map[string]*acc{}
	get := func(s string) *acc {
		a := by[s]
		if a == nil {
			a = &acc{accounts: map[string]bool{}, people: map[string]bool{}, r: Rank{Subject: s}}
			by[s] = a
		}
		return a
	}
	for s := range opts.Strategic {
		get(s)
	}
	day := 24 * time.Hour
	renewalEnd := opts.Now.AddDate(0, 0, opts.RenewalWindowDays).Format("2006-01-02")
	today := opts.Now.Format("2006-01-02")
	for _, e := range ev {
		a := get(e.Subject)
		a.r.Total++
		age := opts.Now.Sub(e.At)
		switch {
		case age < 0:
		case age <= 30*day:
			a.r.Last30++
		case age <= 60*day:
			a.r.Prior30++
		}
		if age >= 0 && age <= 90*day {
			a.r.Last90++
		}
		if e.PersonID != "" {
			a.people[e.PersonID] = true
		}
		if e.AccountID == "" || a.accounts[e.AccountID] {
			continue
		}
		a.accounts[e.AccountID] = true
		f := accounts[e.AccountID]
		rate, ok := opts.rate(f.Currency)
		if !ok {
			a.r.Unconverted++
		}
		if f.CAB {
			a.r.CABAccounts++
		}
		if f.Churned {
			a.r.ChurnedMRR += convert(f.ChurnedMRR, rate, ok)
			continue
		}
		mrr := convert(f.MRR, rate, ok)
		a.r.MRR += mrr
		if f.RenewalDate != "" && f.RenewalDate >= today && f.RenewalDate <= renewalEnd {
			a.r.AtRiskMRR += mrr
		}
	}
	out := make([]Rank, 0, len(by))
	for _, a := range by {
		a.r.Accounts = len(a.accounts)
		a.r.People = len(a.people)
		a.r.WeightedAccounts = float64(a.r.Accounts-a.r.CABAccounts) + opts.CABWeight*float64(a.r.CABAccounts)
		a.r.Trend = a.r.Last30 - a.r.Prior30
		a.r.Strategic = opts.Strategic[a.r.Subject]
		out = append(out, a.r)
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

func convert(v int64, rate float64, ok bool) int64 {
	if !ok {
		return 0
	}
	if rate == 1 {
		return v
	}
	return int64(float64(v)*rate + 0.5)
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
