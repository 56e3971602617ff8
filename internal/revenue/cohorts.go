package revenue

import (
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// Cohort is the accounts that became customers (or, by the definitions, signed up)
// in one month, followed month by month. Cells[k] is the state at the end of the k-th
// month after the cohort's month.
type Cohort struct {
	Month    string       `json:"month"` // "2026-01"
	Start    time.Time    `json:"start"`
	Currency string       `json:"currency"`
	Accounts int          `json:"accounts"` // accounts in the cohort that ever paid
	MRR0     int64        `json:"mrr_0"`    // cohort MRR at the end of its first month
	Cells    []CohortCell `json:"cells"`
}

// CohortCell is one month of a cohort. Revenue retention is MRR_k ÷ MRR_0 and can
// exceed 1; both ratios are nil when their base is zero.
type CohortCell struct {
	Paying           int      `json:"paying"`
	MRR              int64    `json:"mrr"`
	LogoRetention    *float64 `json:"logo_retention"`
	RevenueRetention *float64 `json:"revenue_retention"`
}

// CohortReport is every cohort whose month starts in [From, To), followed to To.
type CohortReport struct {
	Currency            string   `json:"currency,omitempty"`
	Cohorts             []Cohort `json:"cohorts"`
	Unconverted         []string `json:"unconverted_currencies,omitempty"`
	UnconvertedAccounts int      `json:"unconverted_accounts,omitempty"`
}

// Cohorts groups paying accounts by the month of their first payment, or with
// d.CohortBySignup by their signup month (the first payment's when the signup date is
// unknown), and measures logo and revenue retention at the end
// of each later month. Movements are grouped and converted as Metrics does them.
func Cohorts(accounts []AccountHistory, from, to time.Time, d Definitions, c Conversion) (CohortReport, error) {
	rep := CohortReport{Currency: c.Currency}
	if err := d.Check(); err != nil {
		return rep, err
	}
	if !to.After(from) {
		return rep, errs.Invalid("to", "to must be after from")
	}
	var months []time.Time
	for t := Month.PeriodStart(from); t.Before(to); t = t.AddDate(0, 1, 0) {
		months = append(months, t)
		if len(months) > 240 {
			return rep, errs.Invalid("from", "cohorts cover at most 240 months")
		}
	}
	ends := make([]time.Time, len(months))
	for i, m := range months {
		ends[i] = m.AddDate(0, 1, 0)
	}
	type key struct {
		month int
		cur   string
	}
	cohorts := map[key]*Cohort{}
	unconv := map[string]bool{}
	var buf []step
	for ai := range accounts {
		a := &accounts[ai]
		steps, cur, ok := path(a, Month, d, c, buf)
		buf = steps
		if !ok {
			rep.UnconvertedAccounts++
			_, from := a.points()
			unconv[from] = true
			continue
		}
		first := -1
		for i, s := range steps {
			if s.v > 0 {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		joined := steps[first].t
		if d.CohortBySignup && !a.Signup.IsZero() {
			joined = a.Signup
		}
		cm := Month.PeriodStart(joined)
		mi := sort.Search(len(months), func(i int) bool { return !months[i].Before(cm) })
		if mi == len(months) || !months[mi].Equal(cm) {
			continue
		}
		k := key{mi, cur}
		co := cohorts[k]
		if co == nil {
			co = &Cohort{Month: Month.Label(cm), Start: cm, Currency: cur, Cells: make([]CohortCell, len(months)-mi)}
			cohorts[k] = co
		}
		co.Accounts++
		var mrr int64
		si := 0
		for j := range co.Cells {
			end := ends[mi+j]
			for si < len(steps) && steps[si].t.Before(end) {
				mrr = steps[si].v
				si++
			}
			co.Cells[j].MRR += mrr
			co.Cells[j].Paying += b2i(mrr > 0)
		}
	}
	for u := range unconv {
		rep.Unconverted = append(rep.Unconverted, u)
	}
	sort.Strings(rep.Unconverted)
	for _, co := range cohorts {
		co.MRR0 = co.Cells[0].MRR
		for j := range co.Cells {
			cell := &co.Cells[j]
			cell.LogoRetention = ratio(float64(cell.Paying), float64(co.Accounts))
			cell.RevenueRetention = ratio(float64(cell.MRR), float64(co.MRR0))
		}
		rep.Cohorts = append(rep.Cohorts, *co)
	}
	sort.Slice(rep.Cohorts, func(i, j int) bool {
		a, b := rep.Cohorts[i], rep.Cohorts[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.Currency < b.Currency
	})
	return rep, nil
}
