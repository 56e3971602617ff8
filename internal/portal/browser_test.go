package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/portal"
)

// TestBrowserPortalVoteThroughSSO drives real Chromium the way a customer arrives:
// the host product's SSO link signs them in and lands them on an idea, they click
// Vote, and the page and the database both show the vote.
func TestBrowserPortalVoteThroughSSO(t *testing.T) {
	browsertest.Require(t)
	eachEnv(t, func(t *testing.T, e *env) {
		portal.SaveSettings(e.ctx, e.s, portal.Settings{Name: "Acme Ideas", Accent: "#0f766e",
			Intro: "Tell us what would make Acme better. We read everything and reply to a lot of it."})
		req := e.request("Bulk edit rows in the table view", feedback.Planned, true, func(r *feedback.Request) {
			r.Description = "Select many rows and change a field on all of them at once."
		})
		e.request("Dark mode", feedback.InProgress, true)
		e.request("Export dashboards to PDF", feedback.Open, true)
		e.request("Slack notifications for mentions", feedback.Shipped, true, func(r *feedback.Request) { r.ReleaseNote = "Mentions now reach Slack." })
		e.request("Internal only", feedback.Planned, false)
		// The app's Content-Security-Policy, so an inline style or script would break
		// this test the way it would break production.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
			e.H.ServeHTTP(w, r)
		}))
		defer srv.Close()

		b := browsertest.Open(t, 60*time.Second)
		ctx, step := b.Ctx, b.Step
		c := claims("ann@acme.com")
		c.Name = "Ann Lee"
		link := srv.URL + "/portal/sso?token=" + url.QueryEscape(token(t, c)) + "&return=" + url.QueryEscape("/portal/requests/"+req.ID)
		step("arrive through SSO", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#vote-button")))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.HasSuffix(loc, "/portal/requests/"+req.ID) {
			t.Fatalf("landed on %q (%v)", loc, err)
		}
		if me, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#portal-me"))); me != "Ann Lee" {
			t.Errorf("header names %q", me)
		}
		step("vote", chromedp.Click(chromedp.CSS("#vote-button")), chromedp.WaitVisible(chromedp.CSS("#you-voted")))
		summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#vote-summary")))
		if err != nil || summary != "1 vote" {
			t.Fatalf("vote summary %q, %v", summary, err)
		}
		pressed, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#vote-button").getAttribute("aria-pressed")`))
		if pressed != "true" {
			t.Errorf("vote button aria-pressed=%q", pressed)
		}
		ann := e.person("ann@acme.com")
		votes, err := e.s.PersonVotes(e.ctx, ann.ID)
		if err != nil || len(votes) != 1 || votes[0].RequestID != req.ID || votes[0].Source != feedback.VotePortal {
			t.Fatalf("votes in the database: %+v %v", votes, err)
		}
		// The stylesheets load under the CSP: the vote button is filled with the accent.
		bg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#vote-button")).backgroundColor`))
		if bg != "rgb(15, 118, 110)" {
			t.Errorf("voted button background %q, want the accent", bg)
		}

		if e.s.Dialect() == "sqlite" {
			step("ideas list", chromedp.Navigate(srv.URL+"/portal"), chromedp.WaitVisible(chromedp.CSS("#ideas")))
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(os.TempDir()+"/portal.png", png, 0o644)
			}
			step("roadmap", chromedp.Navigate(srv.URL+"/portal/roadmap"), chromedp.WaitVisible(chromedp.CSS(".roadmap")))
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(os.TempDir()+"/portal-roadmap.png", png, 0o644)
			}
			step("request", chromedp.Navigate(srv.URL+"/portal/requests/"+req.ID), chromedp.WaitVisible(chromedp.CSS("#vote-button")))
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(os.TempDir()+"/portal-request.png", png, 0o644)
			}
		}
	})
}
