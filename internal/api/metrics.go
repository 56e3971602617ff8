package api

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/revenue"
)

// revenueReport is the revenue metrics payload: the report and the formulas its
// definitions lead to, so a client shows the same definitions as the page.
type revenueReport struct {
	revenue.Report
	Formulas map[string]string `json:"formulas"`
}

func (a *API) revenueMetrics(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, revenue.ViewParams...)
	if err != nil {
		return err
	}
	d, err := a.Store.RevenueData(r.Context(), p.str)
	if err != nil {
		return err
	}
	rep, err := revenue.Metrics(d.Histories, d.View.Options(d.Conv))
	if err != nil {
		return err
	}
	if rep.Series == nil {
		rep.Series = []revenue.Series{}
	}
	return writeJSON(w, http.StatusOK, revenueReport{Report: rep, Formulas: d.View.Defs.Formulas()})
}

type cohortReport struct {
	revenue.CohortReport
	Definitions revenue.Definitions `json:"definitions"`
}

func (a *API) revenueCohorts(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "from", "to", "group_minutes", "churn_recognition", "currency_mode", "cohort_by")
	if err != nil {
		return err
	}
	d, err := a.Store.RevenueData(r.Context(), p.str)
	if err != nil {
		return err
	}
	rep, err := revenue.Cohorts(d.Histories, d.View.From, d.View.To, d.View.Defs, d.Conv)
	if err != nil {
		return err
	}
	if rep.Cohorts == nil {
		rep.Cohorts = []revenue.Cohort{}
	}
	return writeJSON(w, http.StatusOK, cohortReport{CohortReport: rep, Definitions: d.View.Defs})
}
