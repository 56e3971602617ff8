package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

func TestSubmitIdeaCreatesPortalFeedback(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		acme := e.acme()

		// Anonymous visitors are asked to sign in, and cannot post.
		wantIn(t, e.Get("/portal/submit", nil), "sign in first")
		r := e.Post("/portal/submit", url.Values{"title": {"x"}}, nil)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/portal/signin?return=%2Fportal%2Fsubmit" {
			t.Fatalf("anonymous submit went to %q", loc)
		}

		c := claims("ann@acme.com")
		c.ExternalID = "u-ann"
		ck := e.signIn(c)
		ann := e.person("ann@acme.com")
		page := e.Get("/portal/submit", ck)
		wantIn(t, page, `name="nonce"`, `id="idea-title"`)

		form := url.Values{"title": {"Bulk edit"}, "details": {"Editing 200 rows one by one takes all afternoon."}, "nonce": {"nonce-0123456789abcdef"}}
		r = e.Post("/portal/submit", form, ck)
		wantStatus(t, r, http.StatusSeeOther)
		if r.Header().Get("Location") != "/portal/submit?sent=1" {
			t.Fatalf("submit went to %q", r.Header().Get("Location"))
		}
		wantIn(t, e.Get("/portal/submit?sent=1", ck), "Thanks, we read every idea")
		// The same form again (double click, reload): still one item.
		wantStatus(t, e.Post("/portal/submit", form, ck), http.StatusSeeOther)

		items, _, err := e.s.ListFeedback(e.ctx, store.FeedbackFilter{Source: feedback.SourcePortal})
		if err != nil || len(items) != 1 {
			t.Fatalf("portal items: %d %v", len(items), err)
		}
		it := items[0]
		if it.PersonID != ann.ID || it.AccountID != acme.ID || it.Kind != feedback.FeatureRequest || it.Status != feedback.New ||
			it.Quote != "Bulk edit" || it.Text != "Bulk edit\n\nEditing 200 rows one by one takes all afternoon." {
			t.Fatalf("item: %+v", it)
		}
		// No public request appears until the team makes one.
		reqs, err := e.s.ListRequests(e.ctx, store.RequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) != 0 {
			t.Fatalf("submit created requests: %+v", reqs)
		}
		wantNotIn(t, e.Get("/portal", nil), "Bulk edit")

		// Validation keeps what was typed.
		r = e.Post("/portal/submit", url.Values{"title": {""}, "details": {"kept text"}}, ck)
		wantStatus(t, r, http.StatusBadRequest)
		wantIn(t, r, "Give your idea a short title", "kept text", `aria-invalid="true"`)
	})
}
