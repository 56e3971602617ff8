package portal_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// levels records the level of every log record.
type levels struct {
	mu  sync.Mutex
	got []slog.Level
}

func (l *levels) Enabled(context.Context, slog.Level) bool { return true }
func (l *levels) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.got = append(l.got, r.Level)
	l.mu.Unlock()
	return nil
}
func (l *levels) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *levels) WithGroup(string) slog.Handler      { return l }

// TestSSOOffIsNotAnError: while SSO has no secret, anonymous hits on /portal/sso
// answer 503 with the explanation and log nothing at ERROR (issue 13, defect 11).
func TestSSOOffIsNotAnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		lv := &levels{}
		rt := portalRouter(s, config.Default(), slog.New(lv))
		for _, q := range []string{"", "?token=x", "?token=" + url.QueryEscape(token(t, claims("ann@acme.com")))} {
			w := httptest.NewRecorder()
			rt.ServeHTTP(w, httptest.NewRequest("GET", "/portal/sso"+q, nil))
			if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Single sign-on isn") {
				t.Fatalf("%q: %d %s", q, w.Code, w.Body.String())
			}
		}
		for _, l := range lv.got {
			if l >= slog.LevelError {
				t.Fatalf("logged at %s", l)
			}
		}
	})
}

// TestSSOClaimsThatAreNoObject: claims that are an array (or another non-object)
// are refused in the token's terms, never with a Go type's description.
func TestSSOClaimsThatAreNoObject(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, tc := range []struct{ payload, want string }{
			{`[{"email": "ann@acme.com"}]`, "the claims must be a JSON object, not an array"},
			{`"ann@acme.com"`, "the claims must be a JSON object, not a string"},
			{`42`, "the claims must be a JSON object, not a number"},
			{`{"email": ["ann@acme.com"]}`, "the email claim must be a string, not array"},
			{`{"name": {"first": "Ann"}}`, "the name claim must be a string, not object"},
		} {
			r := e.Get("/portal/sso?token="+url.QueryEscape(signRaw(tc.payload)), nil)
			wantStatus(t, r, http.StatusUnauthorized)
			wantIn(t, r, tc.want)
			wantNotIn(t, r, "Go value", "struct {", "*string")
		}
	})
}
