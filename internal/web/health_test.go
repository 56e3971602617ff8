package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The account page's health section: score, band, the sentence explaining the move
// since the day a week ago, the breakdown with weights and points, the cadence, and
// the owner's pulse form (members only; the note is escaped).
//
// Hand-worked: an important account (cadence 7), no usage, no seats known, an email
// 10 days ago. A week ago the contact was 3 days old → 100; today 10 days →
// 100 × (21 − 10) / 14 = 79. Weights present: usage 25, contact 15, support 10 = 50.
// Then (0 + 1500 + 1000) / 50 = 50; now (0 + 1185 + 1000) / 50 = 43.7 → 44: −6, all
// of it the contact (30 → 23.7 points).
func TestAccountPageHealth(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.signedIn("vic@example.com", auth.RoleViewer)
		member := e.signedIn("mia@example.com", auth.RoleMember)
		now := time.Now().UTC()
		a := e.driftingAccount(now)
		r := e.Get("/accounts/"+a.ID, viewer)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="health-h"`, `<span class="kpi-value">44</span>`, `id="health-band">yellow</span>`,
			"−6 since last week: no contact in 10 days, cadence is 7 (−6)",
			`<tr data-component="contact"><td>Contact vs cadence</td><td>no contact in 10 days, cadence is 7</td><td class="num">79</td><td class="num">30%</td><td class="num">23.7</td></tr>`,
			`<tr data-component="usage"><td>Usage trend</td><td>no usage in 60 days</td><td class="num">0</td><td class="num">50%</td><td class="num">0.0</td></tr>`,
			`<tr class="muted" data-component="seats"><td>Seats in use</td><td colspan="4">not known`,
			"Last contact 10 days ago; the cadence for this tier is 7 days — <strong>overdue</strong>",
			now.AddDate(0, 0, -7).Format("2006-01-02")+": 50 (yellow)", now.Format("2006-01-02")+": 44 (yellow)")
		wantNotIn(t, r, `id="pulse-form"`)

		wantStatus(t, e.Post("/accounts/"+a.ID+"/pulse", url.Values{"pulse": {"5"}, "note": {"<script>x</script>"}}, viewer), http.StatusForbidden)
		wantStatus(t, e.Post("/accounts/"+a.ID+"/pulse", url.Values{"pulse": {"9"}}, member), http.StatusBadRequest)
		r = e.Post("/accounts/"+a.ID+"/pulse", url.Values{"pulse": {"5"}, "note": {"<script>x</script>"}}, member)
		wantStatus(t, r, http.StatusSeeOther)
		r = e.Get("/accounts/"+a.ID, member)
		// Pulse 5 (weight 5) → 100: (2185 + 500) / 55 = 48.8 → 49. Against the week
		// ago: the pulse adds 9.1 points, the contact loses 30 − 79 × 15/55 = 8.5 and
		// support's share shrinks from 20 to 18.2.
		wantIn(t, r, "−1 since last week: owner&#39;s pulse 5/5 (&#43;9), no contact in 10 days, cadence is 7 (−8), 0 open bugs in 30 days (−2)", `id="pulse-form"`, `<span class="kpi-value">49</span>`, "Owner's pulse: 5/5 — “&lt;script&gt;x&lt;/script&gt;”", `<option value="5" selected>`)
		wantNotIn(t, r, "<script>x</script>")
	})
}

// The accounts list filters "cadence overdue": an account emailed today is on time,
// one never contacted is overdue; the choice stays selected and in the URL.
func TestAccountsCadenceFilter(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("vic@example.com", auth.RoleViewer)
		fresh := e.accountMRR("Freshly Called", "standard", 0)
		e.accountMRR("Forgotten Ltd", "standard", 0)
		e.touchpoint(account.Touchpoint{AccountID: fresh.ID, Kind: account.Call, OccurredAt: time.Now().UTC().Add(-time.Minute), Summary: "hi"})
		r := e.Get("/accounts?cadence=overdue", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Forgotten Ltd", `<option value="overdue" selected>Cadence overdue</option>`)
		wantNotIn(t, r, "Freshly Called")
		r = e.Get("/accounts?cadence=bogus", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Forgotten Ltd", "Freshly Called")
	})
}

// The account page lists the account's open tasks; a member completes one with its
// button and the page no longer shows it; a viewer sees no button and may not post.
func TestAccountPageTasks(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.signedIn("vic@example.com", auth.RoleViewer)
		mia, member := e.signedInMember("mia@example.com", auth.RoleMember)
		a := e.accountMRR("Silent <i>Inc</i>", "important", 0)
		storetest.Must(t, e.s.SyncHealth(e.ctx, time.Now().UTC()))
		tasks, err := e.s.ListTasks(e.ctx, store.TaskFilter{AccountID: a.ID, Signal: "cadence"})
		if err != nil || len(tasks) != 1 {
			t.Fatalf("tasks: %+v %v", tasks, err)
		}
		r := e.Get("/accounts/"+a.ID, viewer)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="account-tasks"`, "<strong>Contact is overdue: Silent &lt;i&gt;Inc&lt;/i&gt;</strong> — never in touch, cadence is 7")
		wantNotIn(t, r, `action="/tasks/`+tasks[0].ID+`/done"`)
		wantStatus(t, e.Post("/tasks/"+tasks[0].ID+"/done", url.Values{}, viewer), http.StatusForbidden)
		r = e.Get("/accounts/"+a.ID, member)
		wantIn(t, r, `action="/tasks/`+tasks[0].ID+`/done"`)
		wantStatus(t, e.Post("/tasks/"+tasks[0].ID+"/done", url.Values{}, member), http.StatusSeeOther)
		r = e.Get("/accounts/"+a.ID, member)
		wantNotIn(t, r, "Contact is overdue: Silent")
		done, err := e.s.GetTask(e.ctx, tasks[0].ID)
		if err != nil || done.Status != "done" || done.DoneBy != mia.ID {
			t.Fatalf("done: %+v %v", done, err)
		}
		wantStatus(t, e.Post("/tasks/"+tasks[0].ID+"/done", url.Values{}, member), http.StatusConflict)
	})
}
