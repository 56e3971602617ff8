package web_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/auth"
)

// TestBrowserSignInLogTouchpoint drives real Chromium through the main path of a CSM's
// day: get bounced to sign-in, sign in, open an account, log a call, and see it on
// top of the timeline. It runs on both dialects; each run takes a few seconds.
func TestBrowserSignInLogTouchpoint(t *testing.T) {
	eachBrowser(t, func(t *testing.T, e *env) {
		admin := e.member("ada@example.com", auth.RoleAdmin)
		a := seedAccount(t, e, admin)
		b := openBrowser(t, e.s)
		ctx, step := b.Ctx, b.Step

		step("open accounts", chromedp.Navigate(b.url+"/accounts"), chromedp.WaitVisible(chromedp.CSS("#email")))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.Contains(loc, "/signin?next=%2Faccounts") {
			t.Fatalf("not sent to sign-in: %q %v", loc, err)
		}
		step("sign in",
			chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Click(chromedp.CSS("#signin-submit")),
			chromedp.WaitVisible(chromedp.CSS("#accounts-table")),
		)
		step("open the account",
			chromedp.Click(chromedp.CSS(`#accounts-table a[href="/accounts/`+a.ID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS("#log-touchpoint")),
		)
		name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#account-name")))
		if err != nil || name != "Acme Robotics" {
			t.Fatalf("account page shows %q, %v", name, err)
		}

		summary := fmt.Sprintf("Renewal call %d: they want SSO before signing", time.Now().UnixNano())
		step("log a touchpoint",
			chromedp.SetValue(chromedp.CSS("#tp-kind"), "call"),
			chromedp.SendKeys(chromedp.CSS("#tp-summary"), summary),
			chromedp.Click(chromedp.CSS("#tp-submit")),
			// The page before the submit has the same timeline, so wait for the
			// message that only the page after the redirect carries.
			chromedp.WaitVisible(chromedp.CSS("p.flash")),
		)
		first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#timeline-list li:first-child .tp-summary")))
		if err != nil || first != summary {
			t.Fatalf("top of the timeline is %q (%v), want %q", first, err, summary)
		}
		meta, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#timeline-list li:first-child .tp-meta")))
		if err != nil || !strings.Contains(meta, "call") || !strings.Contains(meta, "ada") {
			t.Errorf("touchpoint meta %q, %v", meta, err)
		}

		if e.s.Dialect() == "sqlite" {
			step("scroll to top", chromedp.Navigate(b.url+"/accounts/"+a.ID), chromedp.WaitVisible(chromedp.CSS(".chart-svg")))
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if err := os.WriteFile(os.TempDir()+"/closeloop-account.png", png, 0o644); err != nil {
				t.Log(err)
			}
			step("accounts list", chromedp.Navigate(b.url+"/accounts?sort=mrr&dir=desc"), chromedp.WaitVisible(chromedp.CSS("#accounts-table")))
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(os.TempDir()+"/closeloop-accounts.png", png, 0o644)
			}
			// htmx loaded under the CSP and live search swaps the results in place,
			// pushing a shareable URL; "/" focuses the search box.
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof htmx === "object"`)); err != nil || !ok {
				t.Fatalf("htmx not loaded: %v", err)
			}
			step("press /", chromedp.Click(chromedp.CSS("h1")), chromedp.KeyEvent("/"))
			if active, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); active != "q" {
				t.Errorf("/ focused %q", active)
			}
			step("live search",
				// CDP delivers the key's character separately from keydown, so the
				// "/" lands in the box although a real browser would drop it.
				chromedp.KeyEvent("\b"),
				chromedp.SendKeys(chromedp.CSS("#q"), "nomatch"),
				chromedp.WaitVisible(chromedp.CSS("#results .empty-state")),
			)
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			if !strings.HasSuffix(loc, "/accounts?q=nomatch&sort=mrr&dir=desc") {
				t.Errorf("live search pushed %q", loc)
			}
		}
	})
}
