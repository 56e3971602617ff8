package portal_test

import (
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

var payloads = []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}

func TestUserTextIsEscaped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for _, p := range payloads {
			req := e.request("Title "+p, feedback.Shipped, true, func(r *feedback.Request) {
				r.Description = "Description " + p
				r.ReleaseNote = "Note " + p
			})
			c := claims("mallory@acme.com")
			c.Name = "Mallory " + p
			ck := e.signIn(c)
			sub := e.post("/portal/submit", url.Values{"title": {""}, "details": {"Details " + p}}, ck)
			wantStatus(t, sub, http.StatusBadRequest)
			pages := []resp{
				e.get("/portal", ck),
				e.get("/portal?q="+url.QueryEscape(p), ck),
				e.get("/portal/requests/"+req.ID, ck),
				e.get("/portal/roadmap", ck),
				e.get("/portal/changelog", ck),
				e.get("/portal/signin?return="+url.QueryEscape("/portal?q="+p), ck),
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
