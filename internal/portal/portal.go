// Package portal is the public customer portal: customers browse public feature
// requests, vote, submit ideas, and read the roadmap and changelog. Anyone may read;
// voting and submitting need a portal identity, which the host product grants by
// redirecting the customer through /portal/sso with a signed token (see
// docs/portal-sso.md). The identity is a signed cookie naming a person, so the portal
// needs no session table and never touches team sessions.
//
// Like the team UI, pages are server-rendered, work without JavaScript and carry no
// inline script or style (the app's CSP forbids them): looks live in
// static/portal.css, and the brand accent colour is served as a tiny stylesheet built
// from the validated "portal" setting.
package portal

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// Deps are what the portal needs. Now defaults to the wall clock (UTC).
type Deps struct {
	Store  *store.Store
	Config config.Config
	Log    *slog.Logger
	Now    func() time.Time
}

// Rate limits. Customers of one company often share an address, so the per-address
// limits are generous; the per-person ones hold a single signed-in customer to a
// human pace. Each is a token bucket: burst at once, then one per interval.
const (
	ssoBurstPerIP      = 20 // sign-ins: one every 3 s after the burst
	postBurstPerIP     = 60 // any portal POST: one a second after the burst
	voteBurstPerPerson = 30 // votes and unvotes: one every 2 s after the burst
	ideaBurstPerPerson = 5  // submitted ideas: one a minute after the burst
)

// Portal serves the customer portal.
type Portal struct {
	Deps
	pages pageset.Set

	ssoIP, postIP, votePerson, ideaPerson *auth.Limiter

	secretMu sync.Mutex
	secret   []byte // cookie signing key, loaded or generated on first use
}

// New builds the portal. Templates are parsed here so a broken one fails at start.
func New(d Deps) *Portal {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	return &Portal{
		Deps:       d,
		pages:      pageset.Parse(templateFS, funcs),
		ssoIP:      limiter(d, "portal-sso-ip", ssoBurstPerIP, 3*time.Second),
		postIP:     limiter(d, "portal-post-ip", postBurstPerIP, time.Second),
		votePerson: limiter(d, "portal-vote-person", voteBurstPerPerson, 2*time.Second),
		ideaPerson: limiter(d, "portal-idea-person", ideaBurstPerPerson, time.Minute),
	}
}

// Register adds the portal's routes. All are public: the portal has its own identity
// (the SSO cookie), checked by the handlers that need it.
func (p *Portal) Register(rt *router.Router) {
	rt.PublicHandler("GET /portal/static/", staticHandler())
	// Every page's error is rendered as a portal page (p.h).
	for _, route := range []struct {
		pattern string
		fn      router.Handler
	}{
		{"GET /portal/theme.css", p.theme},

		{"GET /portal", p.list},
		{"GET /portal/requests/{id}", p.requestPage},
		{"POST /portal/requests/{id}/vote", p.vote},
		{"POST /portal/requests/{id}/unvote", p.unvote},
		{"GET /portal/submit", p.submitPage},
		{"POST /portal/submit", p.submit},
		{"GET /portal/roadmap", p.roadmap},
		{"GET /portal/changelog", p.changelog},

		{"GET /portal/sso", p.sso},
		{"GET /portal/signin", p.signInPage},
		{"POST /portal/signout", p.signOut},
	} {
		rt.Public(route.pattern, p.h(route.fn))
	}
}

// h renders a handler's error as a portal page: the router's renderer is the team
// UI's, which would send a customer to the team sign-in page.
func (p *Portal) h(fn router.Handler) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := fn(w, r)
		if err == nil {
			return nil
		}
		e := router.Classify(err)
		if e.Failure() {
			p.Log.Error("portal request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		} else if e.Err != nil || e.Status >= 500 {
			p.Log.Debug("portal request refused", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", e.Err)
		}
		p.renderError(w, r, e)
		return nil
	}
}
