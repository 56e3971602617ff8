package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Today's deadlines and goals. Mia owns: Soon (renews in 10 days: next 30), Notice
// (renews in 60 days with a 45-day cancellation window: notice deadline in 15 days
// under the next 30, the renewal under 31–90), Far (renews in 200 days, 30-day window:
// notice in 170, not shown), Goal (signed up 80 days ago, 5 × report.created by day
// 90: pending, 0 of 5, check day in 10 days), Missed (signed up 95 days ago: check day
// 5 days ago, missed) and Old (check day 110 days ago: not shown). Ben's Other renews
// in 5 days and is not on Mia's day.
func TestTodayDeadlinesAndGoals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia@example.com", auth.RoleMember)
		ben := e.member("ben@example.com", auth.RoleMember)
		today := time.Now().UTC().Truncate(24 * time.Hour)
		day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
		contract := func(name, owner string, renewIn, window int) {
			t.Helper()
			a := e.account(account.Account{Name: name, Tier: "standard", Stage: account.Active, OwnerID: owner})
			if err := e.s.SaveContract(e.ctx, &account.Contract{AccountID: a.ID, StartDate: day(renewIn - 365), TermMonths: 12,
				RenewalDate: day(renewIn), CancellationWindow: window}); err != nil {
				t.Fatal(err)
			}
		}
		contract("Soon", mia.ID, 10, 0)
		contract("Notice", mia.ID, 60, 45)
		contract("Far", mia.ID, 200, 30)
		contract("Other", ben.ID, 5, 0)
		goal := func(name string, signupAgo int) {
			t.Helper()
			a := e.account(account.Account{Name: name, Tier: "standard", Stage: account.Active, OwnerID: mia.ID, SignupDate: day(-signupAgo)})
			storetest.Must(t, e.s.SetGoal(e.ctx, a.ID, health.Goal{Event: "report.created", Min: 5, CheckDays: 90}))
		}
		goal("Goal", 80)
		goal("Missed", 95)
		goal("Old", 200)
		r := e.Get("/today", e.session(mia))
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="today-deadlines-30"`, `id="today-deadlines-90"`,
			day(10)+` <span class="muted small">(in 10 days)</span></td><td><a href="/accounts/`,
			day(15)+` <span class="muted small">(in 15 days)</span>`, `notice deadline`,
			day(60)+` <span class="muted small">(in 60 days)</span>`,
			`id="today-goals"`, `<td>`+day(10)+`</td>`, "pending: 0 of 5 so far", `<td>`+day(-5)+`</td>`, `missed</span> 0 of 5`)
		wantNotIn(t, r, "Other</a>", `#usage-goal">Old</a>`, day(170), day(200), day(5)+" ")
		td, err := e.s.TodayFor(e.ctx, mia.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range td.Deadlines {
			got = append(got, d.Name+" "+d.Kind+" "+d.Date)
		}
		want := []string{"Soon renewal " + day(10), "Notice notice " + day(15), "Notice renewal " + day(60)}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("deadlines %q, want %q", got, want)
		}
		if len(td.Goals) != 2 || td.Goals[0].Name != "Missed" || td.Goals[0].State != health.GoalMissed || td.Goals[1].Name != "Goal" || td.Goals[1].State != health.GoalPending {
			t.Fatalf("goals %+v", td.Goals)
		}
	})
}
