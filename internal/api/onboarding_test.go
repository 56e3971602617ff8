package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
)

// Onboarding over the API: the key steps are read with read and replaced only with
// admin, a bad step is refused naming its field; an account that did the first of
// two steps (with the property the filter asks) is started, not activated; the
// funnel counts it, by signup month, within from/to, and refuses a bad date by name.
func TestOnboardingAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var set health.ActivationSettings
		e.call(e.read, "GET", "/api/v1/settings/onboarding", nil, 200, &set)
		if len(set.Steps) != 0 {
			t.Fatalf("steps before any: %+v", set)
		}
		steps := map[string]any{"steps": []map[string]any{
			{"name": "Connected", "event": "Source Connected", "property": "kind=db", "required": true},
			{"event": "Report Created", "min": 3, "within_days": 30, "required": true, "aha": true},
		}}
		e.call(e.rw, "PUT", "/api/v1/settings/onboarding", steps, 403, nil)
		e.call(e.admin, "PUT", "/api/v1/settings/onboarding", steps, 200, &set)
		if len(set.Steps) != 2 || set.Steps[0].Min != 1 || set.Steps[1].WithinDays != 30 || !set.Steps[1].Aha {
			t.Fatalf("stored %+v", set)
		}
		e.fails(e.admin, "PUT", "/api/v1/settings/onboarding", `{"steps": [{"event": "A", "min": -1, "required": true}]}`, 400, "steps[0].min")
		e.fails(e.admin, "PUT", "/api/v1/settings/onboarding", `{"steps": [{"event": "A", "property": "nokey", "required": true}]}`, 400, "steps[0].property")
		e.fails(e.admin, "PUT", "/api/v1/settings/onboarding", `{"steps": [{"event": "A"}]}`, 400, "steps", "required")
		e.fails(e.admin, "PUT", "/api/v1/settings/onboarding", `{"steps": [{"event": "A", "required": true, "colour": "red"}]}`, 400, "colour")

		a := e.newAccount(map[string]any{"name": "Fresh", "external_id": "fresh", "signup_date": "2026-02-10"})
		e.call(e.rw, "POST", "/api/v1/accounts", map[string]any{"name": "Old", "external_id": "old", "signup_date": "2025-11-02"}, 201, nil)
		now := time.Now().UTC()
		var evs []store.UsageEvent
		for i, props := range []string{`{"kind":"csv"}`, `{"kind":"db"}`} {
			evs = append(evs, store.UsageEvent{MessageID: fmt.Sprint("m", i), Type: "track", Event: "Source Connected", UserID: "ann", GroupID: "fresh",
				Timestamp: time.Date(2026, 2, 11+i, 9, 0, 0, 0, time.UTC), ReceivedAt: now, Payload: []byte(`{"properties":` + props + `}`)})
		}
		if _, err := e.s.CommitUsage(context.Background(), evs, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		var ob store.AccountActivation
		e.call(e.read, "GET", "/api/v1/onboarding/accounts/"+a.ID, nil, 200, &ob)
		if ob.StepsDone != 1 || ob.StartedOn != "2026-02-12" || ob.ActivatedOn != "" || ob.TTVDays != nil || ob.Steps[0].Count != 1 || len(ob.People) != 1 {
			t.Fatalf("account onboarding %+v", ob)
		}
		e.call(e.read, "GET", "/api/v1/onboarding/accounts/nope", nil, 404, nil)

		var f struct {
			From     string             `json:"from"`
			Steps    int                `json:"steps_configured"`
			Accounts int                `json:"accounts"`
			Overall  health.FunnelRow   `json:"overall"`
			ByMonth  []health.FunnelRow `json:"by_signup_month"`
		}
		e.call(e.read, "GET", "/api/v1/metrics/onboarding", nil, 200, &f)
		if f.Steps != 2 || f.Accounts != 2 || f.Overall.Stages[1].Accounts != 1 || f.Overall.Stages[1].FromPrev != 0.5 || len(f.ByMonth) != 2 ||
			f.ByMonth[0].Month != "2025-11" || f.ByMonth[1].Stages[1].FromPrev != 1 {
			t.Fatalf("funnel %+v", f)
		}
		e.call(e.read, "GET", "/api/v1/metrics/onboarding?from=2026-01-01&to=2026-12-31", nil, 200, &f)
		if f.Accounts != 1 || f.From != "2026-01-01" || len(f.ByMonth) != 1 {
			t.Fatalf("funnel in range %+v", f)
		}
		e.fails(e.read, "GET", "/api/v1/metrics/onboarding?from=last-week", nil, 400, "from")
		e.fails(e.read, "GET", "/api/v1/metrics/onboarding?from=2026-02-01&to=2026-01-01", nil, 400, "to")
		e.fails(e.read, "GET", "/api/v1/metrics/onboarding?month=1", nil, 400, "month")
		e.call(e.write, "GET", "/api/v1/metrics/onboarding", nil, 403, nil)
	})
}
