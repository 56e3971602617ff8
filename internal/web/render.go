package web

import (
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/router"
)

//go:embed templates/*.html
var templateFS embed.FS

// view is what the layout sees; D is the page's own data.
type view struct {
	Title string
	Me    *auth.Member
	Nav   string // which top-nav item is current
	Flash string
	Inbox int // untriaged feedback, for the nav badge
	D     any
}

// CanWork lets the layout show links to member pages (Workload) only to members.
func (v view) CanWork() bool { return v.Me != nil && v.Me.Role.AtLeast(auth.RoleMember) }

// IsAdmin lets the layout show the Settings link only to those who can open it.
func (v view) IsAdmin() bool { return v.Me != nil && v.Me.Role.AtLeast(auth.RoleAdmin) }

// CanEdit says whether the signed-in member may change things (member or admin).
func (v view) CanEdit() bool { return v.Me != nil && v.Me.Role.AtLeast(auth.RoleMember) }

// render executes a page into a buffer first, so a template error becomes a clean 500
// instead of half a page.
func (ui *Web) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) error {
	t, ok := ui.pages[page]
	if !ok {
		return fmt.Errorf("web: no template %q", page)
	}
	v := view{Title: title, Me: router.From(r).Member, Nav: nav, Flash: takeFlash(w, r), D: data}
	if v.Me != nil {
		// One indexed count per page; a failure costs the badge, not the page.
		n, err := ui.Store.CountFeedback(r.Context(), feedback.New)
		if err != nil {
			ui.Log.Warn("count untriaged feedback", "err", err)
		}
		v.Inbox = n
	}
	w.Header().Add("Vary", "HX-Request")
	return pageset.Write(w, status, t, page, v)
}

// RenderError renders an error page, or sends an anonymous browser to sign in.
func (ui *Web) RenderError(w http.ResponseWriter, r *http.Request, e *router.Error) {
	if e.Status == http.StatusUnauthorized && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		loc := "/signin?next=" + url.QueryEscape(r.URL.RequestURI())
		if r.Header.Get("HX-Request") == "true" {
			// An htmx fragment request would swap the sign-in page into the table;
			// ask htmx to load it as a whole page instead.
			w.Header().Set("HX-Redirect", loc)
		}
		http.Redirect(w, r, loc, http.StatusSeeOther)
		return
	}
	ep := pageset.ErrorPage{Status: e.Status, Msg: e.Msg}
	if t, ok := errorTexts[e.Status]; ok {
		ep.Heading, ep.Hint = t.heading, t.hint
	} else if e.Status >= 500 {
		ep.Heading = "Something went wrong on our side"
		ep.Msg = "The error has been logged. Try again in a moment; if it keeps happening, tell whoever runs closeloop."
	} else {
		ep.Heading = "That didn't work"
	}
	if err := ui.render(w, r, e.Status, "error", ep.Heading, "", ep); err != nil {
		ui.Log.Error("render error page", "err", err)
		http.Error(w, e.Msg, e.Status)
	}
}

// errorTexts are the error page's heading and hint for the statuses that have their own.
var errorTexts = map[int]struct{ heading, hint string }{
	http.StatusUnauthorized:    {"Please sign in", "Your session has ended. Sign in again and repeat what you were doing."},
	http.StatusForbidden:       {"You don't have access to this", "Ask an admin of your team if you need it."},
	http.StatusNotFound:        {"Page not found", "It may have been deleted, or the link is mistyped."},
	http.StatusTooManyRequests: {"Too many requests", "Wait a minute and try again."},
}

const flashCookie = "closeloop_flash"

// setFlash leaves a one-line message for the page after a redirect ("Member added").
func (ui *Web) setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)), Path: "/",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: ui.Config.SecureCookies,
	})
}

func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) > 300 {
		return ""
	}
	return string(b)
}

// seeOther redirects after a successful POST so reloading does not repeat it.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
