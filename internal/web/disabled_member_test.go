package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/webtest"
)

// TestDisablingAMemberSuspendsTheirAPIKeys is issue 13, defect 4: a disabled admin's
// admin-scope key kept answering 200 and could add a new admin through POST
// /api/v1/team. Disabling a person now suspends the keys they created (401), the team
// page says so, and enabling them again restores the keys.
func TestDisablingAMemberSuspendsTheirAPIKeys(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.signedIn("root@example.com", auth.RoleAdmin)
		ops := e.member("ops@example.com", auth.RoleAdmin)

		r := e.Post("/settings/api-keys", url.Values{"name": {"Ops pipeline"}, "scope": {"admin"}}, e.session(ops))
		wantStatus(t, r, http.StatusCreated)
		m := keyRE.FindStringSubmatch(r.Text)
		if m == nil {
			t.Fatal("new key not shown")
		}
		secret := m[1]
		api := func(method, path, body string) resp {
			t.Helper()
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+secret)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			return webtest.Send(e.H, req)
		}
		wantStatus(t, api("GET", "/api/v1/team", ""), http.StatusOK)

		// The team page warns before, and the confirmation says so after.
		wantIn(t, e.Get("/settings/team", root), "the API keys they created stop working")
		r = e.Post("/settings/team/"+ops.ID, url.Values{"disabled": {"true"}}, root)
		wantStatus(t, r, http.StatusSeeOther)
		cookies := []string{root.Name + "=" + root.Value}
		for _, c := range r.Result().Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		wantIn(t, e.Do("GET", r.Header().Get("Location"), nil, nil, "Cookie: "+strings.Join(cookies, "; ")),
			"ops is a admin, disabled: they are signed out, and the API keys they created stop working until they are enabled again.")

		wantStatus(t, api("GET", "/api/v1/team", ""), http.StatusUnauthorized)
		newAdmin := `{"email": "mallory@example.com", "name": "Mallory", "role": "admin", "password": "correct horse battery"}`
		wantStatus(t, api("POST", "/api/v1/team", newAdmin), http.StatusUnauthorized)
		if _, err := e.s.GetMemberByEmail(e.ctx, "mallory@example.com"); err == nil {
			t.Fatal("a disabled admin's key added an admin")
		}
		wantIn(t, e.Get("/settings/api-keys", root), "Ops pipeline", "suspended")

		// Enabling them again restores the key.
		wantStatus(t, e.Post("/settings/team/"+ops.ID, url.Values{"disabled": {"false"}}, root), http.StatusSeeOther)
		wantStatus(t, api("GET", "/api/v1/team", ""), http.StatusOK)
		wantNotIn(t, e.Get("/settings/api-keys", root), ">suspended<")
	})
}
