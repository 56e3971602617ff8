package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/web"
)

func sessionCookie(r resp) *http.Cookie { return r.Cookie(web.SessionCookie) }

func TestSignIn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("ada@example.com", auth.RoleMember)

		page := e.Get("/signin?next=%2Faccounts%3Ftier%3Dstrategic", nil)
		wantStatus(t, page, http.StatusOK)
		wantIn(t, page, `name="email"`, `name="password"`, `value="/accounts?tier=strategic"`)

		t.Run("wrong password", func(t *testing.T) {
			r := e.Post("/signin", url.Values{"email": {"ada@example.com"}, "password": {"wrong password!"}}, nil)
			wantStatus(t, r, http.StatusUnauthorized)
			wantIn(t, r, "don&#39;t match", `value="ada@example.com"`)
			if c := sessionCookie(r); c != nil {
				t.Fatalf("a failed sign-in set a session cookie: %v", c)
			}
		})
		t.Run("unknown email", func(t *testing.T) {
			r := e.Post("/signin", url.Values{"email": {"nobody@example.com"}, "password": {testPassword}}, nil)
			wantStatus(t, r, http.StatusUnauthorized)
			if sessionCookie(r) != nil {
				t.Fatal("session for an unknown email")
			}
		})

		r := e.Post("/signin", url.Values{"email": {"ADA@example.com "}, "password": {testPassword}, "next": {"/accounts?tier=strategic"}}, nil)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/accounts?tier=strategic" {
			t.Errorf("redirect to %q", loc)
		}
		c := sessionCookie(r)
		if c == nil {
			t.Fatal("no session cookie")
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
			t.Errorf("cookie attributes: HttpOnly=%v SameSite=%v Path=%q MaxAge=%d", c.HttpOnly, c.SameSite, c.Path, c.MaxAge)
		}
		if c.Secure {
			t.Error("Secure set although SecureCookies is off (plain-http laptop install could not sign in)")
		}
		if raw := r.Header().Get("Set-Cookie"); !strings.Contains(raw, "SameSite=Lax") || !strings.Contains(raw, "HttpOnly") {
			t.Errorf("Set-Cookie %q", raw)
		}
		// The database holds the hash, never the token itself.
		if _, err := e.s.SessionMember(e.ctx, c.Value); err == nil {
			t.Error("the raw token is usable as a stored session key")
		}
		if _, err := e.s.SessionMember(e.ctx, auth.HashToken(c.Value)); err != nil {
			t.Errorf("session by hash: %v", err)
		}

		list := e.Get("/accounts", &http.Cookie{Name: c.Name, Value: c.Value})
		wantStatus(t, list, http.StatusOK)
		wantIn(t, list, "Sign out", "ada")

		// Signed in, the sign-in page sends you on.
		wantStatus(t, e.Get("/signin", c), http.StatusSeeOther)

		out := e.Post("/signout", url.Values{}, c)
		wantStatus(t, out, http.StatusSeeOther)
		if got := e.Get("/accounts", c); got.Code != http.StatusSeeOther || !strings.HasPrefix(got.Header().Get("Location"), "/signin") {
			t.Fatalf("session still valid after sign-out: %d", got.Code)
		}
	})
}

func TestSignInSecureCookie(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	e := newEnvSecure(t, s)
	e.member("ada@example.com", auth.RoleViewer)
	r := e.Post("/signin", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}, nil)
	wantStatus(t, r, http.StatusSeeOther)
	if c := sessionCookie(r); c == nil || !c.Secure {
		t.Fatalf("cookie %v: want Secure with SecureCookies on", c)
	}
}

func TestSignInNextIsLocal(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	e := newEnv(t, s)
	i := 0
	for next, want := range map[string]string{
		"/accounts/abc?x=1":      "/accounts/abc?x=1",
		"//evil.example/":        "/accounts",
		"/\\evil.example":        "/accounts",
		"https://evil.example/":  "/accounts",
		"javascript:alert(1)":    "/accounts",
		"":                       "/accounts",
		"/signin?next=/accounts": "/accounts",
	} {
		// One member per case: each email has its own sign-in budget.
		i++
		m := e.member(fmt.Sprintf("ada%d@example.com", i), auth.RoleViewer)
		r := e.Post("/signin", url.Values{"email": {m.Email}, "password": {testPassword}, "next": {next}}, nil)
		if loc := r.Header().Get("Location"); r.Code != http.StatusSeeOther || loc != want {
			t.Errorf("next %q: %d to %q, want %q", next, r.Code, loc, want)
		}
	}
}

func TestSignInRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("ada@example.com", auth.RoleMember)
		bad := url.Values{"email": {"ada@example.com"}, "password": {"not the password"}}
		for i := 0; i < web.SignInBurstPerEmail; i++ {
			wantStatus(t, e.Post("/signin", bad, nil), http.StatusUnauthorized)
		}
		r := e.Post("/signin", bad, nil)
		wantStatus(t, r, http.StatusTooManyRequests)
		wantIn(t, r, "Too many sign-in attempts", "wait a minute")
		if r.Header().Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// Even the right password waits: otherwise the limit tells a guesser nothing.
		good := url.Values{"email": {"ada@example.com"}, "password": {testPassword}}
		r = e.Post("/signin", good, nil)
		wantStatus(t, r, http.StatusTooManyRequests)
		if sessionCookie(r) != nil {
			t.Fatal("signed in while rate limited")
		}
		// Another email from the same address still has its own budget…
		e.member("bob@example.com", auth.RoleMember)
		wantStatus(t, e.Post("/signin", url.Values{"email": {"bob@example.com"}, "password": {testPassword}}, nil), http.StatusSeeOther)
		// …until the per-address limit is spent across many emails.
		n := 0
		for ; n < web.SignInBurstPerIP+1; n++ {
			r := e.Post("/signin", url.Values{"email": {"x" + strings.Repeat("y", n) + "@example.com"}, "password": {"short"}}, nil)
			if r.Code == http.StatusTooManyRequests {
				break
			}
		}
		if n > web.SignInBurstPerIP {
			t.Fatalf("no per-address limit after %d emails", n)
		}
	})
}

func TestAnonymousIsSentToSignIn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.Get("/accounts", nil)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/signin?next=%2Faccounts" {
			t.Errorf("Location %q", loc)
		}
		r = e.Get("/accounts?tier=strategic&q=a%20b", nil)
		if loc := r.Header().Get("Location"); loc != "/signin?next="+url.QueryEscape("/accounts?tier=strategic&q=a%20b") {
			t.Errorf("Location %q keeps the query", loc)
		}
		if r := e.Get("/", nil); r.Code != http.StatusSeeOther {
			t.Errorf("GET / anonymous: %d", r.Code)
		}
		// A POST cannot be replayed after signing in, so it gets a page, not a redirect.
		r = e.Post("/accounts/x/touchpoints", url.Values{"summary": {"hi"}}, nil)
		wantStatus(t, r, http.StatusUnauthorized)
		wantIn(t, r, "Please sign in")
		// Bogus cookies are just anonymous.
		r = e.Get("/accounts", &http.Cookie{Name: web.SessionCookie, Value: "forged"})
		wantStatus(t, r, http.StatusSeeOther)
	})
}
