package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/web"
	"github.com/closeloop/closeloop/internal/webtest"
)

const testPassword = "correct horse battery"

// env is the real app on a fresh store, driven in-process.
type env struct {
	webtest.Client
	t   *testing.T
	s   *store.Store
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
	return &env{Client: webtest.Client{H: a.Handler()}, t: t, s: s, ctx: context.Background()}
}

// trainedApp is the whole app over s with its tag suggestions and similarity index
// refreshed from s's feedback now (the trained model is saved in a folder of the
// test's own).
func trainedApp(t *testing.T, s *store.Store) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a := app.New(cfg, s, slog.New(slog.DiscardHandler))
	storetest.Must(t, a.Tagging.Refresh(context.Background()))
	return a
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

type resp = webtest.Resp

var (
	wantStatus = webtest.WantStatus
	wantIn     = webtest.WantIn
	wantNotIn  = webtest.WantNotIn
	clip       = webtest.Clip
)

func ptr[T any](v T) *T { return &v }
