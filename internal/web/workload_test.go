package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
)

// The workload page: Mia owns 3 standard accounts, Ben none. With the standard
// capacity lowered to 2 accounts on Settings → Workload, Mia is at 150% and marked
// over capacity; Ben at 0% is not. A bad number comes back with its field; a viewer
// may not open the page, a member may not open the settings.
func TestWorkloadPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		mia := e.member("mia@example.com", auth.RoleMember)
		ben := e.member("ben@example.com", auth.RoleMember)
		miaC := e.session(mia)
		for i := 0; i < 3; i++ {
			e.account(account.Account{Name: fmt.Sprintf("Acme %d", i), Tier: "standard", Stage: account.Active, OwnerID: mia.ID})
		}
		e.account(account.Account{Name: "Loose", Tier: "standard", Stage: account.Active})
		wantStatus(t, e.Get("/workload", e.signedIn("vi@example.com", auth.RoleViewer)), http.StatusForbidden)
		wantStatus(t, e.Get("/settings/workload", miaC), http.StatusForbidden)
		r := e.Get("/workload", miaC)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="load-`+mia.ID+`">`, `of 200 · $2,000,000`, `id="load-`+ben.ID+`">`, `id="load-unowned"`, "No owner", `href="/workload" aria-current="page"`)
		wantNotIn(t, r, `">over capacity<`, `class="over"`)

		r = e.Get("/settings/workload", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `name="accounts_strategic" id="accounts-strategic" inputmode="numeric" size="7" value="40"`, `value="2000000.00"`, `href="/settings/workload" aria-current="page"`)
		form := url.Values{"accounts_strategic": {"40"}, "arr_strategic": {"5000000"}, "accounts_important": {"80"}, "arr_important": {"3000000"},
			"accounts_standard": {"2"}, "arr_standard": {"0"}, "owner_standard": {ben.ID}}
		bad := maps.Clone(form)
		bad.Set("arr_important", "lots")
		r = e.Post("/settings/workload", bad, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `value="lots" aria-label="important: ARR per CSM" aria-invalid="true"`, "Enter an amount in USD")
		wantStatus(t, e.Post("/settings/workload", form, admin), http.StatusSeeOther)
		ws, err := e.s.WorkloadSettings(e.ctx)
		if err != nil || ws.Capacity["standard"].Accounts != 2 || ws.Capacity["standard"].ARR != 0 || ws.DefaultOwners["standard"] != ben.ID || ws.DefaultOwners["strategic"] != "" {
			t.Fatalf("saved: %+v %v", ws, err)
		}
		r = e.Get("/workload", miaC)
		// Mia: 3 of 2 standard accounts = 150%; Ben 0%; no ARR limit now on standard.
		wantIn(t, r, `id="load-`+mia.ID+`" class="over">`, `">over capacity<`, ">150%<", `of 2 · ∞`)
		wantIn(t, r, `id="load-`+ben.ID+`">`)
	})
}
