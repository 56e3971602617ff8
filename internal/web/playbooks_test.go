package web_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
)

// Playbooks through the pages: an admin creates one on Settings → Playbooks (a bad
// day count comes back on its row, a blank row is ignored), edits it, and a member
// starts it from the account page, whose Playbooks section then shows "0 of 2 tasks
// done"; starting it again says it is already running. Finishing a task moves the
// progress. Members may not open the settings, viewers may not start one, and a
// cross-site form post is refused.
func TestPlaybookPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		mia, miaC := e.signedInMember("mia@example.com", auth.RoleMember)
		viewer := e.signedIn("vi@example.com", auth.RoleViewer)
		a := e.account(account.Account{Name: "Acme", Tier: "standard", Stage: account.Active, OwnerID: mia.ID})

		wantStatus(t, e.Get("/settings/playbooks", miaC), http.StatusForbidden)
		r := e.Get("/settings/playbooks", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "No playbooks yet.", `href="/settings/playbooks" aria-current="page"`, `name="title_2"`)

		form := url.Values{"name": {"Renewal prep"}, "signals": {"renewal"}, "rows": {"4"},
			"title_0": {"Usage review"}, "due_0": {"lots"},
			"title_1": {""}, "due_1": {"9"}, // blank: ignored
			"title_2": {"Renewal call"}, "due_2": {"14"}, "assignee_2": {""}}
		r = e.Post("/settings/playbooks", form, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `value="lots" inputmode="numeric" size="4" aria-label="Step 0: due after days" aria-invalid="true"`, "Enter a whole number of days.", `value="Renewal prep"`)
		form.Set("due_0", "3")
		form.Set("due_2", "400")
		r = e.Post("/settings/playbooks", form, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `value="400" inputmode="numeric" size="4" aria-label="Step 2: due after days" aria-invalid="true"`, "must be from 0 to 365")
		form.Set("due_2", "14")
		wantStatus(t, e.Post("/settings/playbooks", form, admin), http.StatusSeeOther)
		ps, err := e.s.ListPlaybooks(e.ctx)
		if err != nil || len(ps) != 1 || len(ps[0].Steps) != 2 || ps[0].Steps[1].Title != "Renewal call" || ps[0].Steps[1].DueDays != 14 || ps[0].Signals[0] != "renewal" {
			t.Fatalf("created: %+v %v", ps, err)
		}
		pb := ps[0]
		r = e.Get("/settings/playbooks", admin)
		wantIn(t, r, ">Renewal prep</a>", "Renewal coming up", "Usage review <span class=\"muted\">day 3</span>")
		r = e.Get("/settings/playbooks/"+pb.ID+"/edit", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `value="Renewal call"`, `name="title_4"`)
		edit := url.Values{"name": {"Renewal prep"}, "rows": {"2"}, "title_0": {"Usage review"}, "due_0": {"2"},
			"title_1": {"Renewal call"}, "due_1": {"10"}, "assignee_1": {mia.ID}}
		wantStatus(t, e.Post("/settings/playbooks/"+pb.ID+"/edit", edit, admin), http.StatusSeeOther)
		if got, err := e.s.GetPlaybook(e.ctx, pb.ID); err != nil || len(got.Signals) != 0 || got.Steps[1].AssigneeID != mia.ID || got.Steps[0].DueDays != 2 {
			t.Fatalf("edited: %+v %v", got, err)
		}
		wantStatus(t, e.Get("/settings/playbooks/nonesuch/edit", admin), http.StatusNotFound)

		// The account page: start it, see its progress.
		r = e.Get("/accounts/"+a.ID, miaC)
		wantIn(t, r, "No playbook has run on this account.", `action="/accounts/`+a.ID+`/playbooks"`, `<option value="`+pb.ID+`">Renewal prep (2 steps)</option>`)
		wantNotIn(t, e.Get("/accounts/"+a.ID, viewer), `id="playbook-start"`)
		start := url.Values{"playbook_id": {pb.ID}}
		wantStatus(t, e.Post("/accounts/"+a.ID+"/playbooks", start, viewer), http.StatusForbidden)
		wantStatus(t, e.Do("POST", "/accounts/"+a.ID+"/playbooks", start, miaC, "Sec-Fetch-Site: cross-site"), http.StatusForbidden)
		r = e.Post("/accounts/"+a.ID+"/playbooks", start, miaC)
		wantStatus(t, r, http.StatusSeeOther)
		wantFlash(t, r, "Playbook Renewal prep started: 2 tasks.")
		r = e.Get("/accounts/"+a.ID, miaC)
		wantIn(t, r, "<strong>Renewal prep</strong> <span class=\"run-progress\">0 of 2 tasks done</span>", "by hand")
		r = e.Post("/accounts/"+a.ID+"/playbooks", start, miaC)
		wantStatus(t, r, http.StatusSeeOther)
		wantFlash(t, r, "That playbook is already running on this account.")
		runs, err := e.s.ListPlaybookRuns(e.ctx, a.ID)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		ts, err := e.s.ListTasks(e.ctx, store.TaskFilter{AccountID: a.ID})
		if err != nil || len(ts) != 2 {
			t.Fatalf("tasks: %+v %v", ts, err)
		}
		wantStatus(t, e.Post("/tasks/"+ts[0].ID+"/done", url.Values{}, miaC), http.StatusSeeOther)
		wantIn(t, e.Get("/accounts/"+a.ID, miaC), "1 of 2 tasks done")
		wantStatus(t, e.Post("/accounts/"+a.ID+"/playbooks", url.Values{"playbook_id": {"nonesuch"}}, miaC), http.StatusNotFound)

		wantStatus(t, e.Post("/settings/playbooks/"+pb.ID+"/delete", url.Values{}, miaC), http.StatusForbidden)
		r = e.Post("/settings/playbooks/"+pb.ID+"/delete", url.Values{}, admin)
		wantStatus(t, r, http.StatusSeeOther)
		wantFlash(t, r, "Playbook Renewal prep deleted; the tasks it made stay.")
		wantIn(t, e.Get("/settings/playbooks", admin), "No playbooks yet.")
		if ts, _ := e.s.ListTasks(e.ctx, store.TaskFilter{AccountID: a.ID}); len(ts) != 2 {
			t.Fatalf("tasks after delete: %d", len(ts))
		}
	})
}

// wantFlash checks the one-line message a redirect leaves for the next page.
func wantFlash(t *testing.T, r resp, want string) {
	t.Helper()
	for _, c := range r.Result().Cookies() {
		if c.Name == "closeloop_flash" {
			b, _ := base64.RawURLEncoding.DecodeString(c.Value)
			if string(b) != want {
				t.Errorf("flash %q, want %q", b, want)
			}
			return
		}
	}
	t.Errorf("no flash, want %q", want)
}
