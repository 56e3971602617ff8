package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Settings → Onboarding (admins only: TestSettingsPagesFirstOpen): a bad count and
// a bad filter are shown back on their row; saving replaces the steps (an empty event drops a row), marks the aha
// step, and the store then has exactly those steps.
func TestOnboardingSettingsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		form := url.Values{"rows": {"3"},
			"name_0": {"Connected"}, "event_0": {"Source Connected"}, "min_0": {"1"}, "required_0": {"1"},
			"name_1": {""}, "event_1": {""}, "min_1": {"1"}, // dropped
			"name_2": {"Team invite"}, "event_2": {"Invite Sent"}, "property_2": {"plan=team"}, "min_2": {"2"}, "within_2": {"14"}, "required_2": {"1"},
			"aha": {"2"}}
		bad := maps.Clone(form)
		bad.Set("min_2", "lots")
		r := e.Post("/settings/onboarding", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Enter a whole number from 1 to 1000000.", `value="lots" aria-label="Step 2: count" aria-invalid="true"`, `value="Team invite"`)
		bad.Set("min_2", "2")
		bad.Set("property_2", "plan")
		r = e.Post("/settings/onboarding", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "must be key=value", `aria-label="Step 2: property filter" aria-invalid="true"`)
		if set, _ := e.s.ActivationSettings(e.ctx); len(set.Steps) != 0 {
			t.Fatalf("a refused form saved: %+v", set)
		}

		wantStatus(t, e.Post("/settings/onboarding", form, admin), http.StatusSeeOther)
		set, err := e.s.ActivationSettings(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []health.Step{{Name: "Connected", Event: "Source Connected", Min: 1, Required: true},
			{Name: "Team invite", Event: "Invite Sent", Property: "plan=team", Min: 2, WithinDays: 14, Required: true, Aha: true}}
		if fmt.Sprint(set.Steps) != fmt.Sprint(want) {
			t.Fatalf("saved %+v\nwant  %+v", set.Steps, want)
		}
		r = e.Get("/settings/onboarding", admin)
		wantIn(t, r, `name="rows" value="5"`, `value="Invite Sent"`, `value="plan=team"`, `id="aha-1" value="1" checked`, `id="required-0" value="1" checked`)
		// Health settings list the two onboarding rules with their units.
		wantIn(t, e.Get("/settings/health", admin), "Not activated", "days after signup", "Onboarding stalled", "days without a new step")
	})
}

// The funnel page and the account page's onboarding card for viewers: one account
// signed up this month did both steps (activated, TTV 2 days), another only the
// first; the page counts 2 → 2 → 1 → 1 → 0 and the account shows 2 of 2.
func TestOnboardingPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("vic@example.com", auth.RoleViewer)
		r := e.Get("/onboarding", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "No key steps are configured")
		storetest.Must(t, e.s.PutActivationSettings(e.ctx, health.ActivationSettings{Steps: []health.Step{
			{Name: "Connected", Event: "Source Connected", Min: 1, Required: true},
			{Name: "First report", Event: "Report Created", Min: 1, Required: true, Aha: true},
		}}))
		now := time.Now().UTC()
		signup := now.AddDate(0, 0, -3).Format(time.DateOnly)
		for _, ext := range []string{"done", "half"} {
			a := account.Account{Name: "Acct " + ext, ExternalID: ext, Tier: "standard", SignupDate: signup}
			storetest.Must(t, e.s.CreateAccount(e.ctx, &a))
		}
		var evs []store.UsageEvent
		for i, ev := range []struct{ ext, name string }{{"done", "Source Connected"}, {"done", "Report Created"}, {"half", "Source Connected"}} {
			evs = append(evs, store.UsageEvent{MessageID: fmt.Sprint("m", i), Type: "track", Event: ev.name, UserID: "u" + ev.ext, GroupID: ev.ext,
				Timestamp: now.AddDate(0, 0, -1), ReceivedAt: now, Payload: []byte(`{}`)})
		}
		_, err := e.s.CommitUsage(e.ctx, evs, 24*time.Hour)
		storetest.Must(t, err)
		r = e.Get("/onboarding", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `<td data-stage="signed_up"><strong>2</strong>`, `<td data-stage="started"><strong>2</strong>`,
			`<td data-stage="aha"><strong>1</strong>`, `<td data-stage="activated"><strong>1</strong>`, `<td data-stage="paid"><strong>0</strong>`,
			"2.0 days", signup[:7], `aria-label="Funnel of 2 accounts"`)
		wantNotIn(t, r, "No key steps are configured")
		wantStatus(t, e.Get("/onboarding?from=yesterday", c), http.StatusBadRequest)
		// Signups outside the range are not counted.
		wantIn(t, e.Get("/onboarding?from="+now.AddDate(0, 0, 1).Format(time.DateOnly), c), `aria-label="Funnel of 0 accounts"`)

		done, err := e.s.GetAccountByExternalID(e.ctx, "done")
		storetest.Must(t, err)
		r = e.Get("/accounts/"+done.ID, c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="activation"`, "<strong>2 of 2</strong> key steps done", "time to value 2 days", "Connected", "First report")
		half, err := e.s.GetAccountByExternalID(e.ctx, "half")
		storetest.Must(t, err)
		wantIn(t, e.Get("/accounts/"+half.ID, c), "<strong>1 of 2</strong> key steps done", "not activated")
	})
}
