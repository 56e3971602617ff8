// Package web is the HTML UI for the team: server-rendered pages, one file per page
// or action, templates and static assets embedded in the binary.
//
// Pages work without JavaScript; htmx (vendored, see static/vendor/README.md) only
// enhances them. The app's Content-Security-Policy forbids inline scripts, inline
// styles and on* attributes, so templates carry none: behaviour lives in
// static/app.js and looks in static/app.css.
package web

import (
	"log/slog"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// Deps are what the UI needs.
type Deps struct {
	Store  *store.Store
	Config config.Config
	Log    *slog.Logger
}

// Sign-in limits. A person who mistypes gets several tries at once; a guesser is held
// to about one try per email every 12 s and one per address every 3 s.
const (
	SignInBurstPerEmail = 5
	SignInBurstPerIP    = 20
)

// Web is the team UI.
type Web struct {
	Deps
	pages   *pages
	ipLimit *auth.Limiter
	emLimit *auth.Limiter
	now     func() time.Time
}

// New builds the UI. Templates are parsed here so a broken template fails at start,
// not on the first request that needs it.
func New(d Deps) *Web {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Config.SessionTTL <= 0 {
		d.Config.SessionTTL = config.Default().SessionTTL
	}
	if len(d.Config.Tiers) == 0 {
		d.Config.Tiers = config.Default().Tiers
	}
	return &Web{
		Deps:    d,
		pages:   mustParsePages(),
		ipLimit: auth.NewLimiter(SignInBurstPerIP, 3*time.Second),
		emLimit: auth.NewLimiter(SignInBurstPerEmail, 12*time.Second),
		now:     func() time.Time { return time.Now().UTC() },
	}
}

// Register adds every UI route to the table.
func (ui *Web) Register(rt *router.Router) {
	rt.PublicHandler("GET /static/", staticHandler())
	rt.Public("GET /signin", ui.signInPage)
	rt.Public("POST /signin", ui.signIn)
	rt.Web("POST /signout", auth.RoleViewer, ui.signOut)

	rt.Web("GET /{$}", auth.RoleViewer, ui.home)
	rt.Web("GET /accounts", auth.RoleViewer, ui.accountsList)
	rt.Web("GET /accounts/{id}", auth.RoleViewer, ui.accountPage)
	rt.Web("POST /accounts/{id}/touchpoints", auth.RoleMember, ui.touchpointNew)
	rt.Web("GET /accounts/{id}/edit", auth.RoleMember, ui.accountEditPage)
	rt.Web("POST /accounts/{id}/edit", auth.RoleMember, ui.accountEdit)

	rt.Web("GET /settings", auth.RoleAdmin, ui.settings)
	rt.Web("GET /settings/team", auth.RoleAdmin, ui.teamPage)
	rt.Web("POST /settings/team", auth.RoleAdmin, ui.teamAdd)
	rt.Web("POST /settings/team/{id}", auth.RoleAdmin, ui.teamUpdate)
	rt.Web("GET /settings/api-keys", auth.RoleAdmin, ui.keysPage)
	rt.Web("POST /settings/api-keys", auth.RoleAdmin, ui.keyCreate)
	rt.Web("POST /settings/api-keys/{id}/revoke", auth.RoleAdmin, ui.keyRevoke)
}
