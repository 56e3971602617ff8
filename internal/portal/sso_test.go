package portal_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestSSOSignsInAndAttachesPeople(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		acme := e.acme()
		globex := e.account(account.Account{ExternalID: "acct-globex", Name: "Globex", Domain: "globex.com"})
		req := e.request("Dark mode", "open", true)

		// By account external id (it wins over the email's domain).
		c := claims("Ann@Acme.com")
		c.ExternalID, c.AccountExternalID, c.Company = "u-1", "acct-globex", "Globex Corp"
		c.Aud = portal.Audience
		r := e.Get("/portal/sso?token="+url.QueryEscape(token(t, c))+"&return="+url.QueryEscape("/portal/requests/"+req.ID), nil)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/portal/requests/"+req.ID {
			t.Errorf("redirected to %q", loc)
		}
		var ck *http.Cookie
		for _, x := range r.Result().Cookies() {
			if x.Name == portal.CookieName {
				ck = x
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.MaxAge != 30*24*3600 || ck.Path != "/portal" {
			t.Fatalf("cookie: %+v", ck)
		}
		if r.Header().Get("Cache-Control") != "no-store" || r.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("sso response headers: %v", r.Header())
		}
		ann, err := e.s.GetPersonByEmail(e.ctx, "ann@acme.com")
		if err != nil || ann.AccountID != globex.ID || ann.ExternalID != "u-1" || ann.Name != "Ann Example" {
			t.Fatalf("person by account external id: %+v %v", ann, err)
		}
		// The cookie names Ann on every page.
		wantIn(t, e.Get("/portal", ck), "Ann Example", "Sign out")

		// By email domain, when no account external id is given (or it is unknown).
		c = claims("bob@acme.com")
		c.AccountExternalID = "acct-unknown"
		e.signIn(c)
		bob, err := e.s.GetPersonByEmail(e.ctx, "bob@acme.com")
		if err != nil || bob.AccountID != acme.ID {
			t.Fatalf("person by domain: %+v %v", bob, err)
		}
		// Signing in again finds the same person.
		n := e.peopleCount()
		e.signIn(claims("bob@acme.com"))
		if e.peopleCount() != n {
			t.Fatal("a second sign-in created another person")
		}

		// An unsafe return path lands on the portal home.
		for _, bad := range []string{"//evil.example/x", "https://evil.example/", "/accounts", "/\\evil.example", "/portal/../accounts"} {
			r := e.Get("/portal/sso?token="+url.QueryEscape(token(t, claims("bob@acme.com")))+"&return="+url.QueryEscape(bad), nil)
			if loc := r.Header().Get("Location"); loc != "/portal" {
				t.Errorf("return %q redirected to %q", bad, loc)
			}
		}
	})
}

