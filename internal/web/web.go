// Package web is the HTML UI for the team: server-rendered pages, one file per page
// or action, templates and static assets embedded in the binary.
package web

import (
	"log/slog"
	"net/http"

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

// Web is the team UI.
type Web struct {
	Deps
}

// New builds the UI.
func New(d Deps) *Web { return &Web{Deps: d} }

// Register adds every UI route to the table.
func (ui *Web) Register(rt *router.Router) {}

// SessionMember returns the signed-in member of r, or nil.
func (ui *Web) SessionMember(r *http.Request) (*auth.Member, error) { return nil, nil }

// RenderError renders an error page (or redirects to sign-in).
func (ui *Web) RenderError(w http.ResponseWriter, r *http.Request, e *router.Error) {
	http.Error(w, e.Msg, e.Status)
}
