package api_test

import (
	"context"
	"math"
	"testing"
	"time"

	acct "github.com/closeloop/closeloop/internal/account"
)

type revenuePeriod struct {
	Period     string
	StartMRR   int64    `json:"start_mrr"`
	NewJ       int64    `json:"new"`
	ExpJ       int64    `json:"expansion"`
	ChurnJ     int64    `json:"churn"`
	EndJ       int64    `json:"end_mrr"`
	QuickRatio *float64 `json:"quick_ratio"`
	GRR        *float64 `json:"grr"`
	NRR        *float64 `json:"nrr"`
	Identity   bool     `json:"identity_holds"`
}

type revenueBody struct {
	Interval string
	Series   []struct {
		Segment, Currency string
		Periods           []revenuePeriod
	}
	Formulas map[string]string
}

// Three USD accounts over March–April 2026, by hand:
// March: a new 100.00, b new 50.00; April: a +50.00, b churns, c new 20.00.
// April: start 150, new 20, expansion 50, churn 50, end 170; GRR 100/150, NRR 150/150,
// quick ratio (20 + 50) / 50 = 1.4.
func TestRevenueMetricsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.s.Now = func() time.Time { return time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC) }
		at := func(d string) time.Time { t, _ := time.Parse("2006-01-02", d); return t }
		ids := map[string]string{}
		for _, n := range []string{"a", "b", "c"} {
			a := acct.Account{ExternalID: n, Name: n, Tier: "standard", Plan: "pro"}
			if err := e.s.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			ids[n] = a.ID
		}
		for _, m := range []struct {
			acct, day string
			mrr       int64
		}{{"a", "2026-03-02", 10000}, {"b", "2026-03-05", 5000}, {"a", "2026-04-03", 15000}, {"b", "2026-04-10", 0}, {"c", "2026-04-12", 2000}} {
			if _, _, err := e.s.SetMRR(ctx, ids[m.acct], m.mrr, "USD", at(m.day), ""); err != nil {
				t.Fatal(err)
			}
		}
		var body revenueBody
		e.call(e.read, "GET", "/api/v1/metrics/revenue?from=2026-03-01&to=2026-05-01&interval=month", nil, 200, &body)
		if len(body.Series) != 1 || body.Series[0].Currency != "USD" || len(body.Series[0].Periods) != 2 {
			t.Fatalf("series: %+v", body.Series)
		}
		apr := body.Series[0].Periods[1]
		if apr.Period != "2026-04" || apr.StartMRR != 15000 || apr.NewJ != 2000 || apr.ExpJ != 5000 || apr.ChurnJ != 5000 || apr.EndJ != 17000 || !apr.Identity {
			t.Errorf("April: %+v", apr)
		}
		near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }
		if !near(apr.QuickRatio, 1.4) || !near(apr.GRR, 100.0/150) || !near(apr.NRR, 1) {
			t.Errorf("April ratios: qr %v grr %v nrr %v", apr.QuickRatio, apr.GRR, apr.NRR)
		}
		if body.Formulas["quick_ratio"] == "" || body.Formulas["grr"] == "" {
			t.Errorf("formulas missing: %v", body.Formulas)
		}
		// Segments: one more series for the plan.
		e.call(e.read, "GET", "/api/v1/metrics/revenue?from=2026-03-01&to=2026-05-01&group_by=plan", nil, 200, &body)
		if len(body.Series) != 2 || body.Series[1].Segment != "pro" {
			t.Errorf("group_by plan: %+v", body.Series)
		}
		// Quarters by default range end at next month; the definition overrides apply.
		e.call(e.read, "GET", "/api/v1/metrics/revenue?from=2026-01-01&interval=quarter&quick_ratio_reactivation=false&group_minutes=0", nil, 200, &body)
		if len(body.Series[0].Periods) != 2 || body.Series[0].Periods[0].Period != "2026-Q1" {
			t.Errorf("quarters: %+v", body.Series[0].Periods)
		}
		if body.Formulas["quick_ratio"] != "Quick ratio = (New + Expansion) ÷ (Contraction + Churn)" {
			t.Errorf("formula with reactivation left out: %q", body.Formulas["quick_ratio"])
		}
		e.fails(e.read, "GET", "/api/v1/metrics/revenue?interval=week", nil, 400, "interval")
		e.fails(e.read, "GET", "/api/v1/metrics/revenue?from=2026-05-01&to=2026-03-01", nil, 400, "to")
		e.fails(e.read, "GET", "/api/v1/metrics/revenue?group_minutes=9999", nil, 400, "group_minutes")
		e.fails(e.read, "GET", "/api/v1/metrics/revenue?colour=red", nil, 400, "colour")
		e.fails(e.write, "GET", "/api/v1/metrics/revenue", nil, 403, "")

		var co struct {
			Cohorts []struct {
				Month    string
				Accounts int
				Cells    []struct {
					Paying           int
					MRR              int64
					RevenueRetention *float64 `json:"revenue_retention"`
				}
			}
		}
		// March cohort: a and b, 150.00 at the end of March; April a at 150 → 100%.
		e.fails(e.read, "GET", "/api/v1/metrics/cohorts?cohort_by=week", nil, 400, "cohort_by")
		e.call(e.read, "GET", "/api/v1/metrics/cohorts?from=2026-03-01&to=2026-05-01&cohort_by=first_payment", nil, 200, &co)
		if len(co.Cohorts) != 2 || co.Cohorts[0].Month != "2026-03" || co.Cohorts[0].Accounts != 2 || len(co.Cohorts[0].Cells) != 2 ||
			co.Cohorts[0].Cells[1].Paying != 1 || !near(co.Cohorts[0].Cells[1].RevenueRetention, 1) {
			t.Errorf("cohorts: %+v", co.Cohorts)
		}
	})
}

func TestSubscriptionsBulkAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acme := acct.Account{ExternalID: "acme", Name: "Acme", Tier: "standard"}
		if err := e.s.CreateAccount(ctx, &acme); err != nil {
			t.Fatal(err)
		}
		batch := map[string]any{"subscriptions": []map[string]any{
			{"account_external_id": "acme", "subscription_id": "s1", "start": "2026-01-01", "end": "2026-03-01", "mrr": 10000, "currency": "USD"},
			{"account_external_id": "acme", "subscription_id": "s2", "start": "2026-02-01", "amount": 120000, "billing_interval": "year", "quantity": 3, "currency": "USD"},
		}}
		e.fails(e.rw, "POST", "/api/v1/subscriptions/bulk", batch, 403, "")
		var res struct {
			Created   int
			Unchanged int
			Movements int `json:"movements_written"`
		}
		e.call(e.admin, "POST", "/api/v1/subscriptions/bulk", batch, 200, &res)
		// 1 Jan new 100.00; 1 Feb + 3 × 1,200.00 ÷ 12 = +300.00; 1 Mar s1 ends: −100.00.
		if res.Created != 2 || res.Movements != 3 {
			t.Errorf("first import: %+v", res)
		}
		var ms page[movement]
		e.call(e.read, "GET", "/api/v1/mrr-movements?account_id="+acme.ID, nil, 200, &ms)
		if len(ms.Items) != 3 || ms.Items[0].Kind != "contraction" || ms.Items[0].Delta != -10000 || ms.Items[1].Delta != 30000 {
			t.Errorf("movements: %+v", ms.Items)
		}
		e.call(e.admin, "POST", "/api/v1/subscriptions/bulk", batch, 200, &res)
		if res.Unchanged != 2 || res.Created != 0 || res.Movements != 0 {
			t.Errorf("second import: %+v", res)
		}
		bad := map[string]any{"subscriptions": []map[string]any{
			{"account_external_id": "acme", "subscription_id": "s3", "start": "2026-01-01", "mrr": 1, "currency": "USD"},
			{"account_external_id": "acme", "subscription_id": "s4", "start": "2026-01-01", "end": "2025-01-01", "mrr": 1, "currency": "USD"},
		}}
		e.fails(e.admin, "POST", "/api/v1/subscriptions/bulk", bad, 400, "end", "item 2")
		bad = map[string]any{"subscriptions": []map[string]any{
			{"account_external_id": "nobody", "subscription_id": "s3", "start": "2026-01-01", "mrr": 1, "currency": "USD"},
		}}
		e.fails(e.admin, "POST", "/api/v1/subscriptions/bulk", bad, 400, "account_external_id", "item 1")
		e.call(e.read, "GET", "/api/v1/mrr-movements?account_id="+acme.ID, nil, 200, &ms)
		if len(ms.Items) != 3 {
			t.Errorf("a refused batch wrote movements: %d", len(ms.Items))
		}
	})
}
