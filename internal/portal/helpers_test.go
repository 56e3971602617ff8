package portal_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/webtest"
)

const testSecret = "test-sso-secret-0123456789-abcdefghijklmnop"

// env is the portal on a fresh store behind its own router, wrapped in cross-origin
// protection the way the app wraps it.
type env struct {
	webtest.Client
	t   *testing.T
	s   *store.Store
	ctx context.Context
}

// eachEnv runs test on both dialects, each with the portal (SSO configured) over its
// own fresh store.
func eachEnv(t *testing.T, test func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store) { test(t, newEnvConfig(t, s, config.Default(), true)) })
}

func newEnvConfig(t *testing.T, s *store.Store, cfg config.Config, withSecret bool) *env {
	t.Helper()
	ctx := context.Background()
	if withSecret {
		if err := portal.SaveSSOSecret(ctx, s, testSecret); err != nil {
			t.Fatal(err)
		}
	}
	rt := portalRouter(s, cfg, slog.New(slog.DiscardHandler))
	return &env{Client: webtest.Client{H: http.NewCrossOriginProtection().Handler(rt)}, t: t, s: s, ctx: ctx}
}

// portalRouter is the portal over s behind a router of its own that signs no team
// member in, both logging to log.
func portalRouter(s *store.Store, cfg config.Config, log *slog.Logger) *router.Router {
	render := func(w http.ResponseWriter, r *http.Request, e *router.Error) { http.Error(w, e.Msg, e.Status) }
	rt := router.New(router.Authenticator{
		Session: func(*http.Request) (*auth.Member, error) { return nil, nil },
		APIKey:  func(*http.Request) (*auth.APIKey, error) { return nil, nil },
	}, render, render, log)
	portal.New(portal.Deps{Store: s, Config: cfg, Log: log}).Register(rt)
	return rt
}

type resp = webtest.Resp

var (
	wantStatus = webtest.WantStatus
	wantIn     = webtest.WantIn
	wantNotIn  = webtest.WantNotIn
)
