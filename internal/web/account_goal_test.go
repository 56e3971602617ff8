package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
)

// A member sets an account's usage goal from its page and sees where it stands; a bad
// count is refused naming the field; a goal can be a trait condition, whose value
// must be a number to compare with ≥; an empty event and trait clear it; viewers
// cannot set one.
func TestAccountGoalForm(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.signedIn("mia@example.com", auth.RoleMember)
		v := e.signedIn("vic@example.com", auth.RoleViewer)
		a := e.accountMRR("Acme", "standard", 1000)
		wantIn(t, e.Get("/accounts/"+a.ID, m), "No usage goal")
		goal := url.Values{"event": {"Report Created"}, "min": {"10"}, "check_days": {"60"}}
		wantStatus(t, e.Post("/accounts/"+a.ID+"/goal", goal, v), http.StatusForbidden)
		wantStatus(t, e.Post("/accounts/"+a.ID+"/goal", goal, m), http.StatusSeeOther)
		r := e.Get("/accounts/"+a.ID, m)
		wantIn(t, r, "<strong>10 × Report Created</strong> by", ": 0 so far.", `class="badge goal-pending`)
		bad := url.Values{"event": {"Report Created"}, "min": {"0"}, "check_days": {"60"}}
		r = e.Post("/accounts/"+a.ID+"/goal", bad, m)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "min: must be from 1 to 1,000,000")
		byTrait := url.Values{"event": {""}, "trait": {"integrations"}, "trait_op": {">="}, "trait_value": {"many"}, "check_days": {"30"}}
		r = e.Post("/accounts/"+a.ID+"/goal", byTrait, m)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "trait_value: must be a number to compare with &gt;=")
		byTrait.Set("trait_value", "3")
		wantStatus(t, e.Post("/accounts/"+a.ID+"/goal", byTrait, m), http.StatusSeeOther)
		r = e.Get("/accounts/"+a.ID, m)
		wantIn(t, r, "<strong>integrations ≥ 3</strong> by", `id="goal-trait" name="trait" placeholder="e.g. integrations" size="12" value="integrations"`,
			`<option value="&gt;=" selected>≥</option>`)
		wantNotIn(t, r, "so far")
		wantStatus(t, e.Post("/accounts/"+a.ID+"/goal", url.Values{"event": {""}, "trait": {""}}, m), http.StatusSeeOther)
		wantIn(t, e.Get("/accounts/"+a.ID, m), "No usage goal")
	})
}
