package portal_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/store"
)

// What the portal's tests are built from: SSO claims and tokens, a signed-in
// customer, requests, accounts and people. Each fails the test when it cannot.

// claims are valid claims for email, issued now, for five minutes.
func claims(email string) portal.Claims {
	now := time.Now()
	return portal.Claims{Email: email, Name: "Ann Example", Iat: now.Unix(), Exp: now.Add(5 * time.Minute).Unix()}
}

func token(t *testing.T, c portal.Claims) string {
	t.Helper()
	tok, err := portal.SignToken(c, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signIn goes through SSO and returns the portal cookie.
func (e *env) signIn(c portal.Claims) *http.Cookie {
	e.t.Helper()
	r := e.Get("/portal/sso?token="+url.QueryEscape(token(e.t, c)), nil)
	wantStatus(e.t, r, http.StatusSeeOther)
	ck := r.Cookie(portal.CookieName)
	if ck == nil {
		e.t.Fatalf("no portal cookie in %v", r.Header()["Set-Cookie"])
	}
	return ck
}

func (e *env) request(title string, status feedback.RequestStatus, public bool, mod ...func(*feedback.Request)) feedback.Request {
	e.t.Helper()
	r := feedback.Request{Title: title, Description: "Details of " + title, Status: status, Public: public}
	for _, m := range mod {
		m(&r)
	}
	if err := e.s.CreateRequest(e.ctx, &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) account(a account.Account) account.Account {
	e.t.Helper()
	if err := e.s.CreateAccount(e.ctx, &a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// acme is the Acme account, which customers signing in from acme.com are attached to.
func (e *env) acme() account.Account {
	e.t.Helper()
	return e.account(account.Account{ExternalID: "acct-acme", Name: "Acme", Domain: "acme.com"})
}

// ann signs Ann of acme.com in through SSO and returns her portal cookie.
func (e *env) ann() *http.Cookie {
	e.t.Helper()
	return e.signIn(claims("ann@acme.com"))
}

// person is the customer with email, failing the test when there is none.
func (e *env) person(email string) account.Person {
	e.t.Helper()
	p, err := e.s.GetPersonByEmail(e.ctx, email)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) peopleCount() int {
	e.t.Helper()
	ps, _, err := e.s.ListPeople(e.ctx, store.PersonFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ps)
}
