package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// publicRoutes is every route anyone may call without signing in or a key. Adding a
// public route means adding it here, with the reason: that is the point.
var publicRoutes = map[string]string{
	"GET /healthz":             "liveness probe for load balancers",
	"GET /readyz":              "readiness probe for load balancers",
	"GET /api/v1/openapi.json": "the API's own description, needed before a client has a key",
	"GET /static/":             "CSS, JavaScript and images of the sign-in page",
	"GET /signin":              "the sign-in page",
	"POST /signin":             "the sign-in form (rate limited)",
	"POST /hooks/intercom":     "Intercom webhook: authenticated by its X-Hub-Signature HMAC, rate limited",
	"POST /hooks/zendesk":      "Zendesk webhook: authenticated by its signed timestamp+body HMAC, rate limited",
	"POST /hooks/helpscout":    "Help Scout webhook: authenticated by its X-HelpScout-Signature HMAC, rate limited",
	"POST /hooks/freshdesk":    "Freshdesk webhook: authenticated by the X-Closeloop-Secret shared secret, rate limited",
	"POST /hooks/stripe":       "Stripe webhook: authenticated by its Stripe-Signature HMAC (t + v1, 300 s tolerance); refused signatures rate limited per address",
	"POST /hooks/slack":        "Slack Events API and shortcuts: authenticated by X-Slack-Signature v0 HMAC, rate limited",
	"POST /hooks/email":        "inbound mail relay: authenticated by the shared secret header or token, rate limited",

	// Customer portal (internal/portal): it has its own identity, the signed SSO cookie.
	"GET /unsubscribe/{token}":          "close-the-loop email recipients: shows a confirm button, changes nothing",
	"POST /unsubscribe/{token}":         "one-click unsubscribe, authenticated by the HMAC-signed token in the path",
	"GET /survey/{token}":               "survey score link from an email: authenticated by the HMAC-signed token in the path, records the score, rate limited",
	"POST /survey/{token}":              "survey response form: authenticated by the HMAC-signed token in the path, rate limited",
	"GET /cancel/{token}":               "cancellation survey the host product redirects to: authenticated by the HMAC-signed, 30-day token in the path, changes nothing, rate limited",
	"POST /cancel/{token}":              "cancellation survey answer: authenticated by the HMAC-signed token in the path, once per link, rate limited",
	"GET /portal":                       "customer portal: public ideas board, read-only for anonymous visitors",
	"GET /portal/requests/{id}":         "customer portal: one public idea (private ids are 404)",
	"POST /portal/requests/{id}/vote":   "customer portal: vote, needs the signed portal cookie, rate limited",
	"POST /portal/requests/{id}/unvote": "customer portal: remove a vote, needs the signed portal cookie, rate limited",
	"GET /portal/submit":                "customer portal: idea form (sign-in explanation when anonymous)",
	"POST /portal/submit":               "customer portal: submit an idea, needs the signed portal cookie, rate limited",
	"GET /portal/roadmap":               "customer portal: public roadmap",
	"GET /portal/changelog":             "customer portal: public changelog",
	"GET /portal/sso":                   "customer portal: SSO entry, authenticated by the host's HS256 token, rate limited",
	"GET /portal/signin":                "customer portal: explains how to sign in through the host product",
	"POST /portal/signout":              "customer portal: clears the portal cookie, rate limited",
	"GET /portal/theme.css":             "customer portal: brand accent colour as CSS",
	"GET /portal/static/":               "customer portal: its CSS",
}

const sessionCookie = "closeloop_session"

var paramRE = regexp.MustCompile(`\{[^}]*\}`)

// concretePath fills a route pattern's wildcards with a dummy value: the access check
// runs before any handler looks the value up.
func concretePath(pattern string) string {
	return paramRE.ReplaceAllStringFunc(pattern, func(p string) string {
		if p == "{$}" {
			return ""
		}
		return "x"
	})
}

