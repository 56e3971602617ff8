package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// registerRevenue adds the revenue pages: reading for every signed-in member, the
// team's default definitions for admins.
func (ui *Web) registerRevenue(rt *router.Router) {
	rt.Web("GET /revenue", auth.RoleViewer, ui.revenuePage)
	rt.Web("GET /revenue/cohorts.csv", auth.RoleViewer, ui.revenueCohortsCSV)
	rt.Web("GET /revenue/churn-reasons", auth.RoleViewer, ui.churnReasonsPage)
	rt.Web("GET /revenue/churn-reasons.csv", auth.RoleViewer, ui.churnReasonsCSV)
	rt.Web("POST /revenue/settings", auth.RoleAdmin, ui.revenueSettingsSave)
}

// revenueData is the revenue page.
type revenueData struct {
	Empty       bool
	View        revenue.View
	Query       string // the view's query string, for the CSV link
	Interval    string
	GroupBy     string
	From, To    string // YYYY-MM-DD
	Toggles     []defToggle
	Formulas    map[string]string
	Sections    []revenueSection
	Segments    []segmentRow
	Cohorts     []cohortTable
	Currency    string // reporting currency when converting
	Unconverted []string
	UnconvAccts int
	CanSave     bool
	ChurnAt     string
	CohortBy    string
}

// defToggle is one contested definition: what it is now, its formula, and a link to
// the page with the other choice.
type defToggle struct {
	ID, Name, Current, Formula, AltLabel, AltHref string
}

type revenueSection struct {
	Currency  string
	Latest    periodRow
	Movements movementsChart
	Retention retentionChart
	Rows      []periodRow
}

// periodRow is one period, formatted for the table.
type periodRow struct {
	Label                                                        string
	Start, New, Expansion, Reactivation, Contraction, Churn, End string
	Net                                                          string
	NetSign                                                      int
	CustStart, CustEnd, Churned                                  int
	GRR, NRR, LogoRetention, LogoChurn, QuickRatio               string
	Upgrade, Downgrade, UpgradeMRR, DowngradeMRR, ARPA           string
	Identity                                                     bool
}

type segmentRow struct {
	Segment, Currency string
	Row               periodRow
}

type cohortTable struct {
	Currency string
	Months   []string // column heads: month 0, 1, …
	Rows     []cohortRow
}

type cohortRow struct {
	Month    string
	Accounts int
	MRR0     string
	Logo     []heatCell
	Revenue  []heatCell
}

type heatCell struct {
	Text, Title string
	Heat        int // 0–10 colour step; -1 for no value
}

func formatPeriod(p revenue.Period, cur string) periodRow {
	r := periodRow{Label: p.Label, Start: money.Format(p.StartMRR, cur), New: money.Format(p.New, cur), Expansion: money.Format(p.Expansion, cur),
		Reactivation: money.Format(p.Reactivation, cur), Contraction: money.Format(p.Contraction, cur), Churn: money.Format(p.Churn, cur),
		End: money.Format(p.EndMRR, cur), Net: money.FormatSigned(p.Net, cur), CustStart: p.CustomersStart, CustEnd: p.CustomersEnd, Churned: p.ChurnedCustomers,
		GRR: pct(p.GRR), NRR: pct(p.NRR), LogoRetention: pct(p.LogoRetention), LogoChurn: pct(p.LogoChurn), QuickRatio: times(p.QuickRatio),
		Upgrade: pct(p.UpgradeRate), Downgrade: pct(p.DowngradeRate), UpgradeMRR: pct(p.UpgradeMRRRate), DowngradeMRR: pct(p.DowngradeMRRRate),
		ARPA: "—", Identity: p.IdentityHolds}
	switch {
	case p.Net > 0:
		r.NetSign = 1
	case p.Net < 0:
		r.NetSign = -1
	}
	if p.ARPA != nil {
		r.ARPA = money.Format(*p.ARPA, cur)
	}
	return r
}

// viewQuery writes v back as query parameters, so a toggle changes one choice and
// keeps the rest.
func viewQuery(v revenue.View) url.Values {
	q := url.Values{}
	q.Set("from", v.From.Format("2006-01-02"))
	q.Set("to", v.To.Format("2006-01-02"))
	q.Set("interval", string(v.Interval))
	if v.GroupBy != "" {
		q.Set("group_by", v.GroupBy)
	}
	q.Set("quick_ratio_reactivation", strconv.FormatBool(v.Defs.QuickRatioReactivation))
	q.Set("churn_recognition", churnRecognition(v.Defs))
	q.Set("group_minutes", strconv.Itoa(v.Defs.GroupMinutes))
	mode := "per_currency"
	if v.Convert {
		mode = "converted"
	}
	q.Set("currency_mode", mode)
	q.Set("cohort_by", cohortBy(v.Defs))
	return q
}

