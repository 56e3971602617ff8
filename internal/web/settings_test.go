package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
)

func TestSettingsAreAdminOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.member("root@example.com", auth.RoleAdmin)
		for _, role := range []auth.Role{auth.RoleMember, auth.RoleViewer} {
			c := e.signedIn(string(role)+"@example.com", role)
			for _, p := range []string{"/settings", "/settings/team", "/settings/api-keys"} {
				r := e.Get(p, c)
				wantStatus(t, r, http.StatusForbidden)
				wantIn(t, r, "You don&#39;t have access to this", "Ask an admin")
			}
			wantStatus(t, e.Post("/settings/team", url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"admin"}, "password": {"0123456789ab"}}, c), http.StatusForbidden)
			wantStatus(t, e.Post("/settings/team/"+admin.ID, url.Values{"role": {"viewer"}}, c), http.StatusForbidden)
			wantStatus(t, e.Post("/settings/api-keys", url.Values{"name": {"k"}, "scope": {"admin"}}, c), http.StatusForbidden)
			// Non-admins do not see the Settings link at all.
			wantNotIn(t, e.Get("/accounts", c), `href="/settings/team"`)
		}
		if keys, _ := e.s.ListAPIKeys(e.ctx); len(keys) != 0 {
			t.Fatal("a non-admin created a key")
		}
		if _, err := e.s.GetMemberByEmail(e.ctx, "x@example.com"); err == nil {
			t.Fatal("a non-admin added a member")
		}
		c := e.session(admin)
		wantStatus(t, e.Get("/settings/team", c), http.StatusOK)
		wantStatus(t, e.Get("/settings/api-keys", c), http.StatusOK)
		wantIn(t, e.Get("/accounts", c), `href="/settings/team"`)
	})
}

func TestTeamSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin, c := e.signedInMember("root@example.com", auth.RoleAdmin)

		r := e.Get("/settings/team", c)
		wantIn(t, r, "root@example.com", "Add a team member")

		r = e.Post("/settings/team", url.Values{"email": {"new@example.com"}, "name": {"Newt"}, "role": {"member"}, "password": {"short"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "at least 10 characters", `value="new@example.com"`, `value="Newt"`)

		r = e.Post("/settings/team", url.Values{"email": {"not-an-email"}, "name": {"Newt"}, "role": {"member"}, "password": {"long enough pw"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not an email address")

		r = e.Post("/settings/team", url.Values{"email": {"new@example.com"}, "name": {"Newt"}, "role": {"member"}, "password": {"long enough pw"}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		newt, err := e.s.GetMemberByEmail(e.ctx, "new@example.com")
		if err != nil || newt.Role != auth.RoleMember || !auth.CheckPassword(newt.PasswordHash, "long enough pw") {
			t.Fatalf("added member %+v, %v", newt, err)
		}
		r = e.Post("/settings/team", url.Values{"email": {"new@example.com"}, "name": {"Newt"}, "role": {"member"}, "password": {"long enough pw"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "already on the team")

		// The last admin can be neither demoted nor disabled.
		r = e.Post("/settings/team/"+admin.ID, url.Values{"role": {"member"}}, c)
		wantStatus(t, r, http.StatusConflict)
		wantIn(t, r, "last admin")
		r = e.Post("/settings/team/"+admin.ID, url.Values{"disabled": {"true"}}, c)
		wantStatus(t, r, http.StatusConflict)
		if got, _ := e.s.GetMember(e.ctx, admin.ID); got.Role != auth.RoleAdmin || got.Disabled {
			t.Fatalf("last admin changed: %+v", got)
		}

		// With a second admin, the first may step down; disabling ends sessions.
		wantStatus(t, e.Post("/settings/team/"+newt.ID, url.Values{"role": {"admin"}}, c), http.StatusSeeOther)
		nc := e.session(newt)
		wantStatus(t, e.Post("/settings/team/"+newt.ID, url.Values{"disabled": {"true"}}, c), http.StatusSeeOther)
		if r := e.Get("/accounts", nc); r.Code != http.StatusSeeOther {
			t.Fatalf("disabled member still signed in: %d", r.Code)
		}
		wantStatus(t, e.Post("/settings/team/"+newt.ID, url.Values{"disabled": {"false"}}, c), http.StatusSeeOther)
		wantStatus(t, e.Post("/settings/team/"+admin.ID, url.Values{"role": {"viewer"}}, c), http.StatusSeeOther)
		if got, _ := e.s.GetMember(e.ctx, admin.ID); got.Role != auth.RoleViewer {
			t.Fatalf("role %s", got.Role)
		}
		// Now a viewer, the former admin is refused on the next request.
		wantStatus(t, e.Get("/settings/team", c), http.StatusForbidden)
	})
}

var keyRE = regexp.MustCompile(`<code id="new-key">(cl_[^<]+)</code>`)

func TestAPIKeySettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin, c := e.signedInMember("root@example.com", auth.RoleAdmin)

		r := e.Get("/settings/api-keys", c)
		wantIn(t, r, "No API keys yet")

		r = e.Post("/settings/api-keys", url.Values{"name": {"Pipeline"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "at least one scope", `value="Pipeline"`)

		r = e.Post("/settings/api-keys", url.Values{"name": {"Pipeline"}, "scope": {"read", "ingest"}}, c)
		wantStatus(t, r, http.StatusCreated)
		wantIn(t, r, "Copy it now: it will not be shown again.")
		if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q on the page with the secret", cc)
		}
		m := keyRE.FindStringSubmatch(r.Text)
		if m == nil {
			t.Fatal("new key not shown")
		}
		secret := m[1]
		k, err := e.s.AuthenticateAPIKey(e.ctx, secret)
		if err != nil {
			t.Fatalf("shown key does not authenticate: %v", err)
		}
		if k.Name != "Pipeline" || len(k.Scopes) != 2 || k.CreatedBy != admin.ID {
			t.Errorf("key %+v", k)
		}
		// It authenticates against the real API too (any /api route needs a valid key
		// before anything else, so a 401 would mean it was refused).
		api := e.Do("GET", "/api/v1/accounts", nil, nil, "Authorization: Bearer "+secret)
		if api.Code == http.StatusUnauthorized {
			t.Errorf("API refused the key: %s", api.Text)
		}

		// Shown once: the list has the prefix, never the secret.
		r = e.Get("/settings/api-keys", c)
		wantIn(t, r, "Pipeline", "cl_"+k.Prefix+"_…", "ingest", "active")
		wantNotIn(t, r, secret, "Copy it now")

		wantStatus(t, e.Post("/settings/api-keys/"+k.ID+"/revoke", url.Values{}, c), http.StatusSeeOther)
		if _, err := e.s.AuthenticateAPIKey(e.ctx, secret); err == nil {
			t.Fatal("revoked key still authenticates")
		}
		wantIn(t, e.Get("/settings/api-keys", c), "revoked")
		wantStatus(t, e.Post("/settings/api-keys/nope/revoke", url.Values{}, c), http.StatusNotFound)
	})
}