// TestEveryRouteRefusesCallersBelowItsLevel walks the whole route table: anonymous
// callers, roles below a web route's role and API keys without the route's scope are
// all refused, and the routes that let anyone in are exactly the allow-listed ones.
func TestEveryRouteRefusesCallersBelowItsLevel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := app.New(config.Default(), s, slog.New(slog.DiscardHandler))
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

		members := map[auth.Role]string{}
		for _, role := range auth.Roles {
			m := auth.Member{Email: string(role) + "@example.com", Name: string(role), Role: role}
			if err := s.CreateMember(ctx, &m); err != nil {
				t.Fatal(err)
			}
			members[role] = m.ID
		}
		// A fresh session per request: a granted request (sign out, say) may end the
		// session it was sent with.
		session := func(role auth.Role) string {
			tok := auth.NewSessionToken()
			if _, err := s.CreateSession(ctx, auth.HashToken(tok), members[role], time.Hour); err != nil {
				t.Fatal(err)
			}
			return tok
		}
		keys := map[auth.Scope]string{}
		for _, sc := range auth.Scopes {
			_, secret, err := s.CreateAPIKey(ctx, "walk "+string(sc), []auth.Scope{sc}, "")
			if err != nil {
				t.Fatal(err)
			}
			keys[sc] = secret
		}

		// send makes a request the way a same-origin client would: no Sec-Fetch-Site
		// or Origin, so cross-origin protection lets it through to the access check.
		send := func(method, path, cookie, key string) *http.Response {
			t.Helper()
			req, err := http.NewRequest(method, srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
			}
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res
		}
		// anonymousWeb checks the refusal of a caller the web UI does not know.
		anonymousWeb := func(rt router.Route, path, who string, res *http.Response) {
			t.Helper()
			if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
				if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
					t.Errorf("%s %s as %s: %d (Location %q), want 303 to /signin", rt.Method, path, who, res.StatusCode, loc)
				}
			} else if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 401 or 403", rt.Method, path, who, res.StatusCode)
			}
		}

		routes := a.Router.Routes()
		apiRoutes := 0
		for _, rt := range routes {
			name := rt.Method + " " + rt.Path
			path := concretePath(rt.Path)
			switch rt.Kind {
			case router.Public:
				if _, ok := publicRoutes[name]; !ok {
					t.Errorf("%s is public but not in publicRoutes in internal/app/routes_test.go: "+
						"give it a role (rt.Web) or a scope (rt.API), or add it to the allow-list with the reason it must be open", name)
				}

			case router.Web:
				anonymousWeb(rt, path, "anonymous", send(rt.Method, path, "", ""))
				// An API key is not a session, however powerful.
				anonymousWeb(rt, path, "an admin API key", send(rt.Method, path, "", keys[auth.ScopeAdmin]))
				for _, role := range auth.Roles {
					res := send(rt.Method, path, session(role), "")
					if !role.AtLeast(rt.Role) {
						if res.StatusCode != http.StatusForbidden {
							t.Errorf("%s %s as %s (needs %s): %d, want 403", rt.Method, path, role, rt.Role, res.StatusCode)
						}
					} else if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden ||
						// After a POST (sign out) a redirect to /signin is the action's result.
						rt.Method == http.MethodGet && strings.HasPrefix(res.Header.Get("Location"), "/signin") {
						t.Errorf("%s %s as %s (needs %s): %d, the role should be let in", rt.Method, path, role, rt.Role, res.StatusCode)
					}
				}

			case router.API:
				apiRoutes++
				if res := send(rt.Method, path, "", ""); res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s without a key: %d, want 401", rt.Method, path, res.StatusCode)
				}
				// A session is not an API key, however powerful.
				if res := send(rt.Method, path, session(auth.RoleAdmin), ""); res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s with an admin session and no key: %d, want 401", rt.Method, path, res.StatusCode)
				}
				for _, sc := range auth.Scopes {
					res := send(rt.Method, path, "", keys[sc])
					granted := auth.Grants([]auth.Scope{sc}, rt.Scope)
					switch {
					case !granted && res.StatusCode != http.StatusForbidden:
						t.Errorf("%s %s with a %s key (needs %s): %d, want 403", rt.Method, path, sc, rt.Scope, res.StatusCode)
					case granted && (res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden):
						t.Errorf("%s %s with a %s key (needs %s): %d, the key should be let in", rt.Method, path, sc, rt.Scope, res.StatusCode)
					}
				}

			default:
				t.Errorf("%s has unknown kind %d", name, rt.Kind)
			}
		}
		if apiRoutes < 20 {
			t.Errorf("the route table has %d API routes, want at least 20: is the API registered?", apiRoutes)
		}
		t.Logf("walked %d routes (%d API)", len(routes), apiRoutes)
	})
}
