package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
)

// The daily digest's opt-out on the Today page: a member turns it off and on again;
// a viewer (who gets no digest) sees no switch and may not post it.
func TestTodayDigestOptOut(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia, c := e.signedInMember("mia@example.com", auth.RoleMember)
		r := e.Get("/today", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "You get this day by email each morning.", `name="digest" value="off"`)
		r = e.Post("/today/digest", url.Values{"digest": {"off"}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		wantFlash(t, r, "You will not get the daily digest email.")
		if off, err := e.s.DigestOptedOut(e.ctx, mia.ID); err != nil || !off {
			t.Fatalf("opted out: %v %v", off, err)
		}
		wantIn(t, e.Get("/today", c), "The daily digest email is off.", `name="digest" value="on"`)
		rs, err := e.s.DigestRecipients(e.ctx)
		if err != nil || len(rs) != 0 {
			t.Fatalf("recipients while off: %+v %v", rs, err)
		}
		wantStatus(t, e.Post("/today/digest", url.Values{"digest": {"on"}}, c), http.StatusSeeOther)
		if rs, err := e.s.DigestRecipients(e.ctx); err != nil || len(rs) != 1 || rs[0].ID != mia.ID {
			t.Fatalf("recipients back on: %+v %v", rs, err)
		}
		vi := e.signedIn("vi@example.com", auth.RoleViewer)
		wantNotIn(t, e.Get("/today", vi), `id="digest-form"`)
		wantStatus(t, e.Post("/today/digest", url.Values{"digest": {"off"}}, vi), http.StatusForbidden)
	})
}