func cohortBy(d revenue.Definitions) string {
	if d.CohortBySignup {
		return "signup"
	}
	return "first_payment"
}

func churnRecognition(d revenue.Definitions) string {
	if d.ChurnAtPeriodEnd {
		return "period_end"
	}
	return "cancellation"
}

func with(q url.Values, k, v string) string {
	c := url.Values{}
	for key, vs := range q {
		c[key] = vs
	}
	c.Set(k, v)
	return "/revenue?" + c.Encode()
}

func toggles(v revenue.View, conv revenue.Conversion, formulas map[string]string) []defToggle {
	q := viewQuery(v)
	d := v.Defs
	qr := defToggle{ID: "def-qr", Name: "Quick ratio", Formula: formulas["quick_ratio"]}
	if d.QuickRatioReactivation {
		qr.Current, qr.AltLabel, qr.AltHref = "counts reactivation as a gain", "Leave reactivation out", with(q, "quick_ratio_reactivation", "false")
	} else {
		qr.Current, qr.AltLabel, qr.AltHref = "leaves reactivation out", "Count reactivation", with(q, "quick_ratio_reactivation", "true")
	}
	ch := defToggle{ID: "def-churn", Name: "Churn", Formula: "A cancellation and a return within one period count as churn and reactivation"}
	if d.ChurnAtPeriodEnd {
		ch.Formula = "A cancellation counts only if the account is still gone at the end of the period; a return within it is an expansion or contraction"
		ch.Current, ch.AltLabel, ch.AltHref = "recognised at the period end", "Recognise at cancellation", with(q, "churn_recognition", "cancellation")
	} else {
		ch.Current, ch.AltLabel, ch.AltHref = "recognised at cancellation", "Recognise at the period end", with(q, "churn_recognition", "period_end")
	}
	gr := defToggle{ID: "def-group", Name: "Grouping"}
	if d.GroupMinutes > 0 {
		gr.Current = "an account's movements within " + strconv.Itoa(d.GroupMinutes) + " minutes are netted into one"
		gr.Formula = "A plan change recorded as a cancel and a new purchase is one expansion or contraction"
		gr.AltLabel, gr.AltHref = "Do not group", with(q, "group_minutes", "0")
	} else {
		gr.Current, gr.Formula = "every movement counts on its own", "A cancel and a re-purchase minutes apart are a churn and a reactivation"
		gr.AltLabel, gr.AltHref = "Group within 60 minutes", with(q, "group_minutes", "60")
	}
	cu := defToggle{ID: "def-currency", Name: "Currencies"}
	if v.Convert {
		cu.Current = "converted into " + conv.Currency + " with the rates entered in ranking settings"
		cu.Formula = "Accounts in a currency without a rate are left out and counted, never guessed"
		cu.AltLabel, cu.AltHref = "Report each currency on its own", with(q, "currency_mode", "per_currency")
	} else {
		cu.Current, cu.Formula = "each currency reported on its own", "No amounts in different currencies are added"
		cu.AltLabel, cu.AltHref = "Convert with the team's rates", with(q, "currency_mode", "converted")
	}
	co := defToggle{ID: "def-cohort", Name: "Cohorts", Formula: formulas["cohort"]}
	if d.CohortBySignup {
		co.Current, co.AltLabel, co.AltHref = "by signup month", "Group by first payment", with(q, "cohort_by", "first_payment")
	} else {
		co.Current, co.AltLabel, co.AltHref = "by the month of the first payment", "Group by signup month", with(q, "cohort_by", "signup")
	}
	return []defToggle{qr, ch, gr, cu, co}
}

// heat maps a retention ratio to a colour step: 0–100% in ten steps, and 10 above.
func heat(r *float64) int {
	switch {
	case r == nil:
		return -1
	case *r > 1:
		return 10
	case *r <= 0:
		return 0
	}
	return min(9, int(*r*10))
}

func cohortTables(rep revenue.CohortReport) []cohortTable {
	var out []cohortTable
	idx := map[string]int{}
	for _, c := range rep.Cohorts {
		i, ok := idx[c.Currency]
		if !ok {
			i = len(out)
			idx[c.Currency] = i
			out = append(out, cohortTable{Currency: c.Currency})
		}
		t := &out[i]
		for len(t.Months) < len(c.Cells) {
			t.Months = append(t.Months, strconv.Itoa(len(t.Months)))
		}
		row := cohortRow{Month: c.Month, Accounts: c.Accounts, MRR0: money.Format(c.MRR0, c.Currency)}
		for k, cell := range c.Cells {
			row.Logo = append(row.Logo, heatCell{Text: pct(cell.LogoRetention), Heat: heat(cell.LogoRetention),
				Title: c.Month + " cohort, month " + strconv.Itoa(k) + ": " + strconv.Itoa(cell.Paying) + " of " + strconv.Itoa(c.Accounts) + " accounts paying"})
			row.Revenue = append(row.Revenue, heatCell{Text: pct(cell.RevenueRetention), Heat: heat(cell.RevenueRetention),
				Title: c.Month + " cohort, month " + strconv.Itoa(k) + ": MRR " + money.Format(cell.MRR, c.Currency) + " of " + money.Format(c.MRR0, c.Currency)})
		}
		t.Rows = append(t.Rows, row)
	}
	return out
}

