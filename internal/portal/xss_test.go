package portal_test

import (
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

var payloads = []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}

func TestUserTextIsEscaped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, p := range payloads {
			req := e.request("Title "+p, feedback.Shipped, true, func(r *feedback.Request) {
				r.Description = "Description " + p
				r.ReleaseNote = "Note " + p
			})
			c := claims("mallory@acme.com")
			c.Name = "Mallory " + p
			ck := e.signIn(c)
			sub := e.Post("/portal/submit", url.Values{"title": {""}, "details": {"Details " + p}}, ck)
			wantStatus(t, sub, http.StatusBadRequest)
			pages := []resp{
				e.Get("/portal", ck),
				e.Get("/portal?q="+url.QueryEscape(p), ck),
				e.Get("/portal/requests/"+req.ID, ck),
				e.Get("/portal/roadmap", ck),
				e.Get("/portal/changelog", ck),
				e.Get("/portal/signin?return="+url.QueryEscape("/portal?q="+p), ck),
				sub,
			}
			for _, r := range pages {
				wantNotIn(t, r, "<script>alert", "<img src=x", `"><img`, "onerror=alert(1)>")
			}
			esc := html.EscapeString(p)
			wantIn(t, pages[2], "Title "+esc, "Description "+esc, "Note "+esc)
			wantIn(t, sub, "Details "+esc)
		}
	})
}
