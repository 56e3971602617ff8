package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
)

// seedRevenue records, by hand: March — a new 100.00, b new 50.00; April — a +50.00,
// b cancels (−50.00) and returns at 80.00 ten days later, c new 20.00. April: start
// 150, new 20, expansion 50, reactivation 80, churn 50, end 250; quick ratio with
// reactivation (20 + 50 + 80) ÷ 50 = 3.00, without it 70 ÷ 50 = 1.40.
func seedRevenue(t *testing.T, e *env) {
	t.Helper()
	ids := map[string]string{}
	for _, n := range []string{"a", "b", "c"} {
		ids[n] = e.account(account.Account{Name: "Acct " + n, Tier: "standard", Plan: `<script>alert("plan")</script>`}).ID
	}
	at := func(d string) time.Time { v, _ := time.Parse("2006-01-02", d); return v }
	for _, m := range []struct {
		acct, day string
		mrr       int64
	}{{"a", "2026-03-02", 10000}, {"b", "2026-03-05", 5000}, {"a", "2026-04-03", 15000}, {"b", "2026-04-10", 0}, {"c", "2026-04-12", 2000}, {"b", "2026-04-20", 8000}} {
		if _, _, err := e.s.SetMRR(e.ctx, ids[m.acct], m.mrr, "USD", at(m.day), ""); err != nil {
			t.Fatal(err)
		}
	}
}

const revenueView = "/revenue?from=2026-03-01&to=2026-05-01"

func TestRevenuePage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.signedIn("vic@example.com", auth.RoleViewer)
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)

		r := e.Get("/revenue", viewer)
		wantStatus(t, r, 200)
		wantIn(t, r, `id="revenue-empty"`, "No MRR movements yet")
		wantNotIn(t, r, "movements-chart-USD", "Save these definitions")

		seedRevenue(t, e)
		r = e.Get(revenueView, viewer)
		wantStatus(t, r, 200)
		wantIn(t, r, `id="movements-chart-USD"`, `id="retention-chart-USD"`, `id="cohort-revenue-USD"`, `id="cohort-logo-USD"`,
			`<dd class="quick-ratio" title="Quick ratio = (New &#43; Expansion &#43; Reactivation) ÷ (Contraction &#43; Churn)">3.00</dd>`,
			"2026-04 · Reactivation &#43;$80</title>", "2026-04 · Churn −$50</title>", "2026-04 · Net &#43;$100 · End MRR $250</title>",
			"2026-04 · NRR 153.3%</title>", "<dd>$250</dd>", "Leave reactivation out", "Group by signup month", "Cohorts by first payment")
		wantNotIn(t, r, "Save these definitions", "<script>alert")
		// March cohort (a, b): 150.00 at the end of March, a 150 + b 80 = 230 in April.
		wantIn(t, r, `title="2026-03 cohort, month 1: MRR $230 of $150">153.3%</td>`)

		// The toggle keeps the view and changes the one definition.
		r = e.Get(revenueView+"&quick_ratio_reactivation=false", viewer)
		wantIn(t, r, `>1.40</dd>`, "Count reactivation", "Quick ratio = (New &#43; Expansion) ÷ (Contraction &#43; Churn)")
		// Churn at period end: b's cancel and return within April is an expansion of 30;
		// nothing churned, so there is no quick ratio.
		r = e.Get(revenueView+"&churn_recognition=period_end", viewer)
		wantIn(t, r, `<dd class="quick-ratio" title="Quick ratio = (New &#43; Expansion &#43; Reactivation) ÷ (Contraction &#43; Churn)">—</dd>`, "Recognise at cancellation")

		// Segments by plan: a plan name is text, never markup.
		r = e.Get(revenueView+"&group_by=plan", viewer)
		wantIn(t, r, `id="segments-table"`, "&lt;script&gt;alert(&#34;plan&#34;)&lt;/script&gt;")
		wantNotIn(t, r, `<script>alert("plan")`)

		r = e.Get(revenueView+"&interval=fortnight", viewer)
		wantStatus(t, r, 400)

		r = e.Get("/revenue/cohorts.csv?from=2026-03-01&to=2026-05-01", viewer)
		wantStatus(t, r, 200)
		if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("CSV content type %q", ct)
		}
		wantIn(t, r, "cohort_month,currency,accounts,mrr_0,month,paying,mrr,logo_retention,revenue_retention\n",
			"2026-03,USD,2,150.00,0,2,150.00,1.0000,1.0000\n", "2026-03,USD,2,150.00,1,2,230.00,1.0000,1.5333\n", "2026-04,USD,1,20.00,0,1,20.00,1.0000,1.0000\n")

		// Only admins change the team's defaults.
		form := url.Values{"quick_ratio_reactivation": {"false"}, "churn_recognition": {"cancellation"}, "group_minutes": {"60"}, "currency_mode": {"per_currency"}}
		wantStatus(t, e.Post("/revenue/settings", form, viewer), 403)
		r = e.Get(revenueView, admin)
		wantIn(t, r, "Save these definitions as the team")
		wantStatus(t, e.Post("/revenue/settings", form, admin), 303)
		r = e.Get(revenueView, viewer)
		wantIn(t, r, `>1.40</dd>`)
		form.Set("group_minutes", "-5")
		wantStatus(t, e.Post("/revenue/settings", form, admin), 400)
	})
}
