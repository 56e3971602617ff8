package web_test

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/auth"
)

// TestBrowserRevenue opens the revenue page in Chromium: the movements chart and the
// cohort table are drawn, and the quick-ratio toggle changes the figure shown (3.00
// with reactivation, 1.40 without, as worked out in seedRevenue).
func TestBrowserRevenue(t *testing.T) {
	eachBrowser(t, func(t *testing.T, e *env) {
		seedRevenue(t, e)
		b := e.browserAs("vic@example.com", auth.RoleViewer, "/signin", "#accounts-table")
		ctx, step := b.Ctx, b.Step
		step("open revenue from the nav", chromedp.Click(chromedp.CSS(`nav a[href="/revenue"]`)), chromedp.WaitVisible(chromedp.CSS("#definitions")))
		step("open the March–April view",
			chromedp.Navigate(b.url+revenueView),
			chromedp.WaitVisible(chromedp.CSS("#movements-chart-USD svg rect")),
			chromedp.WaitVisible(chromedp.CSS("#cohort-revenue-USD td.heat-10")),
		)
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#movements-chart-USD svg.movements-chart rect").length`)); err != nil || n != 5 {
			t.Errorf("movement bars: %d (%v), want 5 (March: new; April: new, expansion, reactivation, churn)", n, err)
		}
		qr, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".rev-kpis .quick-ratio")))
		if err != nil || qr != "3.00" {
			t.Fatalf("quick ratio %q (%v), want 3.00", qr, err)
		}
		if e.s.Dialect() == "sqlite" {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(os.TempDir()+"/closeloop-revenue.png", png, 0o644)
			}
		}
		step("leave reactivation out",
			chromedp.Click(chromedp.CSS("#def-qr a.def-toggle")),
			chromedp.WaitVisible(chromedp.CSS(`#def-qr a.def-toggle[href*="quick_ratio_reactivation=true"]`)),
		)
		qr, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".rev-kpis .quick-ratio")))
		if err != nil || qr != "1.40" {
			t.Fatalf("quick ratio after the toggle %q (%v), want 1.40", qr, err)
		}
	})
}
