package web_test

import (
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The period control ranks the last 30 or 90 days: evidence from 60 days ago counts
// over 90 days and not over 30; a period with dates, or another period, is refused.
func TestRequestsPeriodControl(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m, c := e.signedInMember("mia@example.com", auth.RoleMember)
		big := e.accountMRR("Big", "strategic", 900000)
		small := e.accountMRR("Small", "standard", 50000)
		rA, rB := e.request("Alpha: SSO"), e.request("Bravo: dark mode")
		link := func(rq feedback.Request, acc store.AccountRow, text string, daysAgo int) {
			it := e.feedbackAt(text, acc.ID, daysAgo)
			storetest.Must(t, e.s.LinkFeedback(e.ctx, rq.ID, it.ID, m.ID))
		}
		link(rA, big, "A from big, long ago", 60)
		link(rA, small, "A from small", 2)
		link(rB, small, "B from small", 3)
		link(rB, small, "B again", 4)

		for _, tc := range []struct{ q, want string }{
			{"/requests?sort=mrr", "Alpha: SSO,Bravo: dark mode"},
			{"/requests?sort=mrr&last=90", "Alpha: SSO,Bravo: dark mode"},
		} {
			r := e.Get(tc.q, c)
			wantStatus(t, r, http.StatusOK)
			if got := requestTitles(r.Text); got != tc.want {
				t.Errorf("%s: %s", tc.q, got)
			}
		}
		// Over 30 days Alpha has only the small account's $500, as Bravo does; the
		// evidence count (2 for Bravo, 1 for Alpha) then decides.
		r := e.Get("/requests?sort=mrr&last=30", c)
		wantIn(t, r, `<option value="30" selected>Last 30 days</option>`)
		if got := requestTitles(r.Text); got != "Bravo: dark mode,Alpha: SSO" {
			t.Errorf("last 30 days by MRR: %s", got)
		}
		wantIn(t, e.Get("/requests?last=90&tier=strategic", c), "$9,000")
		wantNotIn(t, e.Get("/requests?last=30&tier=strategic", c), "$9,000") // the big account's evidence is 60 days old
		wantStatus(t, e.Get("/requests?last=7", c), http.StatusBadRequest)
		r = e.Get("/requests?last=30&from=2026-01-01", c)
		wantStatus(t, r, http.StatusBadRequest)
		wantIn(t, r, "Choose a period or dates, not both.")
	})
}
