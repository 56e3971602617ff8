package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// A member sets an account's usage goal from its page and sees where it stands; a bad
// count is refused naming the field; an empty event clears it; viewers cannot set one.
func TestAccountGoalForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		m := e.session(e.member("mia@example.com", auth.RoleMember))
		v := e.session(e.member("vic@example.com", auth.RoleViewer))
		a := e.accountMRR("Acme", "standard", 1000)
		wantIn(t, e.get("/accounts/"+a.ID, m), "No usage goal")
		goal := url.Values{"event": {"Report Created"}, "min": {"10"}, "check_days": {"60"}}
		wantStatus(t, e.post("/accounts/"+a.ID+"/goal", goal, v), http.StatusForbidden)
		wantStatus(t, e.post("/accounts/"+a.ID+"/goal", goal, m), http.StatusSeeOther)
		r := e.get("/accounts/"+a.ID, m)
		wantIn(t, r, "10 × <strong>Report Created</strong> by", ": 0 so far.", `class="badge goal-pending`)
		bad := url.Values{"event": {"Report Created"}, "min": {"0"}, "check_days": {"60"}}
		r = e.post("/accounts/"+a.ID+"/goal", bad, m)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "min: must be from 1 to 1,000,000")
		wantStatus(t, e.post("/accounts/"+a.ID+"/goal", url.Values{"event": {""}}, m), http.StatusSeeOther)
		wantIn(t, e.get("/accounts/"+a.ID, m), "No usage goal")
	})
}
