package portal_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/webtest"
)

const testSecret = "test-sso-secret-0123456789-abcdefghijklmnop"

// env is the portal on a fresh store behind its own router, wrapped in cross-origin
// protection the way the app wraps it.
type env struct {
	t   *testing.T
	s   *store.Store
	h   http.Handler
	ctx context.Context
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	return newEnvConfig(t, s, config.Default(), true)
}

func newEnvConfig(t *testing.T, s *store.Store, cfg config.Config, withSecret bool) *env {
	t.Helper()
	ctx := context.Background()
	if withSecret {
		if err := portal.SaveSSOSecret(ctx, s, testSecret); err != nil {
			t.Fatal(err)
		}
	}
	render := func(w http.ResponseWriter, r *http.Request, e *router.Error) { http.Error(w, e.Msg, e.Status) }
	rt := router.New(router.Authenticator{
		Session: func(*http.Request) (*auth.Member, error) { return nil, nil },
		APIKey:  func(*http.Request) (*auth.APIKey, error) { return nil, nil },
	}, render, render, slog.New(slog.DiscardHandler))
	portal.New(portal.Deps{Store: s, Config: cfg, Log: slog.New(slog.DiscardHandler)}).Register(rt)
	return &env{t: t, s: s, h: http.NewCrossOriginProtection().Handler(rt), ctx: ctx}
}

type resp = webtest.Resp

// do sends a request; form, when not nil, is posted urlencoded. Extra headers come as
// "Name: value" strings.
func (e *env) do(method, path string, form url.Values, c *http.Cookie, headers ...string) resp {
	return webtest.Do(e.h, method, path, form, c, headers...)
}

func (e *env) get(path string, c *http.Cookie) resp { return e.do("GET", path, nil, c) }
func (e *env) post(path string, form url.Values, c *http.Cookie) resp {
	return e.do("POST", path, form, c)
}

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
	r := e.get("/portal/sso?token="+url.QueryEscape(token(e.t, c)), nil)
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

func (e *env) peopleCount() int {
	e.t.Helper()
	ps, _, err := e.s.ListPeople(e.ctx, store.PersonFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ps)
}

var (
	wantStatus = webtest.WantStatus
	wantIn     = webtest.WantIn
	wantNotIn  = webtest.WantNotIn
	clip       = webtest.Clip
)
