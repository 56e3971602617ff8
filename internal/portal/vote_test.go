package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestVotes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		req := e.request("Dark mode", feedback.Open, true)
		ck := e.ann()
		ann := e.person("ann@acme.com")
		path := "/portal/requests/" + req.ID
		count := func() int {
			pr, err := e.s.GetPortalRequest(e.ctx, req.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			return pr.Votes
		}

		// Anonymous: sent to the explanation, no vote.
		r := e.Post(path+"/vote", url.Values{"return": {path}}, nil)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/portal/signin?return="+url.QueryEscape(path) {
			t.Fatalf("anonymous vote went to %q", loc)
		}
		wantIn(t, e.Get(r.Header().Get("Location"), nil), "To vote or share an idea, sign in")
		if count() != 0 {
			t.Fatal("anonymous vote counted")
		}

		// Vote once counts once; a repeat is a no-op.
		for i := 0; i < 2; i++ {
			r = e.Post(path+"/vote", url.Values{"return": {path}}, ck)
			wantStatus(t, r, http.StatusSeeOther)
			if r.Header().Get("Location") != path {
				t.Fatalf("vote returned to %q", r.Header().Get("Location"))
			}
		}
		if n := count(); n != 1 {
			t.Fatalf("%d votes after voting twice", n)
		}
		votes, err := e.s.PersonVotes(e.ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(votes) != 1 || votes[0].Source != feedback.VotePortal || votes[0].RequestID != req.ID {
			t.Fatalf("votes: %+v", votes)
		}
		page := e.Get(path, ck)
		wantIn(t, page, "You voted", `aria-pressed="true"`, `action="/portal/requests/`+req.ID+`/unvote"`, "1 vote<")
		wantIn(t, e.Get("/portal", ck), "You voted")
		wantNotIn(t, e.Get("/portal", nil), "You voted")

		// Unvote works, and repeating it is harmless.
		for i := 0; i < 2; i++ {
			wantStatus(t, e.Post(path+"/unvote", url.Values{}, ck), http.StatusSeeOther)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d votes after unvote", n)
		}
		wantNotIn(t, e.Get(path, ck), "You voted")

		// A vote through a merged request's link counts for the request it lives in.
		dup := e.request("Night theme", feedback.Open, true)
		storetest.Must(t, e.s.MergeRequest(e.ctx, dup.ID, req.ID))
		wantStatus(t, e.Post("/portal/requests/"+dup.ID+"/vote", url.Values{}, ck), http.StatusSeeOther)
		if n := count(); n != 1 {
			t.Fatalf("vote via merged link: %d", n)
		}
		votes, _ = e.s.PersonVotes(e.ctx, ann.ID)
		if len(votes) != 1 || votes[0].RequestID != req.ID {
			t.Fatalf("vote via merged link landed on %+v", votes)
		}

		// A cross-origin form post is refused before it reaches the portal.
		r = e.Do("POST", path+"/unvote", url.Values{}, ck, "Sec-Fetch-Site: cross-site", "Origin: https://evil.example")
		if r.Code != http.StatusForbidden || count() != 1 {
			t.Fatalf("cross-origin unvote: %d, votes %d", r.Code, count())
		}
	})
}

func TestPrivateRequestsAreNotFoundEverywhere(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		secret := e.request("Secret acquisition feature", feedback.Planned, false, func(r *feedback.Request) { r.ReleaseNote = "hidden note" })
		shippedSecret := e.request("Secret shipped thing", feedback.Shipped, false)
		public := e.request("Public idea", feedback.Open, true)
		// A private request merged into a public one is still private.
		privDup := e.request("Private duplicate", feedback.Open, false)
		storetest.Must(t, e.s.MergeRequest(e.ctx, privDup.ID, public.ID))
		ck := e.ann()
		for _, id := range []string{secret.ID, shippedSecret.ID, privDup.ID, "no-such-id"} {
			for _, c := range []*http.Cookie{nil, ck} {
				r := e.Get("/portal/requests/"+id, c)
				wantStatus(t, r, http.StatusNotFound)
				wantIn(t, r, "We couldn&#39;t find that")
				wantNotIn(t, r, "Secret", "hidden note")
			}
			wantStatus(t, e.Post("/portal/requests/"+id+"/vote", url.Values{}, ck), http.StatusNotFound)
			wantStatus(t, e.Post("/portal/requests/"+id+"/unvote", url.Values{}, ck), http.StatusNotFound)
		}
		ann := e.person("ann@acme.com")
		if votes, _ := e.s.PersonVotes(e.ctx, ann.ID); len(votes) != 0 {
			t.Fatalf("votes on private requests: %+v", votes)
		}
		for _, page := range []string{"/portal", "/portal?status=planned", "/portal?q=secret", "/portal/roadmap", "/portal/changelog"} {
			r := e.Get(page, ck)
			wantStatus(t, r, http.StatusOK)
			wantNotIn(t, r, "Secret", "hidden note", secret.ID)
		}
	})
}

func TestMergedRequestRedirects(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.request("Export to CSV", feedback.Planned, true)
		b := e.request("CSV download", feedback.Open, true)
		c := e.request("Spreadsheet export", feedback.Open, true)
		storetest.Must(t, e.s.MergeRequest(e.ctx, c.ID, b.ID))
		storetest.Must(t, e.s.MergeRequest(e.ctx, b.ID, a.ID))
		r := e.Get("/portal/requests/"+c.ID, nil)
		wantStatus(t, r, http.StatusFound)
		if loc := r.Header().Get("Location"); loc != "/portal/requests/"+a.ID {
			t.Fatalf("merged request redirected to %q", loc)
		}
		list := e.Get("/portal", nil)
		if strings.Contains(list.Text, "CSV download") || !strings.Contains(list.Text, "Export to CSV") {
			t.Fatal("the list shows merged requests")
		}
		// Merged into a private request: nothing to show.
		hidden := e.request("Internal tracking", feedback.Open, false)
		d := e.request("Public dup", feedback.Open, true)
		storetest.Must(t, e.s.MergeRequest(e.ctx, d.ID, hidden.ID))
		wantStatus(t, e.Get("/portal/requests/"+d.ID, nil), http.StatusNotFound)
	})
}