func (ui *Web) revenueReports(r *http.Request) (revenue.View, revenue.Conversion, revenue.Report, revenue.CohortReport, error) {
	var rep revenue.Report
	var co revenue.CohortReport
	d, err := ui.Store.RevenueData(r.Context(), r.URL.Query().Get)
	if err != nil {
		return d.View, d.Conv, rep, co, err
	}
	if rep, err = revenue.Metrics(d.Histories, d.View.Options(d.Conv)); err != nil {
		return d.View, d.Conv, rep, co, err
	}
	co, err = revenue.Cohorts(d.Histories, d.View.From, d.View.To, d.View.Defs, d.Conv)
	return d.View, d.Conv, rep, co, err
}

func (ui *Web) revenuePage(w http.ResponseWriter, r *http.Request) error {
	v, conv, rep, co, err := ui.revenueReports(r)
	if err != nil {
		return err
	}
	formulas := v.Defs.Formulas()
	d := revenueData{View: v, Query: viewQuery(v).Encode(), Interval: string(v.Interval), GroupBy: v.GroupBy,
		From: v.From.Format("2006-01-02"), To: v.To.Format("2006-01-02"), Formulas: formulas, Toggles: toggles(v, conv, formulas),
		Currency: rep.Currency, Unconverted: rep.Unconverted, UnconvAccts: rep.UnconvertedAccounts,
		CanSave: router.From(r).Member != nil && router.From(r).Member.Role.AtLeast(auth.RoleAdmin), ChurnAt: churnRecognition(v.Defs), CohortBy: cohortBy(v.Defs)}
	for _, s := range rep.Series {
		if s.Segment != "" {
			if n := len(s.Periods); n > 0 {
				d.Segments = append(d.Segments, segmentRow{Segment: s.Segment, Currency: s.Currency, Row: formatPeriod(s.Periods[n-1], s.Currency)})
			}
			continue
		}
		sec := revenueSection{Currency: s.Currency, Movements: buildMovementsChart(s.Periods, s.Currency), Retention: buildRetentionChart(s.Periods)}
		for _, p := range s.Periods {
			sec.Rows = append(sec.Rows, formatPeriod(p, s.Currency))
		}
		if n := len(sec.Rows); n > 0 {
			sec.Latest = sec.Rows[n-1]
		}
		d.Sections = append(d.Sections, sec)
	}
	d.Empty = len(d.Sections) == 0
	d.Cohorts = cohortTables(co)
	return ui.render(w, r, http.StatusOK, "revenue", "Revenue", "revenue", d)
}

// revenueCohortsCSV exports the cohort table of the same view: one row per cohort and
// month, amounts in major units.
func (ui *Web) revenueCohortsCSV(w http.ResponseWriter, r *http.Request) error {
	_, _, _, co, err := ui.revenueReports(r)
	if err != nil {
		return err
	}
	csvHeaders(w, "cohorts.csv")
	cw := csv.NewWriter(w)
	cw.Write([]string{"cohort_month", "currency", "accounts", "mrr_0", "month", "paying", "mrr", "logo_retention", "revenue_retention"})
	ratio := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 4, 64)
	}
	for _, c := range co.Cohorts {
		for k, cell := range c.Cells {
			cw.Write([]string{c.Month, c.Currency, strconv.Itoa(c.Accounts), money.FormatMajor(c.MRR0, c.Currency), strconv.Itoa(k),
				strconv.Itoa(cell.Paying), money.FormatMajor(cell.MRR, c.Currency), ratio(cell.LogoRetention), ratio(cell.RevenueRetention)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// revenueSettingsSave stores the definitions shown as the team's defaults.
func (ui *Web) revenueSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid("form", "could not read the form")
	}
	rs, err := ui.Store.RevenueSettings(r.Context())
	if err != nil {
		return err
	}
	v, err := revenue.ParseView(r.PostForm.Get, rs.Definitions, rs.Convert, ui.now())
	if err != nil {
		return err
	}
	if err := ui.Store.PutRevenueSettings(r.Context(), store.RevenueSettings{Definitions: v.Defs, Convert: v.Convert}); err != nil {
		return err
	}
	ui.setFlash(w, "Revenue definitions saved as the team's defaults.")
	return seeOther(w, r, "/revenue")
}
