package portal

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/router"
)

//go:embed templates/*.html
var templateFS embed.FS

var funcs = template.FuncMap{
	"statusLabel": func(s feedback.RequestStatus) string {
		l := s.Label()
		return strings.ToUpper(l[:1]) + l[1:]
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006")
	},
	"isoDate": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	// args builds the argument map of a partial that needs more than one value.
	"args": pageset.Dict,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

// view is what the layout sees; D is the page's own data.
type view struct {
	Title string
	Brand Settings
	Me    *account.Person
	Nav   string // current top-nav item
	Here  string // this page's path and query, where sign-in and vote forms return to
	D     any
}

// MeName is how the header names the signed-in customer.
func (v view) MeName() string {
	if v.Me == nil {
		return ""
	}
	if v.Me.Name != "" {
		return v.Me.Name
	}
	return v.Me.Email
}

// render executes a page into a buffer first, so a template error becomes a clean 500
// instead of half a page.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, me *account.Person, data any) error {
	t, ok := p.pages[page]
	if !ok {
		return fmt.Errorf("portal: no template %q", page)
	}
	brand, err := p.settings(r.Context())
	if err != nil {
		return err
	}
	v := view{Title: title, Brand: brand, Me: me, Nav: nav, Here: safeReturn(r.URL.RequestURI()), D: data}
	// Pages differ per signed-in customer ("You voted"): no shared caching.
	return pageset.Write(w, status, t, page, v)
}

// renderError shows an error as a portal page. Pages that fail before the brand
// settings load fall back to plain text.
func (p *Portal) renderError(w http.ResponseWriter, r *http.Request, e *router.Error) {
	ep := pageset.ErrorPage{Status: e.Status, Msg: e.Msg}
	switch e.Status {
	case http.StatusNotFound:
		ep.Heading = "We couldn't find that"
		ep.Msg = "This idea isn't on our public board. It may have been removed, or the link is mistyped."
	case http.StatusTooManyRequests:
		ep.Heading = "Slow down a little"
		ep.Msg = ""
		ep.Hint = "You've done that many times in a short while. Wait a minute, then try again."
		w.Header().Set("Retry-After", "60")
	case http.StatusUnauthorized:
		ep.Heading = "We couldn't sign you in"
		ep.Hint = "Go back to the app and open the feedback portal from there again. If it keeps happening, let us know."
	case http.StatusServiceUnavailable:
		// Raised on purpose (SSO not configured) with a message meant for the reader.
		ep.Heading = "This isn't available right now"
	default:
		if e.Status >= 500 {
			ep.Heading = "Something went wrong on our side"
			ep.Msg = "The error has been logged. Please try again in a moment."
		} else {
			ep.Heading = "That didn't work"
		}
	}
	me, _ := p.viewer(r)
	if err := p.render(w, r, e.Status, "error", ep.Heading, "", me, ep); err != nil {
		p.Log.Error("portal: render error page", "err", err)
		http.Error(w, e.Msg, e.Status)
	}
}

// tooMany is the 429 every rate-limited portal action returns.
var tooMany = &router.Error{Status: http.StatusTooManyRequests, Msg: "too many requests"}

// seeOther redirects after a POST so reloading does not repeat it.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
