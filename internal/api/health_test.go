package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
)

// An account's health over the API, hand-worked: a standard account with no seats
// known, no usage, an email today and no bugs — usage 0 (weight 25), contact 100
// (15), support 100 (10); seats, activation, NPS, payment and pulse missing:
// (0 + 1500 + 1000) / 50 = 50, yellow. A pulse of 5 (weight 5) adds 100 × 5:
// 3000 / 55 = 54.5 → 55. A new weight set is used once active.
func TestAccountHealthAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.newAccount(map[string]any{"name": "Acme", "tier": "standard"})
		e.call(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": a.ID, "kind": "email",
			"occurred_at": e.s.Now().Add(-time.Minute).Format(time.RFC3339), "summary": "hello"}, 201, nil)
		var h store.AccountHealth
		e.call(e.read, "GET", "/api/v1/health/accounts/"+a.ID, nil, 200, &h)
		if h.Current == nil || h.Current.Score != 50 || h.Current.Band != "yellow" || h.CadenceDays != 30 || h.DaysSinceContact != 0 || h.CadenceOverdue {
			t.Fatalf("health: %+v", h)
		}
		parts := map[string]string{}
		for _, p := range h.Current.Parts {
			parts[p.Name] = fmt.Sprintf("%d %g %g", p.Score, p.Weight, p.Contribution)
		}
		if parts["usage"] != "0 0.5 0" || parts["contact"] != "100 0.3 30" || parts["support"] != "100 0.2 20" || parts["payment"] != "0 0 0" {
			t.Fatalf("components: %v", parts)
		}

		e.call(e.write, "PUT", "/api/v1/health/accounts/"+a.ID+"/pulse", map[string]any{"pulse": 5, "note": "happy"}, 200, &h)
		if h.Current.Score != 55 || h.Pulse == nil || h.Pulse.Pulse != 5 || h.Pulse.Note != "happy" {
			t.Fatalf("after the pulse: %+v", h)
		}
		for body, field := range map[string]string{`{"pulse": 6}`: "pulse", `{"note": "x"}`: "pulse", `{"pulse": 3, "note": 4}`: "note",
			`{"pulse": 3, "note": "` + strings.Repeat("x", 2001) + `"}`: "note"} {
			r := e.call(e.write, "PUT", "/api/v1/health/accounts/"+a.ID+"/pulse", body, 400, nil)
			if !strings.Contains(string(r.Body), `"`+field+`"`) {
				t.Errorf("%s: %s", body, r.Body)
			}
		}
		e.call(e.write, "PUT", "/api/v1/health/accounts/nonesuch/pulse", map[string]any{"pulse": 3}, 404, nil)
		e.call(e.read, "GET", "/api/v1/health/accounts/nonesuch", nil, 404, nil)

		var hs map[string]any
		e.call(e.read, "GET", "/api/v1/settings/health", nil, 200, &hs)
		if hs["active"] != "v1" || hs["default_cadence_days"] != float64(30) {
			t.Fatalf("settings: %v", hs)
		}
		sets := hs["weight_sets"].([]any)
		hs["weight_sets"] = append(sets, map[string]any{"version": "v2", "profiles": map[string]any{"": map[string]any{"contact": 10, "support": 10}}})
		hs["active"] = "v2"
		e.call(e.rw, "PUT", "/api/v1/settings/health", hs, 403, nil)
		e.call(e.admin, "PUT", "/api/v1/settings/health", hs, 200, nil)
		e.call(e.read, "GET", "/api/v1/health/accounts/"+a.ID, nil, 200, &h)
		if h.Current.Score != 100 || h.Current.Band != "green" || h.Current.Weights != "v2" {
			t.Fatalf("with v2: %+v", h.Current)
		}
		hs["active"] = "v9"
		r := e.call(e.admin, "PUT", "/api/v1/settings/health", hs, 400, nil)
		if !strings.Contains(string(r.Body), `"active"`) {
			t.Fatalf("bad active: %s", r.Body)
		}
		// v2 edited in place (by lifecycle stage, the active stage weighing usage
		// only) is saved as v3, and v2 is kept: the account (stage active) scores
		// usage 0 → 0 with the active stage profile.
		hs["active"] = "v2"
		hs["weight_sets"] = []any{map[string]any{"version": "v2", "mode": "stage", "profiles": map[string]any{
			"": map[string]any{"contact": 10}, "active": map[string]any{"usage": 10}}}}
		var saved health.Settings
		e.call(e.admin, "PUT", "/api/v1/settings/health", hs, 200, &saved)
		if saved.Active != "v3" || len(saved.Sets) != 3 || saved.Sets[0].Version != "v3" || saved.Sets[0].Mode != health.ByStage {
			t.Fatalf("edited in place: %+v", saved)
		}
		e.call(e.read, "GET", "/api/v1/health/accounts/"+a.ID, nil, 200, &h)
		if h.Current.Score != 0 || h.Current.Weights != "v3" || h.Current.Profile != "stage:active" {
			t.Fatalf("with v3: %+v", h.Current)
		}
		hs["weight_sets"] = []any{map[string]any{"version": "v4", "mode": "plan", "profiles": map[string]any{"": map[string]any{"contact": 10}}}}
		hs["active"] = "v4"
		if r := e.call(e.admin, "PUT", "/api/v1/settings/health", hs, 400, nil); !strings.Contains(string(r.Body), `"weight_sets[0].mode"`) {
			t.Fatalf("bad mode: %s", r.Body)
		}
	})
}

// GET /api/v1/accounts?cadence_overdue=true lists only accounts not contacted within
// their tier's cadence.
func TestAccountsCadenceOverdueAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var fresh, stale account
		e.call(e.rw, "POST", "/api/v1/accounts", map[string]any{"name": "Fresh", "tier": "important"}, 201, &fresh)
		e.call(e.rw, "POST", "/api/v1/accounts", map[string]any{"name": "Stale", "tier": "important"}, 201, &stale)
		for id, ago := range map[string]int{fresh.ID: 7, stale.ID: 8} {
			e.call(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": id, "kind": "call",
				"occurred_at": e.s.Now().AddDate(0, 0, -ago).Format(time.RFC3339), "summary": "hello"}, 201, nil)
		}
		var page struct {
			Items []account `json:"items"`
			Total int       `json:"total"`
		}
		e.call(e.read, "GET", "/api/v1/accounts?cadence_overdue=true", nil, 200, &page)
		if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != stale.ID {
			t.Fatalf("overdue: %+v", page)
		}
		r := e.call(e.read, "GET", "/api/v1/accounts?cadence_overdue=maybe", nil, 400, nil)
		if !strings.Contains(string(r.Body), "cadence_overdue") {
			t.Fatalf("bad flag: %s", r.Body)
		}
	})
}
