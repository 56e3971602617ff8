package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// healthForm is Settings → Health as shipped, with the set in use, its mode, and the weights of rows (profile names
// in the order the page lists them) from profiles.
func healthForm(active, mode string, rows []string, profiles map[string]map[string]float64) url.Values {
	form := url.Values{"cadence_strategic": {"3"}, "cadence_important": {"7"}, "cadence_standard": {"30"}, "default_cadence": {"30"},
		"kind_email": {"1"}, "kind_call": {"1"}, "kind_meeting": {"1"}, "kind_chat": {"1"}, "history_days": {"400"}, "mode": {mode}, "active": {active}}
	for _, rule := range health.SignalRules {
		form.Set("threshold_"+rule, "10")
		form.Set("due_"+rule, "3")
	}
	for i, name := range rows {
		p, ok := profiles[name]
		for _, c := range health.Components {
			if ok {
				form.Set("w_"+strconv.Itoa(i)+"_"+c, strconv.FormatFloat(p[c], 'f', -1, 64))
			}
		}
	}
	return form
}

// Settings → Health, weights: the set in use is shown by tier with its weights; an
// unchanged save makes no version; a changed weight makes v2 (v1 kept); a bad weight
// names its cell and saves nothing; switching to by lifecycle stage makes v3 from
// the shipped stage weights, and the account page names the version and profile
// that scored it; switching back to by tier reuses v1 rather than copying it.
func TestHealthSettingsWeights(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		a := e.accountMRR("Onboarding Co", "standard", 0)
		tierRows := []string{"", "strategic", "important", "standard"}
		r := e.Get("/settings/health", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `<option value="tier" selected>by tier</option>`, `<caption>Weights of v1, per tier</caption>`,
			`<tr data-profile=""><td>default</td><td><input name="w_0_usage" inputmode="decimal" size="3" value="25" aria-label="default: usage">`,
			`name="w_1_pulse" inputmode="decimal" size="3" value="15" aria-label="strategic: pulse"`, `name="w_0_goal" inputmode="decimal" size="3" value="0"`,
			`name="w_2_usage" inputmode="decimal" size="3" value="" aria-label="important: usage" placeholder="default"`)
		wantIn(t, e.Get("/accounts/"+a.ID, admin), `weights v1, default tier profile, `)

		form := healthForm("v1", "tier", tierRows, health.DefaultTierProfiles())
		wantStatus(t, e.Post("/settings/health", form, admin), http.StatusSeeOther)
		versions := func() (string, int) {
			hs, err := e.s.HealthSettings(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return hs.Active, len(hs.Sets)
		}
		if act, n := versions(); act != "v1" || n != 1 {
			t.Fatalf("unchanged save: active %s, %d sets", act, n)
		}

		bad := healthForm("v1", "tier", tierRows, health.DefaultTierProfiles())
		bad.Set("w_1_usage", "lots")
		r = e.Post("/settings/health", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `value="lots" aria-label="strategic: usage" aria-invalid="true"`, "Enter a number from 0 to 1000.")
		if act, n := versions(); act != "v1" || n != 1 {
			t.Fatalf("bad save: active %s, %d sets", act, n)
		}

		form.Set("w_0_goal", "10")
		form.Set("w_3_usage", "40") // standard gets a profile of its own: usage 40, the rest 0
		wantStatus(t, e.Post("/settings/health", form, admin), http.StatusSeeOther)
		hs, _ := e.s.HealthSettings(e.ctx)
		v2 := hs.Weights()
		if hs.Active != "v2" || len(hs.Sets) != 2 || v2.Profiles[""][health.GoalPart] != 10 || v2.Profiles["standard"][health.Usage] != 40 ||
			len(v2.Profiles) != 3 || hs.Sets[0].Profiles[""][health.GoalPart] != 0 {
			t.Fatalf("changed weights: %+v", hs)
		}
		wantIn(t, e.Get("/accounts/"+a.ID, admin), `weights v2, standard tier profile, `)

		wantStatus(t, e.Post("/settings/health", healthForm("v2", "stage", tierRows, v2.Profiles), admin), http.StatusSeeOther)
		if act, n := versions(); act != "v3" || n != 3 {
			t.Fatalf("by stage: active %s, %d sets", act, n)
		}
		r = e.Get("/settings/health", admin)
		wantIn(t, r, `<option value="stage" selected>by lifecycle stage</option>`, `<caption>Weights of v3, per lifecycle stage</caption>`,
			`<tr data-profile="onboarding"><td>onboarding</td>`, `name="w_2_activate" inputmode="decimal" size="3" value="30" aria-label="onboarding: activate"`,
			`<tr data-profile="at_risk"><td>at risk</td>`, `name="w_5_usage" inputmode="decimal" size="3" value="" aria-label="churned: usage" placeholder="default"`)
		wantIn(t, e.Get("/accounts/"+a.ID, admin), `weights v3, active stage profile, `)
		acct, _ := e.s.GetAccount(e.ctx, a.ID)
		acct.Stage = account.AtRisk
		storetest.Must(t, e.s.UpdateAccount(e.ctx, &acct.Account))
		wantIn(t, e.Get("/accounts/"+a.ID, admin), `weights v3, at risk stage profile, `)

		stageRows := []string{"", "trial", "onboarding", "active", "at_risk", "churned"}
		bad = healthForm("v3", "stage", stageRows, health.DefaultStageProfiles())
		bad.Set("mode", "plan")
		r = e.Post("/settings/health", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Choose by tier or by lifecycle stage.")

		wantStatus(t, e.Post("/settings/health", healthForm("v3", "tier", stageRows, health.DefaultStageProfiles()), admin), http.StatusSeeOther)
		if act, n := versions(); act != "v1" || n != 3 {
			t.Fatalf("back to by tier: active %s, %d sets", act, n)
		}
	})
}
