package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/health"
)

// The onboarding funnel (viewers): signed up → onboarding started → aha → activated
// → upgraded to paid for the accounts that signed up in a date range, overall and by
// signup month, with the conversion between stages and the median time to value.

type funnelBar struct {
	Label, Count, Share string
	Y, W                int // the bar's top and width in the SVG
}

type onboardingData struct {
	From, To string
	Steps    int // key steps configured
	Funnel   health.Funnel
	Bars     []funnelBar
	BarsH    int
}

// funnelBars draws the overall row as horizontal bars, the widest 420 px.
func funnelBars(row health.FunnelRow) ([]funnelBar, int) {
	const width, step = 420, 30
	top := 0
	if len(row.Stages) > 0 {
		top = row.Stages[0].Accounts
	}
	var out []funnelBar
	for i, st := range row.Stages {
		w := 0
		if top > 0 {
			w = st.Accounts * width / top
		}
		out = append(out, funnelBar{Label: st.Label, Count: fmt.Sprint(st.Accounts), Share: shareOf(st.FromTop), Y: i * step, W: max(w, 1)})
	}
	return out, len(row.Stages) * step
}

// medianDays shows a median time to value, "—" when there is none.
func medianDays(d *float64) string {
	if d == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f days", *d)
}

func shareOf(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

func (ui *Web) onboardingPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := onboardingData{From: q.Get("from"), To: q.Get("to")}
	if !q.Has("from") && !q.Has("to") {
		d.From = ui.now().UTC().AddDate(-1, 0, 0).Format(time.DateOnly) // the last year of signups
	}
	for field, v := range map[string]string{"from": d.From, "to": d.To} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			return badQuery(field, "use a date such as 2026-01-31")
		}
	}
	set, err := ui.Store.ActivationSettings(r.Context())
	if err != nil {
		return err
	}
	d.Steps = len(set.Steps)
	if d.Funnel, err = ui.Store.OnboardingFunnel(r.Context(), d.From, d.To); err != nil {
		return err
	}
	d.Bars, d.BarsH = funnelBars(d.Funnel.Overall)
	return ui.render(w, r, http.StatusOK, "onboarding", "Onboarding", "onboarding", d)
}
