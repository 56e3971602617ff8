package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestBrowserAccountHealth drives real Chromium to the account page of the account of
// TestAccountPageHealth (an important account whose last email is 10 days old): the
// breakdown and the sentence explaining the move since last week are shown; setting a
// pulse moves the score; completing the open cadence task with its button removes it.
func TestBrowserAccountHealth(t *testing.T) {
	eachBrowser(t, func(t *testing.T, e *env) {
		now := time.Now().UTC()
		a := e.driftingAccount(now)
		storetest.Must(t, e.s.SyncHealth(e.ctx, now))
		b := e.browserAs("mia@example.com", auth.RoleMember, "/accounts/"+a.ID, "#health-breakdown")
		step, text := b.Step, b.Text
		if got := text("#health-why"); got != "−6 since last week: no contact in 10 days, cadence is 7 (−6)" {
			t.Fatalf("sentence %q", got)
		}
		if got := text(`#health-breakdown tr[data-component="contact"]`); got != "Contact vs cadence no contact in 10 days, cadence is 7 79 30% 23.7" {
			t.Fatalf("contact row %q", got)
		}
		if got := text("#health-score .kpi-value"); got != "44" {
			t.Fatalf("score %q", got)
		}
		step("set a pulse",
			chromedp.SetValue(chromedp.CSS("#pulse"), "5"),
			chromedp.SendKeys(chromedp.CSS("#pulse-note"), "exec sponsor is keen"),
			chromedp.Click(chromedp.CSS("#pulse-save")),
			// Only the page after the redirect shows a pulse.
			chromedp.WaitVisible(chromedp.CSS("#health-pulse")),
		)
		if got := text("#health-score .kpi-value"); got != "49" {
			t.Fatalf("score after the pulse %q", got)
		}
		if got := text("#health-pulse"); !strings.HasPrefix(got, "Owner's pulse: 5/5 — “exec sponsor is keen”") {
			t.Fatalf("pulse %q", got)
		}
		if got := text("#account-tasks"); !strings.Contains(got, "Contact is overdue: Drifting — no contact in 10 days, cadence is 7") {
			t.Fatalf("tasks %q", got)
		}
		step("complete the task",
			chromedp.Click(chromedp.CSS("#account-tasks form button")),
			// The list goes when its last task does.
			chromedp.WaitNotPresent(chromedp.CSS("#account-tasks")),
		)
		if got := text("p.flash"); got != "Task done: Contact is overdue: Drifting." {
			t.Fatalf("flash %q", got)
		}
		tasks, err := e.s.ListTasks(e.ctx, store.TaskFilter{AccountID: a.ID})
		if err != nil || len(tasks) != 1 || tasks[0].Status != "done" || tasks[0].DoneBy == "" {
			t.Fatalf("the task after the click: %+v %v", tasks, err)
		}
	})
}
