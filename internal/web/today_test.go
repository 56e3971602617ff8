package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// todayFixture: mia owns Drifting (important, last email 10 days ago: overdue for its
// 7-day cadence, so a task) and Renewing (a contract ending in about a month, so a
// renewal task); Ben owns Elsewhere, overdue too, which is not on Mia's day.
func todayFixture(t *testing.T, e *env) (auth.Member, store.AccountRow) {
	t.Helper()
	mia := e.member("mia@example.com", auth.RoleMember)
	ben := e.member("ben@example.com", auth.RoleMember)
	now := time.Now().UTC()
	drifting := e.account(account.Account{Name: "Drifting", Tier: "important", Stage: account.Active, OwnerID: mia.ID})
	renewing := e.account(account.Account{Name: "Renewing", Tier: "standard", Stage: account.Active, OwnerID: mia.ID})
	elsewhere := e.account(account.Account{Name: "Elsewhere", Tier: "important", Stage: account.Active, OwnerID: ben.ID})
	for _, a := range []store.AccountRow{drifting, elsewhere} {
		e.touchpoint(account.Touchpoint{AccountID: a.ID, Kind: account.Email, OccurredAt: now.AddDate(0, 0, -10), Summary: "check-in"})
	}
	e.touchpoint(account.Touchpoint{AccountID: renewing.ID, Kind: account.Call, OccurredAt: now.AddDate(0, 0, -1), Summary: "call"})
	start := now.AddDate(-1, 0, 30).Format(time.DateOnly)
	storetest.Must(t, e.s.SaveContract(e.ctx, &account.Contract{AccountID: renewing.ID, StartDate: start, TermMonths: 12}))
	storetest.Must(t, e.s.SyncHealth(e.ctx, now))
	return mia, drifting
}

// Today shows the member's own tasks, accounts overdue for contact and renewals, and
// not a colleague's; done from there comes back to it; / lands on it.
func TestTodayPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia, drifting := todayFixture(t, e)
		c := e.session(mia)
		r := e.Get("/today", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="today-tasks"`, "Contact is overdue: Drifting", `id="today-overdue"`, `id="today-renewals"`, "Renewing", "Your accounts in the red")
		wantNotIn(t, r, "Elsewhere")
		tasks, err := e.s.ListTasks(e.ctx, store.TaskFilter{AccountID: drifting.ID, Status: "open"})
		if err != nil || len(tasks) != 1 {
			t.Fatalf("open tasks of Drifting: %+v %v", tasks, err)
		}
		done := e.Post("/tasks/"+tasks[0].ID+"/done", url.Values{"back": {"/today"}}, c)
		wantStatus(t, done, http.StatusSeeOther)
		if loc := done.Header().Get("Location"); loc != "/today" {
			t.Fatalf("after done: %q", loc)
		}
		r = e.Get("/today", c)
		wantNotIn(t, r, "task-"+tasks[0].ID)
		wantIn(t, r, "Renewing")
		// The renewal task, snoozed: due a day after today, or after its due date if later.
		open, err := e.s.ListTasks(e.ctx, store.TaskFilter{OwnerID: mia.ID, Status: "open"})
		if err != nil || len(open) != 1 {
			t.Fatalf("mia's open tasks after one is done: %+v %v", open, err)
		}
		was := open[0].DueDate
		wantStatus(t, e.Post("/tasks/"+open[0].ID+"/snooze", nil, c), http.StatusSeeOther)
		got, err := e.s.GetTask(e.ctx, open[0].ID)
		today := time.Now().UTC().Format(time.DateOnly)
		from := max(was, today)
		d, _ := time.Parse(time.DateOnly, from)
		if err != nil || got.Status != "open" || got.DueDate != d.AddDate(0, 0, 1).Format(time.DateOnly) {
			t.Fatalf("snoozed from %s: %+v %v", was, got, err)
		}
		wantStatus(t, e.Post("/tasks/"+tasks[0].ID+"/snooze", nil, c), http.StatusConflict) // done: not snoozable
		viewer := e.signedIn("vi@example.com", auth.RoleViewer)
		wantStatus(t, e.Post("/tasks/"+open[0].ID+"/snooze", nil, viewer), http.StatusForbidden)
		if r := e.Get("/", c); r.Header().Get("Location") != "/today" {
			t.Fatalf("/ goes to %q", r.Header().Get("Location"))
		}
	})
}

// Real Chromium: on Today, j focuses the first task and x completes it; the task goes
// from the page and is recorded as done by the member who pressed the key.
func TestBrowserTodayKeyboard(t *testing.T) {
	eachBrowser(t, func(t *testing.T, e *env) {
		mia, _ := todayFixture(t, e)
		b := openBrowser(t, e.s)
		ctx, step := b.Ctx, b.Step
		b.signIn("/today", "mia@example.com", "#today-tasks .task-row")
		open, err := e.s.ListTasks(e.ctx, store.TaskFilter{OwnerID: mia.ID, Status: "open"})
		if err != nil || len(open) < 2 {
			t.Fatalf("mia's open tasks: %+v %v", open, err)
		}
		first := open[0] // the page lists them in the same order
		step("j then x",
			chromedp.KeyEvent("j"),
			chromedp.KeyEvent("x"),
			chromedp.WaitNotPresent(chromedp.CSS("#task-"+first.ID)),
			chromedp.WaitVisible(chromedp.CSS("#task-"+open[1].ID)),
		)
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.flash")))
		if err != nil || !strings.HasPrefix(strings.TrimSpace(v), "Task done: "+first.Title) {
			t.Fatalf("flash %q %v", v, err)
		}
		done, err := e.s.GetTask(e.ctx, first.ID)
		if err != nil || done.Status != "done" || done.DoneBy != mia.ID {
			t.Fatalf("the task after x: %+v %v", done, err)
		}
		step("j then s", chromedp.KeyEvent("j"), chromedp.KeyEvent("s"))
		var later store.Task
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if later, err = e.s.GetTask(e.ctx, open[1].ID); err != nil || later.DueDate != open[1].DueDate {
				break
			}
		}
		if err != nil || later.DueDate == open[1].DueDate || later.Status != "open" {
			t.Fatalf("the task after s: %+v %v", later, err)
		}
		// The page reloads after the redirect: read its flash until the new one shows.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if v, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.flash"))); err == nil && strings.HasPrefix(strings.TrimSpace(v), "Snoozed to ") {
				break
			}
		}
		if err != nil || !strings.HasPrefix(strings.TrimSpace(v), "Snoozed to ") {
			t.Fatalf("flash after s %q %v", v, err)
		}
	})
}
