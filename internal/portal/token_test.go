package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/portal"
)

func TestVerifyTokenEdges(t *testing.T) {
	now := time.Unix(1767225600, 0)
	base := func() portal.Claims {
		return portal.Claims{Email: "ann@acme.com", Iat: now.Unix(), Exp: now.Add(5 * time.Minute).Unix()}
	}
	sign := func(c portal.Claims) string {
		tok, _ := portal.SignToken(c, testSecret)
		return tok
	}
	ok := func(name, tok string) portal.Claims {
		t.Helper()
		c, err := portal.VerifyToken(tok, testSecret, now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	bad := func(name, tok, reason string) {
		t.Helper()
		_, err := portal.VerifyToken(tok, testSecret, now)
		if err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: %v, want %q", name, err, reason)
		}
	}
	ok("plain", sign(base()))
	c := base()
	c.Exp = now.Add(24 * time.Hour).Unix()
	ok("exp exactly a day ahead", sign(c))
	c = base()
	c.Iat = now.Add(30 * time.Second).Unix()
	ok("iat within clock skew", sign(c))
	c = base()
	c.Nbf = now.Add(-time.Minute).Unix()
	ok("nbf passed", sign(c))

	// aud as an array, numeric ids, fractional times, upper-case email.
	got := ok("array aud", signRaw(`{"email":" Ann@ACME.com ","aud":["other","closeloop-portal"],"external_id":8812,"account_external_id":"a1","iat":1767225600.5,"exp":1767225900}`))
	if got.Email != "ann@acme.com" || got.ExternalID != "8812" || got.Aud != portal.Audience {
		t.Fatalf("claims: %+v", got)
	}
	bad("aud array without us", signRaw(`{"email":"a@b.co","aud":["other"],"iat":1767225600,"exp":1767225900}`), "aud must be")
	bad("exp as a string", signRaw(`{"email":"a@b.co","iat":1767225600,"exp":"1767225900"}`), "exp claim is not a time")
	bad("email not an address", signRaw(`{"email":"not-an-email","iat":1767225600,"exp":1767225900}`), "not an email address")
	bad("missing iat", signRaw(`{"email":"a@b.co","exp":1767225900}`), "iat claim is required")
	bad("old iat", signRaw(`{"email":"a@b.co","iat":1767000000,"exp":1767225900}`), "issued more than")
	bad("crit header", "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsieCJdfQ."+strings.SplitN(sign(base()), ".", 2)[1], "crit")
	if _, err := portal.VerifyToken(sign(base()), "", now); err == nil {
		t.Fatal("verified with an empty secret")
	}
	if s1, s2 := portal.GenerateSSOSecret(), portal.GenerateSSOSecret(); s1 == s2 || len(s1) < portal.MinSSOSecretLen {
		t.Fatalf("GenerateSSOSecret: %q %q", s1, s2)
	}
}
