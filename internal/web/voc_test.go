package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/web"
)

func TestInboxTriage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("mia@example.com", auth.RoleMember)
		v := e.member("vic@example.com", auth.RoleViewer)
		mc, vc := e.session(m), e.session(v)
		tags := e.taxonomy()
		formulas := tags["Editor › Tables › Formulas"]
		acme := e.accountMRR("Acme Robotics", "strategic", 500000)

		r := e.Get("/feedback/inbox", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Inbox zero")

		it1 := e.feedbackAt("Oldest: formulas break when a column is renamed.", acme.ID, 9)
		it2 := e.feedbackAt("Second: please add formula autocomplete.", acme.ID, 7)
		it3 := e.feedbackAt("Third: the invoice PDF is wrong.", acme.ID, 5)
		it4 := e.feedbackAt("Fourth: we need SSO before renewal.", acme.ID, 3)

		// The oldest item first, with its sender's account, MRR and the count left.
		r = e.Get("/feedback/inbox", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Oldest: formulas break", "4 untriaged items left", "Acme Robotics", "$5,000", `class="count-badge"`)
		wantNotIn(t, r, "Second: please", `id="tag-form"`) // viewers read only
		// Viewers cannot act.
		for _, p := range []string{"/feedback/" + it1.ID + "/tag", "/feedback/" + it1.ID + "/kind", "/feedback/" + it1.ID + "/archive",
			"/feedback/" + it1.ID + "/link", "/feedback/inbox/undo", "/feedback", "/feedback/bulk"} {
			wantStatus(t, e.Post(p, url.Values{"tag_id": {formulas.ID}, "kind": {"bug"}, "text": {"x"}}, vc), http.StatusForbidden)
		}
		if got := mustItem(t, e.s, it1.ID); got.Status != feedback.New || len(got.TagIDs) != 0 {
			t.Fatalf("a viewer changed the item: %+v", got)
		}

		// Skipping shows the next one without changing anything.
		r = e.Get("/feedback/inbox", mc)
		wantIn(t, r, `id="tag-form"`, `href="/feedback/inbox?after=`+it1.ID+`"`)
		wantIn(t, e.Get("/feedback/inbox?after="+it1.ID, mc), "Second: please")

		// Tag by id (the type-ahead's pick): tagged, triaged, on to the next.
		r = e.Post("/feedback/"+it1.ID+"/tag", url.Values{"tag_id": {formulas.ID}, "tag": {"Editor › Tables › Formulas"}}, mc)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/feedback/inbox" {
			t.Errorf("tag redirected to %q", loc)
		}
		got := mustItem(t, e.s, it1.ID)
		if got.Status != feedback.Triaged || len(got.TagIDs) != 1 || got.TagIDs[0] != formulas.ID {
			t.Fatalf("after tag: %+v", got)
		}
		r = e.Get("/feedback/inbox", mc)
		wantIn(t, r, "Second: please", "3 untriaged items left")

		// Typed text without JavaScript: a unique match is applied, several come back
		// as choices with the text kept.
		r = e.Post("/feedback/"+it2.ID+"/tag", url.Values{"tag": {"filt"}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Several tags match", `value="filt"`, "Billing › Tables › Filters")
		r = e.Post("/feedback/"+it2.ID+"/tag", url.Values{"tag": {"no such tag"}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "No tag matches")
		wantStatus(t, e.Post("/feedback/"+it2.ID+"/tag", url.Values{"tag": {"editor tables formu"}}, mc), http.StatusSeeOther)
		if got := mustItem(t, e.s, it2.ID); len(got.TagIDs) != 1 || got.TagIDs[0] != formulas.ID || got.Status != feedback.Triaged {
			t.Fatalf("typed tag: %+v", got)
		}

		// Kind: set and triaged; then undo puts it back as it was.
		r = e.Post("/feedback/"+it3.ID+"/kind", url.Values{"kind": {"bug"}}, mc)
		wantStatus(t, r, http.StatusSeeOther)
		if got := mustItem(t, e.s, it3.ID); got.Kind != feedback.Bug || got.Status != feedback.Triaged {
			t.Fatalf("kind: %+v", got)
		}
		wantStatus(t, e.Post("/feedback/"+it3.ID+"/kind", url.Values{"kind": {"nonsense"}}, mc), http.StatusUnprocessableEntity)
		undo := respCookie(r, "closeloop_undo")
		if undo == nil {
			t.Fatal("no undo cookie")
		}
		page := e.Do("GET", "/feedback/inbox", nil, nil, cookies(mc, undo))
		wantIn(t, page, "Marked as bug", `id="undo-form"`)
		r = e.Do("POST", "/feedback/inbox/undo", url.Values{}, nil, cookies(mc, undo))
		wantStatus(t, r, http.StatusSeeOther)
		if got := mustItem(t, e.s, it3.ID); got.Kind != feedback.Other || got.Status != feedback.New {
			t.Fatalf("after undo: %+v", got)
		}
		wantIn(t, e.Get("/feedback/inbox", mc), "Third: the invoice")

		// Archive.
		wantStatus(t, e.Post("/feedback/"+it3.ID+"/archive", url.Values{}, mc), http.StatusSeeOther)
		if got := mustItem(t, e.s, it3.ID); got.Status != feedback.Archived {
			t.Fatalf("archive: %+v", got)
		}

		// Link: to an existing request by typed title, or a new one from the quote.
		sso := e.request("Single sign-on (SAML)")
		r = e.Post("/feedback/"+it4.ID+"/link", url.Values{"request": {"zzz"}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "No request matches", `value="zzz"`)
		wantStatus(t, e.Post("/feedback/"+it4.ID+"/link", url.Values{"request": {"sign-on"}}, mc), http.StatusSeeOther)
		if got := mustItem(t, e.s, it4.ID); len(got.RequestIDs) != 1 || got.RequestIDs[0] != sso.ID || got.Status != feedback.Triaged {
			t.Fatalf("link: %+v", got)
		}
		wantIn(t, e.Get("/feedback/inbox", mc), "Inbox zero")

		it5 := e.feedbackAt("Fifth: dark mode please.", acme.ID, 1)
		wantStatus(t, e.Post("/feedback/"+it5.ID+"/link", url.Values{"new": {"1"}}, mc), http.StatusSeeOther)
		got = mustItem(t, e.s, it5.ID)
		if len(got.RequestIDs) != 1 {
			t.Fatalf("new request: %+v", got)
		}
		if rq, _ := e.s.GetRequest(e.ctx, got.RequestIDs[0]); rq.Title != "Fifth: dark mode please." || rq.CreatedBy != m.ID {
			t.Errorf("request from quote: %+v", rq)
		}

		// The tag type-ahead searches every path segment, prefix first.
		r = e.Get("/tags/search?q=formu", vc)
		wantStatus(t, r, http.StatusOK)
		var hits []struct{ ID, Label string }
		if err := json.Unmarshal([]byte(r.Text), &hits); err != nil || len(hits) == 0 || hits[0].Label != "Editor › Tables › Formulas" {
			t.Fatalf("tag search: %v %s", err, r.Text)
		}
	})
}

func TestInboxSuggestions(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	plain := newEnv(t, s)
	m := plain.member("mia@example.com", auth.RoleMember)
	c := plain.session(m)
	tags := plain.taxonomy()
	it := plain.feedbackAt("Exports to CSV drop the filters.", "", 1)
	wantNotIn(t, plain.Get("/feedback/inbox", c), "Suggested tags")

	e := newEnvSuggest(t, s, fakeSuggester{[]web.Suggestion{{TagID: tags["Reporting › Exports"].ID, Score: 0.91}, {TagID: tags["Reporting › Exports › Filters"].ID, Score: 0.42}}})
	r := e.Get("/feedback/inbox", c)
	wantStatus(t, r, http.StatusOK)
	wantIn(t, r, "Suggested tags", "Reporting › Exports", "0.91", "Alt+1", `data-suggestion="2"`, "0.42")
	wantStatus(t, e.Post("/feedback/"+it.ID+"/tag", url.Values{"tag_id": {tags["Reporting › Exports"].ID}}, c), http.StatusSeeOther)
	if got := mustItem(t, s, it.ID); len(got.TagIDs) != 1 {
		t.Fatalf("suggestion not applied: %+v", got)
	}
}

func TestQuickAddFeedback(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m, c := e.signedInMember("mia@example.com", auth.RoleMember)
		tags := e.taxonomy()
		acme := e.account(account.Account{Name: "Acme", Domain: "acme.example"})

		// The dialog is on every page for members; the page is its no-JS fallback.
		wantIn(t, e.Get("/accounts", c), `<dialog id="quick-add"`, `name="text"`)
		wantIn(t, e.Get("/accounts/"+acme.ID, c), `href="/feedback/new?account_id=`+acme.ID+`"`)
		r := e.Get("/feedback/new?account_id="+acme.ID, c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `value="Acme"`, `value="`+acme.ID+`"`)

		r = e.Post("/feedback", url.Values{"text": {"  "}, "quote": {"keep me"}, "kind": {"bug"}, "next": {"/accounts"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Text is required", `value="keep me"`)
		r = e.Post("/feedback", url.Values{"text": {"x"}, "email": {"not-an-email"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not an email address")

		r = e.Post("/feedback", url.Values{"text": {"Charts need a log scale."}, "kind": {"feature_request"}, "email": {"pat@acme.example"},
			"tag_id": {tags["Editor › Charts"].ID}, "tag": {"billing"}, "next": {"/accounts/" + acme.ID}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/accounts/"+acme.ID {
			t.Errorf("redirect %q", loc)
		}
		items, _, err := e.s.ListFeedback(e.ctx, store.FeedbackFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 {
			t.Fatalf("%d items", len(items))
		}
		it := mustItem(t, e.s, items[0].ID)
		if it.Source != feedback.SourceWeb || it.SubmittedBy != m.ID || it.AccountID != acme.ID || it.Kind != feedback.FeatureRequest || len(it.TagIDs) != 2 {
			t.Fatalf("captured %+v", it)
		}
		// Account by typed name, without the type-ahead.
		wantStatus(t, e.Post("/feedback", url.Values{"text": {"Other"}, "account": {"acme"}}, c), http.StatusSeeOther)
		items, _, _ = e.s.ListFeedback(e.ctx, store.FeedbackFilter{})
		if items[0].AccountID != acme.ID {
			t.Errorf("account by name: %+v", items[0])
		}
	})
}

func TestTouchpointAlsoLogsFeedback(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m, c := e.signedInMember("mia@example.com", auth.RoleMember)
		a := seedAccount(t, e, m)
		people, _, err := e.s.ListPeople(e.ctx, store.PersonFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		wantIn(t, e.Get("/accounts/"+a.ID, c), `name="also_feedback"`)
		r := e.Post("/accounts/"+a.ID+"/touchpoints", url.Values{"kind": {"call"}, "summary": {"They need audit logs for SOC 2."},
			"person_id": {people[0].ID}, "also_feedback": {"1"}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		items, _, err := e.s.ListFeedback(e.ctx, store.FeedbackFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Source != feedback.SourceCall || items[0].AccountID != a.ID || items[0].PersonID != people[0].ID ||
			items[0].SubmittedBy != m.ID || items[0].Text != "They need audit logs for SOC 2." {
			t.Fatalf("feedback from touchpoint: %+v", items)
		}
		// Without the box: a touchpoint only.
		wantStatus(t, e.Post("/accounts/"+a.ID+"/touchpoints", url.Values{"kind": {"email"}, "summary": {"Sent the deck."}}, c), http.StatusSeeOther)
		if n, _ := e.s.CountFeedback(e.ctx, ""); n != 1 {
			t.Errorf("%d items", n)
		}
	})
}

var requestRowRE = regexp.MustCompile(`<td class="name"><a href="/requests/[^"]+">([^<]*)</a>`)

func requestTitles(body string) string {
	var out []string
	for _, m := range requestRowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, ",")
}

func TestRequestsRankingAndMerge(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("mia@example.com", auth.RoleMember)
		v := e.member("vic@example.com", auth.RoleViewer)
		mc, vc := e.session(m), e.session(v)
		big := e.accountMRR("Big", "strategic", 900000)
		mid := e.accountMRR("Mid", "important", 300000)
		small := e.accountMRR("Small", "standard", 50000)
		rA, rB, rC := e.request("Alpha: SSO"), e.request("Bravo: dark mode"), e.request("Charlie: API limits")
		link := func(rq feedback.Request, acc store.AccountRow, text string) {
			it := e.feedbackAt(text, acc.ID, 2)
			storetest.Must(t, e.s.LinkFeedback(e.ctx, rq.ID, it.ID, m.ID))
		}
		link(rA, small, "A from small")
		link(rB, big, "B from big")
		link(rC, mid, "C from mid")
		link(rC, small, "C from small")

		r := e.Get("/requests?sort=mrr", vc)
		wantStatus(t, r, http.StatusOK)
		if got := requestTitles(r.Text); got != "Bravo: dark mode,Charlie: API limits,Alpha: SSO" {
			t.Errorf("by MRR: %s", got)
		}
		wantIn(t, r, `id="weights"`, "$9,000", "$3,500")
		if got := requestTitles(e.Get("/requests?sort=mrr&dir=asc", vc).Text); got != "Alpha: SSO,Charlie: API limits,Bravo: dark mode" {
			t.Errorf("by MRR ascending: %s", got)
		}
		if got := requestTitles(e.Get("/requests?sort=accounts", vc).Text); !strings.HasPrefix(got, "Charlie") {
			t.Errorf("by accounts: %s", got)
		}
		// Only the small account's evidence counts: Charlie and Alpha tie, Bravo has none.
		if got := requestTitles(e.Get("/requests?sort=mrr&tier=standard", vc).Text); !strings.HasSuffix(got, ",Bravo: dark mode") {
			t.Errorf("standard tier only: %s", got)
		}
		wantStatus(t, e.Get("/requests?from=yesterday", vc), http.StatusBadRequest)
		wantNotIn(t, e.Get("/requests", vc), `href="/settings/ranking"`)

		// Evidence page.
		r = e.Get("/requests/"+rC.ID, vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "C from mid", "C from small", "Mid", "$3,000", "Evidence per week", "<svg")
		wantNotIn(t, r, `id="request-edit"`)
		wantStatus(t, e.Post("/requests/"+rA.ID+"/merge", url.Values{"into_id": {rC.ID}}, vc), http.StatusForbidden)

		// Merge A into C by typed title; C then counts A's evidence, A leaves the table.
		r = e.Post("/requests/"+rA.ID+"/merge", url.Values{"into": {"charlie"}}, mc)
		wantStatus(t, r, http.StatusSeeOther)
		if got, _ := e.s.GetRequest(e.ctx, rA.ID); got.MergedInto != rC.ID {
			t.Fatalf("not merged: %+v", got)
		}
		r = e.Get("/requests/"+rC.ID, mc)
		wantIn(t, r, "Merged into this", "Alpha: SSO", "A from small", "via a merged request")
		wantIn(t, e.Get("/requests/"+rA.ID, mc), `id="merged-banner"`)
		if got := requestTitles(e.Get("/requests", vc).Text); strings.Contains(got, "Alpha") {
			t.Errorf("merged request still ranked: %s", got)
		}
		r = e.Post("/requests/"+rB.ID+"/merge", url.Values{"into": {"nothing like it"}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "No single request matches", `value="nothing like it"`)

		// Unmerge from C's page.
		r = e.Post("/requests/"+rA.ID+"/unmerge", url.Values{"back": {"/requests/" + rC.ID}}, mc)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/requests/"+rC.ID {
			t.Errorf("unmerge redirect %q", loc)
		}
		if got, _ := e.s.GetRequest(e.ctx, rA.ID); got.MergedInto != "" {
			t.Fatalf("still merged: %+v", got)
		}

		// Edit with a field error keeps the typed text; a valid edit saves.
		r = e.Post("/requests/"+rB.ID, url.Values{"title": {"Bravo: dark mode v2"}, "status": {"planned"}, "quarter": {"next year"}, "strategic_score": {"5"}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not a quarter", `value="Bravo: dark mode v2"`, `value="next year"`)
		wantStatus(t, e.Post("/requests/"+rB.ID, url.Values{"title": {"Bravo: dark mode v2"}, "status": {"planned"}, "quarter": {"2026-q3"}, "strategic_score": {"7"}, "public": {"1"}}, mc), http.StatusSeeOther)
		if got, _ := e.s.GetRequest(e.ctx, rB.ID); got.Status != feedback.Planned || got.Quarter != "2026-Q3" || got.StrategicScore != 7 {
			t.Errorf("edit: %+v", got)
		}

		// Team vote on a person's behalf.
		p := account.Person{AccountID: big.ID, Email: "ceo@big.example", Name: "Bea Big"}
		storetest.Must(t, e.s.CreatePerson(e.ctx, &p))
		wantStatus(t, e.Post("/requests/"+rA.ID+"/votes", url.Values{"person": {"ceo@big"}}, mc), http.StatusSeeOther)
		wantIn(t, e.Get("/requests/"+rA.ID, mc), "Bea Big", "team vote")

		// New request; roadmap.
		r = e.Post("/requests", url.Values{"title": {""}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Title is required")
		wantStatus(t, e.Post("/requests", url.Values{"title": {"Delta: offline mode"}}, mc), http.StatusSeeOther)
		r = e.Get("/roadmap", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Bravo: dark mode v2", "Delta: offline mode")
		wantIn(t, e.Get("/roadmap?view=quarter", vc), "2026-Q3", "Bravo: dark mode v2")
	})
}

func TestRankingSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("root@example.com", auth.RoleAdmin)
		member := e.signedIn("mia@example.com", auth.RoleMember)
		wantStatus(t, e.Get("/settings/ranking", member), http.StatusForbidden)
		wantStatus(t, e.Post("/settings/ranking", url.Values{}, member), http.StatusForbidden)
		r := e.Get("/settings/ranking", admin)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `name="w_mrr" inputmode="decimal" value="0.3"`, `value="USD"`)

		form := url.Values{"w_accounts": {"1"}, "w_mrr": {"2"}, "w_churned_mrr": {"-1"}, "w_at_risk_mrr": {"x"}, "w_trend": {"0"}, "w_strategic": {"0"},
			"cab_weight": {"0.5"}, "renewal_window_days": {"9999"}, "currency": {"usdollars"}, "rates": {"EUR=1.08\nGBP=abc"}}
		r = e.Post("/settings/ranking", form, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "from 0 to 100", "Enter a number.", "from 1 to 10", "from 1 to 730", "three-letter currency", "Line 2: the rate for GBP", `value="-1"`, "GBP=abc")
		form = url.Values{"w_accounts": {"1"}, "w_mrr": {"2"}, "w_churned_mrr": {"0"}, "w_at_risk_mrr": {"0.5"}, "w_trend": {"0"}, "w_strategic": {"0"},
			"cab_weight": {"3"}, "renewal_window_days": {"60"}, "currency": {"eur"}, "rates": {"EUR=1"}}
		r = e.Post("/settings/ranking", form, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "EUR is the reporting currency")
		form.Set("rates", "usd=0.92\n\nGBP = 1.17\n")
		wantStatus(t, e.Post("/settings/ranking", form, admin), http.StatusSeeOther)
		rs, err := e.s.RankSettings(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rs.Weights.MRR != 2 || rs.Weights.AtRiskMRR != 0.5 || rs.CABWeight != 3 || rs.RenewalWindowDays != 60 || rs.Currency != "EUR" ||
			rs.Rates["USD"] != 0.92 || rs.Rates["GBP"] != 1.17 {
			t.Fatalf("saved %+v", rs)
		}
		zero := url.Values{"w_accounts": {"0"}, "w_mrr": {"0"}, "w_churned_mrr": {"0"}, "w_at_risk_mrr": {"0"}, "w_trend": {"0"}, "w_strategic": {"0"},
			"cab_weight": {"1"}, "renewal_window_days": {"90"}, "currency": {"USD"}}
		wantIn(t, e.Post("/settings/ranking", zero, admin), "At least one weight")
	})
}

func TestTagsPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("mia@example.com", auth.RoleMember)
		vc, mc := e.signedIn("vic@example.com", auth.RoleViewer), e.session(m)
		tags := e.taxonomy()
		acme := e.accountMRR("Acme", "strategic", 200000)
		it := e.feedbackAt("Formulas are slow", acme.ID, 2)
		storetest.Must(t, e.s.TagFeedback(e.ctx, it.ID, tags["Editor › Tables › Formulas"].ID, m.ID))
		r := e.Get("/tags", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `class="depth-2"`, "Formulas", "$2,000")
		wantNotIn(t, r, `id="new-tag"`)
		r = e.Get("/tags?q=formu", vc)
		wantIn(t, r, "Editor", "Tables", "Formulas")
		wantNotIn(t, r, "Billing")
		wantStatus(t, e.Post("/tags", url.Values{"name": {"New"}}, vc), http.StatusForbidden)

		tables := tags["Editor › Tables"]
		r = e.Post("/tags", url.Values{"name": {"formulas"}, "parent_id": {tables.ID}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "already called")
		wantStatus(t, e.Post("/tags", url.Values{"name": {"Pivots"}, "parent_id": {tables.ID}}, mc), http.StatusSeeOther)
		wantStatus(t, e.Post("/tags/"+tables.ID+"/rename", url.Values{"name": {"Grids"}}, mc), http.StatusSeeOther)
		wantIn(t, e.Get("/tags/"+tags["Editor › Tables › Formulas"].ID, vc), "Editor › Grids › Formulas")
		r = e.Post("/tags/"+tables.ID+"/move", url.Values{"parent": {"Editor › Grids › Formulas"}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "cannot move under itself")
		wantStatus(t, e.Post("/tags/"+tables.ID+"/move", url.Values{"parent_id": {tags["Reporting"].ID}}, mc), http.StatusSeeOther)
		// Both have a child called Filters: the store refuses, and the page says why.
		r = e.Post("/tags/"+tags["Billing › Charts"].ID+"/merge", url.Values{"into_id": {tags["Billing › Exports"].ID}}, mc)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "already has a tag of this name")
		wantStatus(t, e.Post("/tags/"+tags["Billing › Charts › Filters"].ID+"/merge", url.Values{"into": {"Billing › Exports › Filters"}}, mc), http.StatusSeeOther)
		wantStatus(t, e.Post("/tags/"+tags["Admin"].ID+"/archive", url.Values{"archived": {"1"}}, mc), http.StatusSeeOther)
		r = e.Get("/tags/search?q=admin", vc)
		if strings.Contains(r.Text, "Admin") {
			t.Errorf("archived tag in search: %s", r.Text)
		}
		all, err := e.s.ListTags(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]store.Tag{}
		for _, tg := range all {
			names[tg.ID] = tg
		}
		if names[tables.ID].ParentID != tags["Reporting"].ID || names[tables.ID].Name != "Grids" || !names[tags["Admin"].ID].Archived {
			t.Errorf("tags after actions: %+v", names[tables.ID])
		}
		if _, ok := names[tags["Billing › Charts › Filters"].ID]; ok {
			t.Error("merged tag still there")
		}
	})
}

func TestFeedbackListAndBulk(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("mia@example.com", auth.RoleMember)
		tags := e.taxonomy()
		acme := e.accountMRR("Acme", "strategic", 200000)
		var ids []string
		for i, txt := range []string{"alpha one", "beta two", "gamma three"} {
			ids = append(ids, e.feedbackAt(txt, acme.ID, 5-i).ID)
		}
		r := e.Get("/feedback", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "alpha one", "gamma three", `name="ids"`)
		r = e.Get("/feedback?q=beta", c)
		wantIn(t, r, "beta two")
		wantNotIn(t, r, "alpha one")

		back := "/feedback?status=new"
		r = e.Post("/feedback/bulk", url.Values{"action": {"tag"}, "back": {back}, "tag": {"formu"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Tick at least one item")
		r = e.Post("/feedback/bulk", url.Values{"action": {"tag"}, "back": {back}, "ids": ids[:2], "tag": {"formu"}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != back {
			t.Errorf("bulk returned to %q", loc)
		}
		for _, id := range ids[:2] {
			if got := mustItem(t, e.s, id); len(got.TagIDs) != 1 || got.Status != feedback.Triaged {
				t.Errorf("bulk tag: %+v", got)
			}
		}
		r = e.Get("/feedback?tag_id="+tags["Editor"].ID, c)
		wantIn(t, r, "alpha one", "beta two", "Editor › Tables › Formulas")
		wantNotIn(t, r, "gamma three")

		rq := e.request("Greek letters")
		wantStatus(t, e.Post("/feedback/bulk", url.Values{"action": {"link"}, "ids": ids, "request_id": {rq.ID}}, c), http.StatusSeeOther)
		wantStatus(t, e.Post("/feedback/bulk", url.Values{"action": {"archive"}, "ids": ids[2:]}, c), http.StatusSeeOther)
		if got := mustItem(t, e.s, ids[2]); got.Status != feedback.Archived || len(got.RequestIDs) != 1 {
			t.Errorf("bulk link/archive: %+v", got)
		}
		if n, _ := e.s.CountFeedback(e.ctx, feedback.New); n != 0 {
			t.Errorf("%d still new", n)
		}
	})
}

// TestVoCUserDataIsEscaped puts script and attribute-breaking payloads in feedback,
// requests, tags and accounts and checks every voice-of-the-customer page shows them
// as text.
func TestVoCUserDataIsEscaped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m, c := e.signedInMember("mia@example.com", auth.RoleAdmin)
		payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}
		var reqIDs []string
		for i, p := range payloads {
			acc := e.accountMRR(p, "strategic", 100000)
			tg := e.tag(p, "")
			it, _, err := e.s.Capture(e.ctx, feedback.Capture{Text: p + " text", Quote: p, Source: feedback.SourceWeb, AccountID: acc.ID,
				Email: []string{"a@x.example", "b@x.example"}[i], Name: p})
			if err != nil {
				t.Fatal(err)
			}
			rq := feedback.Request{Title: p, Description: p, Status: feedback.Planned, Quarter: "2026-Q2", ReleaseNote: p}
			storetest.Must(t, e.s.CreateRequest(e.ctx, &rq))
			reqIDs = append(reqIDs, rq.ID)
			storetest.Must(t, e.s.LinkFeedback(e.ctx, rq.ID, it.ID, m.ID))
			storetest.Must(t, e.s.TagFeedback(e.ctx, it.ID, tg.ID, m.ID))
			it2, _, err := e.s.Capture(e.ctx, feedback.Capture{Text: p, Source: feedback.SourceWeb, AccountID: acc.ID})
			if err != nil {
				t.Fatal(err)
			}
			_ = it2
		}
		pages := []string{"/feedback/inbox", "/feedback", "/feedback?q=" + url.QueryEscape(payloads[1]), "/requests", "/roadmap",
			"/roadmap?view=quarter", "/tags", "/tags?q=" + url.QueryEscape(payloads[0])}
		for _, id := range reqIDs {
			pages = append(pages, "/requests/"+id)
		}
		for _, p := range pages {
			r := e.Get(p, c)
			wantStatus(t, r, http.StatusOK)
			wantNotIn(t, r, "<script>alert", "<img src=x")
			if !strings.Contains(r.Text, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(r.Text, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
				t.Errorf("%s: no escaped payload on the page", p)
			}
		}
		// Error re-renders echo typed text escaped too.
		items, _, err := e.s.ListFeedback(e.ctx, store.FeedbackFilter{Status: feedback.New})
		if err != nil {
			t.Fatal(err)
		}
		r := e.Post("/feedback/"+items[0].ID+"/tag", url.Values{"tag": {payloads[1] + "zz"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantNotIn(t, r, "<img src=x")
		r = e.Post("/feedback", url.Values{"text": {""}, "quote": {payloads[1]}}, c)
		wantNotIn(t, r, "<img src=x")
		// JSON type-ahead answers are JSON, never HTML.
		r = e.Get("/tags/search?q=img", c)
		if ct := r.Header().Get("Content-Type"); ct != "application/json" || strings.Contains(r.Text, "<img") {
			t.Errorf("tag search %q %s", ct, r.Text)
		}
	})
}

// TestVoCPagesFitTheCSP runs the CSP checks of TestPagesFitTheCSP over the new pages.
func TestVoCPagesFitTheCSP(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	e := newEnvSuggest(t, s, fakeSuggester{})
	admin, c := e.signedInMember("root@example.com", auth.RoleAdmin)
	tags := e.taxonomy()
	acme := e.accountMRR("Acme", "strategic", 100000)
	it := e.feedbackAt("Something", acme.ID, 1)
	rq := e.request("A request")
	if err := s.LinkFeedback(e.ctx, rq.ID, e.feedbackAt("Linked", acme.ID, 3).ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/feedback/inbox", "/feedback", "/feedback/new", "/requests", "/requests/" + rq.ID, "/roadmap",
		"/roadmap?view=quarter", "/tags", "/tags/" + tags["Editor › Tables"].ID, "/settings/ranking", "/accounts/" + acme.ID} {
		r := e.Get(p, c)
		wantStatus(t, r, http.StatusOK)
		checkCSP(t, p, r.Text)
	}
	r := e.Post("/feedback/"+it.ID+"/tag", url.Values{"tag": {"filt"}}, c)
	checkCSP(t, "tag choices", r.Text)
}

func checkCSP(t *testing.T, page, body string) {
	t.Helper()
	for _, tag := range inlineScriptRE.FindAllString(body, -1) {
		if !strings.Contains(tag, ` src="/static/`) {
			t.Errorf("%s: inline script %s", page, tag)
		}
	}
	for name, re := range map[string]*regexp.Regexp{"style attribute": styleAttrRE, "event handler": handlerAttrRE,
		"external asset": externalRefsRE, "style element": styleElementRE, "javascript: URL": javascriptURLRE} {
		if m := re.FindString(body); m != "" {
			t.Errorf("%s: %s %q", page, name, m)
		}
	}
}
