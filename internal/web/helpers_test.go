package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/web"
)

const testPassword = "correct horse battery"

// env is the real app on a fresh store, driven in-process.
type env struct {
	t   *testing.T
	s   *store.Store
	h   http.Handler
	ctx context.Context
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	return newEnvConfig(t, s, config.Default())
}

func newEnvSecure(t *testing.T, s *store.Store) *env {
	t.Helper()
	cfg := config.Default()
	cfg.SecureCookies = true
	return newEnvConfig(t, s, cfg)
}

func newEnvConfig(t *testing.T, s *store.Store, cfg config.Config) *env {
	t.Helper()
	a := app.New(cfg, s, slog.New(slog.DiscardHandler))
	return &env{t: t, s: s, h: a.Handler(), ctx: context.Background()}
}

func (e *env) member(email string, role auth.Role) auth.Member {
	e.t.Helper()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	m := auth.Member{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: hash}
	if err := e.s.CreateMember(e.ctx, &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// session signs m in through a stored session, skipping the (slow by design)
// password check for tests that are not about sign-in.
func (e *env) session(m auth.Member) *http.Cookie {
	e.t.Helper()
	tok := auth.NewSessionToken()
	if _, err := e.s.CreateSession(e.ctx, auth.HashToken(tok), m.ID, time.Hour); err != nil {
		e.t.Fatal(err)
	}
	return &http.Cookie{Name: web.SessionCookie, Value: tok}
}

func (e *env) account(a account.Account) store.AccountRow {
	e.t.Helper()
	if err := e.s.CreateAccount(e.ctx, &a); err != nil {
		e.t.Fatal(err)
	}
	row, err := e.s.GetAccount(e.ctx, a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return row
}

type resp struct {
	*httptest.ResponseRecorder
	body string
}

// do sends a request; form, when not nil, is posted urlencoded. Extra headers come as
// "Name: value" strings.
func (e *env) do(method, path string, form url.Values, c *http.Cookie, headers ...string) resp {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c != nil {
		r.AddCookie(c)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return resp{w, w.Body.String()}
}

func (e *env) get(path string, c *http.Cookie) resp { return e.do("GET", path, nil, c) }

func (e *env) post(path string, form url.Values, c *http.Cookie) resp {
	return e.do("POST", path, form, c)
}

func wantStatus(t *testing.T, r resp, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d; location %q; body:\n%s", r.Code, code, r.Header().Get("Location"), clip(r.body))
	}
}

func wantIn(t *testing.T, r resp, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.body, s) {
			t.Errorf("body lacks %q:\n%s", s, clip(r.body))
		}
	}
}

func wantNotIn(t *testing.T, r resp, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.body, s) {
			t.Errorf("body has %q", s)
		}
	}
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

func ptr[T any](v T) *T { return &v }
