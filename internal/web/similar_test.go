package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The inbox proposes the existing request a new item duplicates, and linking it is
// one click.
func TestInboxProposesSimilarRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sso := feedback.Request{Title: "Single sign-on with Okta", Description: "Let people sign in with their Okta or SAML identity provider."}
		other := feedback.Request{Title: "Dark mode", Description: "A dark theme for the dashboard."}
		storetest.Must(t, s.CreateRequest(ctx, &sso))
		storetest.Must(t, s.CreateRequest(ctx, &other))
		storetest.Capture(t, s, feedback.Capture{Text: "We need SAML login through Okta for all staff.", Source: feedback.SourceEmail, RequestIDs: []string{sso.ID}})
		it := storetest.Capture(t, s, feedback.Capture{Text: "Can our team sign in with Okta? SAML single sign-on is a must for security.", Source: feedback.SourceEmail})

		e := newEnv(t, s)
		e.H = trainedApp(t, s).Handler()
		c := e.signedIn("mo@example.com", auth.RoleMember)
		page := e.Get("/feedback/inbox", c)
		if !strings.Contains(page.Text, "Similar requests") || !strings.Contains(page.Text, "Link to “Single sign-on with Okta”") {
			t.Fatalf("inbox does not propose the SSO request:\n%.3000s", page.Text)
		}
		if strings.Contains(page.Text, "Link to “Dark mode”") {
			t.Fatal("an unrelated request was proposed")
		}
		r := e.Post("/feedback/"+it.ID+"/link", url.Values{"request_id": {sso.ID}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		got, err := s.GetFeedback(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.RequestIDs) != 1 || got.RequestIDs[0] != sso.ID {
			t.Fatalf("not linked: %+v", got)
		}
	})
}
