package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/survey"
)

// TestBrowserSurveysNPS opens the surveys page of the demo's NPS survey in Chromium,
// plus one more promoter whose comment carries a script payload: 9 promoters, 4
// passives and 4 detractors of 17 give NPS (9 − 4)/17 = 29.4% → +29 on the list and
// the survey's page, which shows the demo's comments and the payload as inert text.
func TestBrowserSurveysNPS(t *testing.T) {
	eachBrowser(t, func(t *testing.T, e *env) {
		if _, err := demo.Generate(e.ctx, e.s, demo.Options{Accounts: 40, Seed: 5}); err != nil {
			t.Fatal(err)
		}
		sum, err := demo.GenerateSurveys(e.ctx, e.s)
		if err != nil {
			t.Fatal(err)
		}
		payload := `Love it <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
		if _, err := e.s.AddSurveyResponses(e.ctx, sum.SurveyID, survey.ChannelAPI, []survey.Input{{Score: 10, Email: "eve@example.com", Comment: payload}}); err != nil {
			t.Fatal(err)
		}
		b := e.browserAs("vic@example.com", auth.RoleViewer, "/signin", "#accounts-table")
		b.Step("open surveys from the nav", chromedp.Click(chromedp.CSS(`nav a[href="/surveys"]`)), chromedp.WaitVisible(chromedp.CSS("#surveys")))
		if got := b.Text(`#surveys tbody tr td.num strong`); got != "+29" {
			t.Fatalf("the list shows NPS %q, want +29", got)
		}
		b.Step("open the survey",
			chromedp.Click(chromedp.CSS(`#surveys a[href="/surveys/`+sum.SurveyID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS("#responses")),
			chromedp.Sleep(300*time.Millisecond), // let any payload that could run, run
		)
		if got := b.Text("#headline"); got != "+29" {
			t.Fatalf("the survey shows NPS %q, want +29", got)
		}
		if got := b.Text("#segments"); !strings.Contains(got, "Promoters (9–10) 9") || !strings.Contains(got, "Detractors (0–6) 4") {
			t.Errorf("segments %q", got)
		}
		responses := b.Text("#responses")
		for _, want := range []string{"Reports got slow since the last release.", `Love it <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`} {
			if !strings.Contains(responses, want) {
				t.Errorf("responses do not show %q:\n%s", want, responses)
			}
		}
		if v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`String(window.__xss)`)); err != nil || v != "undefined" {
			t.Fatalf("payload ran: window.__xss = %s (%v)", v, err)
		}
		if n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`document.querySelectorAll("#responses img, #responses script").length`)); err != nil || n != 0 {
			t.Fatalf("payload made %d elements (%v)", n, err)
		}
	})
}