func TestSSORefusesBadTokens(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		now := time.Now()
		b64 := base64.RawURLEncoding
		valid := token(t, claims("eve@acme.com"))
		parts := strings.Split(valid, ".")

		expired := claims("eve@acme.com")
		expired.Iat, expired.Exp = now.Add(-time.Hour).Unix(), now.Add(-10*time.Minute).Unix()
		farFuture := claims("eve@acme.com")
		farFuture.Exp = now.Add(48 * time.Hour).Unix()
		noEmail := claims("")
		futureIat := claims("eve@acme.com")
		futureIat.Iat = now.Add(time.Hour).Unix()
		notYet := claims("eve@acme.com")
		notYet.Nbf = now.Add(time.Hour).Unix()
		wrongAud := claims("eve@acme.com")
		wrongAud.Aud = "another-app"
		wrongSecret, _ := portal.SignToken(claims("eve@acme.com"), testSecret+"x")
		noneHeader := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		hs512Header := b64.EncodeToString([]byte(`{"alg":"HS512","typ":"JWT"}`))
		tampered := b64.EncodeToString([]byte(`{"email":"admin@acme.com","iat":` + itoa(now.Unix()) + `,"exp":` + itoa(now.Add(time.Minute).Unix()) + `}`))

		cases := map[string]struct{ tok, reason string }{
			"expired":          {token(t, expired), "expired"},
			"far-future exp":   {token(t, farFuture), "more than 24h0m0s ahead"},
			"missing email":    {token(t, noEmail), "email claim is required"},
			"missing exp":      {signRaw(`{"email":"eve@acme.com","iat":` + itoa(now.Unix()) + `}`), "exp claim is required"},
			"future iat":       {token(t, futureIat), "iat is in the future"},
			"nbf ahead":        {token(t, notYet), "not valid before"},
			"wrong aud":        {token(t, wrongAud), "aud must be"},
			"wrong signature":  {wrongSecret, "signature does not match"},
			"tampered payload": {parts[0] + "." + tampered + "." + parts[2], "signature does not match"},
			"alg none":         {noneHeader + "." + parts[1] + ".", `alg &#34;none&#34; is not allowed`},
			"alg none, sig":    {noneHeader + "." + parts[1] + "." + parts[2], `alg &#34;none&#34; is not allowed`},
			"alg HS512":        {hs512Header + "." + parts[1] + "." + parts[2], `alg &#34;HS512&#34; is not allowed`},
			"two parts":        {parts[0] + "." + parts[1], "three base64url parts"},
			"padded":           {valid + "==", "not unpadded base64url"},
			"empty":            {"", "missing"},
		}
		for name, c := range cases {
			r := e.Get("/portal/sso?token="+url.QueryEscape(c.tok)+"&return=/portal/submit", nil)
			if r.Code != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, r.Code)
				continue
			}
			wantIn(t, r, "We couldn&#39;t sign you in", c.reason)
			if len(r.Result().Cookies()) != 0 {
				t.Errorf("%s: set cookies %v", name, r.Result().Cookies())
			}
		}
		if n := e.peopleCount(); n != 0 {
			t.Fatalf("refused tokens created %d people", n)
		}
	})
}

func TestSSODisabledWithoutSecretAndSecureCookieOnHTTPS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		cfg.BaseURL = "https://feedback.example.com"
		e := newEnvConfig(t, s, cfg, false)
		r := e.Get("/portal/sso?token="+url.QueryEscape(token(t, claims("ann@acme.com"))), nil)
		wantStatus(t, r, http.StatusServiceUnavailable)
		wantIn(t, r, "Single sign-on isn&#39;t set up")
		if e.peopleCount() != 0 {
			t.Fatal("disabled SSO created a person")
		}
		if err := portal.SaveSSOSecret(e.ctx, s, "short"); err == nil {
			t.Fatal("a short secret was accepted")
		}
		if err := portal.SaveSSOSecret(e.ctx, s, testSecret); err != nil {
			t.Fatal(err)
		}
		if ck := e.ann(); !ck.Secure {
			t.Fatal("cookie not Secure under an https base URL")
		}
	})
}

func TestPortalCookieCannotBeForged(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ck := e.ann()
		bob, _, err := e.s.ResolvePerson(e.ctx, "bob@acme.com", "Bob Builder", "", "")
		if err != nil {
			t.Fatal(err)
		}
		// Swap the person id while keeping Ann's signature.
		parts := strings.Split(ck.Value, ".")
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(bob.ID))
		forged := &http.Cookie{Name: portal.CookieName, Value: strings.Join(parts, ".")}
		r := e.Get("/portal", forged)
		wantNotIn(t, r, "Bob Builder", "Sign out")
		wantIn(t, r, "Sign in")

		// Signing out clears the cookie.
		r = e.Post("/portal/signout", url.Values{}, ck)
		wantStatus(t, r, http.StatusSeeOther)
		if cs := r.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
			t.Fatalf("sign-out cookies: %v", cs)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// signRaw signs a payload as given, for claims SignToken cannot express.
func signRaw(payload string) string {
	b64 := base64.RawURLEncoding
	in := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b64.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte(in))
	return in + "." + b64.EncodeToString(m.Sum(nil))
}
