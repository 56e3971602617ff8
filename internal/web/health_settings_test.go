package web_test

import (
	"maps"
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/health"
)

// Settings → Health: an admin changes a tier's cadence, which kinds count, a rule's
// threshold and turns a rule off; a bad number is shown back with its field. (Its
// defaults, and members refused: TestSettingsPagesFirstOpen.)
func TestHealthSettingsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		form := url.Values{"cadence_strategic": {"4"}, "cadence_important": {"7"}, "cadence_standard": {"14"}, "default_cadence": {"30"},
			"kind_email": {"1"}, "kind_call": {"1"}, "active": {"v1"}}
		for _, rule := range health.SignalRules {
			form.Set("threshold_"+rule, "0")
			form.Set("due_"+rule, "3")
			if rule != health.SigLowUsage {
				form.Set("on_"+rule, "1")
			}
		}
		form.Set("threshold_"+health.SigUsageDrop, "40")
		bad := maps.Clone(form)
		bad.Set("due_renewal", "many")
		r := e.Post("/settings/health", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Enter a whole number from 0 to 365.", `value="many" aria-label="Renewal coming up: due in days" aria-invalid="true"`)
		bad.Set("due_renewal", "3")
		bad.Set("active", "v9")
		r = e.Post("/settings/health", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "active: names no weight set")

		wantStatus(t, e.Post("/settings/health", form, admin), http.StatusSeeOther)
		hs, err := e.s.HealthSettings(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if hs.CadenceFor("standard") != 14 || hs.CadenceFor("strategic") != 4 || len(hs.ContactKinds) != 2 || hs.Rules[health.SigLowUsage].Enabled ||
			!hs.Rules[health.SigUsageDrop].Enabled || hs.Rules[health.SigUsageDrop].Threshold != 40 || hs.Rules[health.SigCadence].DueDays != 3 {
			t.Fatalf("saved: %+v", hs)
		}
	})
}

// The history retention on Settings → Health: shown at its default (400), refused
// below 91 with its field, saved at 120; a form without the field keeps it.
func TestHealthSettingsHistoryRetention(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		wantIn(t, e.Get("/settings/health", admin), `name="history_days" inputmode="numeric" size="5" value="400"`)
		form := url.Values{"cadence_strategic": {"3"}, "cadence_important": {"7"}, "cadence_standard": {"30"}, "default_cadence": {"30"},
			"kind_email": {"1"}, "active": {"v1"}, "history_days": {"30"}}
		for _, rule := range health.SignalRules {
			form.Set("threshold_"+rule, "10")
			form.Set("due_"+rule, "3")
		}
		r := e.Post("/settings/health", form, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `value="30" aria-invalid="true"`, "Enter a whole number from 91 to 3660.")
		form.Set("history_days", "120")
		wantStatus(t, e.Post("/settings/health", form, admin), http.StatusSeeOther)
		form.Del("history_days")
		wantStatus(t, e.Post("/settings/health", form, admin), http.StatusSeeOther)
		hs, err := e.s.HealthSettings(e.ctx)
		if err != nil || hs.HistoryRetention() != 120 {
			t.Fatalf("retention %d %v", hs.HistoryRetention(), err)
		}
	})
}
