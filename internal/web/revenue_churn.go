package web

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/money"
)

// The churn-reasons report (Revenue → Churn reasons): the cancellation survey's
// answers per month and reason, weighted by the MRR they churned (internal/cancel's
// rule, shown on the page), with the same range and currency choice as the revenue
// page, and as CSV.

type churnReasonsData struct {
	From, To, Query string
	Report          cancel.ReasonReport
}

func (ui *Web) churnReasonsReport(r *http.Request) (churnReasonsData, error) {
	v, conv, err := ui.Store.RevenueView(r.Context(), r.URL.Query().Get)
	if err != nil {
		return churnReasonsData{}, err
	}
	rep, err := ui.Store.ChurnReasons(r.Context(), v.From, v.To, conv)
	if err != nil {
		return churnReasonsData{}, err
	}
	q := viewQuery(v)
	d := churnReasonsData{From: v.From.Format("2006-01-02"), To: v.To.Format("2006-01-02"), Report: rep}
	d.Query = "from=" + q.Get("from") + "&to=" + q.Get("to") + "&currency_mode=" + q.Get("currency_mode")
	return d, nil
}

func (ui *Web) churnReasonsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := ui.churnReasonsReport(r)
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "churn_reasons", "Churn reasons", "revenue", d)
}

// churnReasonsCSV: one row per month, reason and currency, then the totals (month
// "total"); amounts in major units; labels are the team's words, so defused.
func (ui *Web) churnReasonsCSV(w http.ResponseWriter, r *http.Request) error {
	d, err := ui.churnReasonsReport(r)
	if err != nil {
		return err
	}
	csvHeaders(w, "churn-reasons.csv")
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "reason", "label", "currency", "cancellations", "churned", "churned_mrr", "share"})
	write := func(rows []cancel.ReasonRow, month string) {
		for _, row := range rows {
			m, share := row.Month, ""
			if m == "" {
				m = month
			}
			if row.Share != nil {
				share = strconv.FormatFloat(*row.Share, 'f', 4, 64)
			}
			cw.Write(csvio.Defuse([]string{m, row.Reason, row.Label, row.Currency, strconv.Itoa(row.Cancellations), strconv.Itoa(row.Churned),
				money.FormatMajor(row.ChurnedMRR, row.Currency), share}))
		}
	}
	write(d.Report.Months, "")
	write(d.Report.Totals, "total")
	cw.Flush()
	return cw.Error()
}
