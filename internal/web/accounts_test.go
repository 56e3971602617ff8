package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

var rowNameRE = regexp.MustCompile(`<td class="name"><a href="/accounts/[^"]+">([^<]*)</a>`)

// rowNames returns the account names of the list page, in order.
func rowNames(body string) []string {
	var out []string
	for _, m := range rowNameRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

var nextRE = regexp.MustCompile(`<a href="([^"]+)" rel="next" id="next-page">`)

func TestAccountsList(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ada, c := e.signedInMember("ada@example.com", auth.RoleViewer)

		r := e.Get("/accounts", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "No accounts yet", "closeloop import accounts FILE")

		at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		mk := func(name, tier, plan string, stage account.Stage, owner string, mrr int64, signup string) {
			a := e.account(account.Account{Name: name, Tier: tier, Plan: plan, Stage: stage, OwnerID: owner, SignupDate: signup})
			if mrr > 0 {
				if _, _, err := e.s.SetMRR(e.ctx, a.ID, mrr, "USD", at, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		mk("Acme", "strategic", "enterprise", account.Active, ada.ID, 500000, "2024-01-10")
		mk("Birch", "standard", "starter", account.Trial, "", 0, "2025-03-01")
		mk("Cobalt", "important", "pro", account.AtRisk, ada.ID, 120000, "2023-07-15")
		mk("Delta", "standard", "pro", account.Active, "", 9900, "2024-11-20")
		mk("Ember", "strategic", "enterprise", account.Churned, "", 0, "2022-02-02")

		r = e.Get("/accounts", c)
		wantStatus(t, r, http.StatusOK)
		if got := strings.Join(rowNames(r.Text), ","); got != "Acme,Birch,Cobalt,Delta,Ember" {
			t.Errorf("default order %s", got)
		}
		wantIn(t, r, "5 accounts", "$5,000", "$99", "Unowned", "at risk")

		for query, want := range map[string]string{
			"tier=strategic":                      "Acme,Ember",
			"stage=active":                        "Acme,Delta",
			"stage=at_risk":                       "Cobalt",
			"plan=pro":                            "Cobalt,Delta",
			"owner=unowned":                       "Birch,Delta,Ember",
			"owner=" + ada.ID:                     "Acme,Cobalt",
			"q=COB":                               "Cobalt",
			"tier=standard&plan=pro":              "Delta",
			"sort=mrr&dir=desc":                   "Acme,Cobalt,Delta,Ember,Birch", // ties: newest first
			"sort=name&dir=desc":                  "Ember,Delta,Cobalt,Birch,Acme",
			"sort=signup":                         "Ember,Cobalt,Acme,Delta,Birch",
			"sort=signup&dir=desc&tier=strategic": "Acme,Ember",
		} {
			r := e.Get("/accounts?"+query, c)
			wantStatus(t, r, http.StatusOK)
			if got := strings.Join(rowNames(r.Text), ","); got != want {
				t.Errorf("%s: got %s, want %s", query, got, want)
			}
		}

		r = e.Get("/accounts?q=nothing-like-this", c)
		wantIn(t, r, "No accounts match", `href="/accounts"`)

		// Column headers sort, flip direction on the current column, and keep filters.
		r = e.Get("/accounts?tier=strategic&sort=mrr&dir=desc", c)
		wantIn(t, r, `aria-sort="descending"><a href="/accounts?sort=mrr&amp;tier=strategic">MRR`,
			`<a href="/accounts?sort=renewal&amp;tier=strategic">Renewal`,
			`<option value="strategic" selected>`)

		// Pagination: two per page, the Next link keeps filters and sort.
		var seen []string
		next := "/accounts?sort=mrr&dir=desc&limit=2"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			r := e.Get(next, c)
			wantStatus(t, r, http.StatusOK)
			wantIn(t, r, "5 accounts")
			seen = append(seen, rowNames(r.Text)...)
			next = ""
			if m := nextRE.FindStringSubmatch(r.Text); m != nil {
				next = html.UnescapeString(m[1])
				if !strings.Contains(next, "sort=mrr") || !strings.Contains(next, "dir=desc") || !strings.Contains(next, "limit=2") {
					t.Errorf("next link %q drops the view", next)
				}
			}
		}
		if got := strings.Join(seen, ","); got != "Acme,Cobalt,Delta,Ember,Birch" {
			t.Errorf("paged %s", got)
		}

		r = e.Get("/accounts?cursor=garbage", c)
		wantStatus(t, r, http.StatusBadRequest)
		wantIn(t, r, "Cursor is not valid")

		r = e.Get("/", c)
		wantStatus(t, r, http.StatusSeeOther)
		if r.Header().Get("Location") != "/today" {
			t.Errorf("/ goes to %q", r.Header().Get("Location"))
		}
	})
}

// seedAccount makes an account with a contract, two people, MRR history and a touchpoint.
func seedAccount(t *testing.T, e *env, owner auth.Member) store.AccountRow {
	t.Helper()
	a := e.account(account.Account{ExternalID: "acme-1", Name: "Acme Robotics", Domain: "acme.example", Plan: "enterprise",
		Seats: 40, CompanySize: 250, Tier: "strategic", ICPFit: ptr(82), Stage: account.Active, OwnerID: owner.ID,
		SignupDate: "2025-01-15", Goal: "Cut onboarding time for new warehouse staff", CAB: true,
		Traits: []byte(`{"industry":"logistics","region":"EU"}`)})
	now := time.Now().UTC()
	for i, v := range []int64{100000, 150000, 120000, 180000} {
		if _, _, err := e.s.SetMRR(e.ctx, a.ID, v, "USD", now.AddDate(0, -8+2*i, 0), ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []account.Person{
		{AccountID: a.ID, Email: "grace@acme.example", Name: "Grace Hopper", Title: "VP Operations", Champion: true},
		{AccountID: a.ID, Email: "linus@acme.example", Name: "Linus T", Title: "IT lead"},
	} {
		storetest.Must(t, e.s.CreatePerson(e.ctx, &p))
	}
	start := now.AddDate(0, -10, 0).Format("2006-01-02")
	if err := e.s.SaveContract(e.ctx, &account.Contract{AccountID: a.ID, StartDate: start, TermMonths: 12, AutoRenew: true,
		CancellationWindow: 30, Value: 2160000, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	e.touchpoint(account.Touchpoint{AccountID: a.ID, MemberID: owner.ID, Kind: account.Call,
		OccurredAt: now.Add(-72 * time.Hour), Summary: "Quarterly review: happy with rollout"})
	row, err := e.s.GetAccount(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func TestAccountPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("ada@example.com", auth.RoleMember)
		a := seedAccount(t, e, m)
		r := e.Get("/accounts/"+a.ID, e.session(m))
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r,
			"Acme Robotics", "acme-1", "acme.example", "enterprise", "250 people", "82 / 100", "CAB",
			"Cut onboarding time", "industry", "logistics", "$1,800", // profile and MRR now
			"12 months", "Auto-renew", "30-day window", "Notice deadline", "$21,600", // contract
			"<svg", `class="chart-svg"`, "<path", "expansion", "contraction", "&#43;$500", "−$300", // chart and movements
			"Grace Hopper", "champion", "VP Operations", "mailto:grace@acme.example", // people
			"Quarterly review: happy with rollout", "3 days ago", "Log a touchpoint", `name="summary"`,
			`href="/accounts/`+a.ID+`/edit"`)
		r = e.Get("/accounts/does-not-exist", e.session(m))
		wantStatus(t, r, http.StatusNotFound)
		wantIn(t, r, "Page not found", "Account not found.")
	})
}

func TestTouchpointRoles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.member("mia@example.com", auth.RoleMember)
		viewer := e.member("vic@example.com", auth.RoleViewer)
		a := seedAccount(t, e, member)
		grace, err := e.s.GetPersonByEmail(e.ctx, "grace@acme.example")
		if err != nil {
			t.Fatal(err)
		}

		path := "/accounts/" + a.ID + "/touchpoints"
		form := url.Values{"kind": {"meeting"}, "direction": {"outbound"}, "person_id": {grace.ID},
			"occurred_at": {time.Now().UTC().Format("2006-01-02T15:04")}, "summary": {"Agreed on the Q3 rollout plan"}}

		vc := e.session(viewer)
		r := e.Post(path, form, vc)
		wantStatus(t, r, http.StatusForbidden)
		wantIn(t, r, "You don&#39;t have access to this", "needs the member role")
		page := e.Get("/accounts/"+a.ID, vc)
		wantNotIn(t, page, `id="log-touchpoint"`, "Edit account")

		mc := e.session(member)
		r = e.Post(path, form, mc)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header().Get("Location"); loc != "/accounts/"+a.ID+"#timeline" {
			t.Errorf("redirect %q", loc)
		}
		page = e.Get("/accounts/"+a.ID, mc)
		i := strings.Index(page.Text, `id="timeline-list"`)
		if i < 0 {
			t.Fatal("no timeline")
		}
		first := page.Text[i:]
		if j := strings.Index(first, "</li>"); j > 0 {
			first = first[:j]
		}
		for _, want := range []string{"Agreed on the Q3 rollout plan", "meeting", "outbound", "mia", "with Grace Hopper"} {
			if !strings.Contains(first, want) {
				t.Errorf("newest touchpoint lacks %q:\n%s", want, first)
			}
		}
		tps, _, err := e.s.ListTouchpoints(e.ctx, store.TouchpointFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(tps) != 2 || tps[0].MemberID != member.ID {
			t.Fatalf("stored touchpoints: %+v", tps)
		}
	})
}

func TestTouchpointValidation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("mia@example.com", auth.RoleMember)
		a := seedAccount(t, e, m)
		c := e.session(m)
		path := "/accounts/" + a.ID + "/touchpoints"
		typed := "Talked about <renewal> & \"pricing\""

		r := e.Post(path, url.Values{"kind": {"call"}, "occurred_at": {"2999-01-01T10:00"}, "summary": {typed}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "When is in the future.", `id="occurred_at-error"`, `aria-invalid="true" aria-describedby="occurred_at-error"`,
			html.EscapeString(typed), `value="2999-01-01T10:00"`, `<option value="call" selected>`, "was not saved")

		r = e.Post(path, url.Values{"kind": {"call"}, "summary": {"   "}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Summary is required.", `id="summary-error"`)

		r = e.Post(path, url.Values{"kind": {"carrier pigeon"}, "summary": {"hello"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `id="kind-error"`, "hello")

		r = e.Post(path, url.Values{"kind": {"call"}, "occurred_at": {"yesterday"}, "summary": {"keep me"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `id="occurred_at-error"`, "keep me")

		other := e.account(account.Account{Name: "Other"})
		stranger := account.Person{AccountID: other.ID, Email: "x@other.example"}
		storetest.Must(t, e.s.CreatePerson(e.ctx, &stranger))
		r = e.Post(path, url.Values{"kind": {"call"}, "person_id": {stranger.ID}, "summary": {"wrong person"}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, `id="person_id-error"`)

		r = e.Post("/accounts/nope/touchpoints", url.Values{"kind": {"call"}, "summary": {"x"}}, c)
		wantStatus(t, r, http.StatusNotFound)

		tps, _, err := e.s.ListTouchpoints(e.ctx, store.TouchpointFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(tps) != 1 {
			t.Fatalf("invalid posts stored touchpoints: %d", len(tps))
		}
	})
}

func TestTimelinePages(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	e := newEnv(t, s)
	m := e.member("mia@example.com", auth.RoleViewer)
	a := e.account(account.Account{Name: "Chatty"})
	now := time.Now().UTC()
	for i := range 25 {
		if err := s.CreateTouchpoint(e.ctx, &account.Touchpoint{AccountID: a.ID, Kind: account.Note,
			OccurredAt: now.Add(-time.Duration(i) * time.Hour), Summary: fmt.Sprintf("note number %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.session(m)
	r := e.Get("/accounts/"+a.ID, c)
	wantIn(t, r, "note number 00", "note number 19", "Older touchpoints")
	wantNotIn(t, r, "note number 20")
	older := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older`).FindStringSubmatch(r.Text)
	if older == nil {
		t.Fatal("no older link")
	}
	// Browsers never send the fragment; httptest would put it in the query.
	link, _, _ := strings.Cut(html.UnescapeString(older[1]), "#")
	r = e.Get(link, c)
	wantIn(t, r, "note number 20", "note number 24", "Newest")
	wantNotIn(t, r, "note number 19")
}

func TestAccountEdit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("mia@example.com", auth.RoleMember)
		other := e.member("oli@example.com", auth.RoleMember)
		viewer := e.member("vic@example.com", auth.RoleViewer)
		a := seedAccount(t, e, m)
		path := "/accounts/" + a.ID + "/edit"

		wantStatus(t, e.Get(path, e.session(viewer)), http.StatusForbidden)
		wantStatus(t, e.Post(path, url.Values{"name": {"x"}}, e.session(viewer)), http.StatusForbidden)

		c := e.session(m)
		r := e.Get(path, c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `value="Acme Robotics"`, `<option value="strategic" selected>`, `value="82"`, "logistics")

		form := url.Values{"name": {"Acme Robotics GmbH"}, "external_id": {"acme-1"}, "domain": {"not a domain"},
			"plan": {"enterprise"}, "seats": {"45"}, "company_size": {"250"}, "tier": {"important"}, "icp_fit": {"90"},
			"stage": {"at_risk"}, "owner_id": {other.ID}, "signup_date": {"2025-01-15"}, "goal": {"Faster onboarding"},
			"traits": {`{"industry":"logistics"}`}, "cab": {"on"}}
		r = e.Post(path, form, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Domain", "is not a domain name", `value="not a domain"`, `value="Acme Robotics GmbH"`, "Nothing was saved")

		form.Set("domain", "acme-robotics.example")
		form.Set("seats", "lots")
		r = e.Post(path, form, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Seats must be a whole number.", `value="lots"`)

		form.Set("seats", "45")
		form.Set("traits", "[1,2]")
		r = e.Post(path, form, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Traits must be a JSON object")

		form.Set("traits", `{"industry":"logistics"}`)
		r = e.Post(path, form, c)
		wantStatus(t, r, http.StatusSeeOther)
		got, err := e.s.GetAccount(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Acme Robotics GmbH" || got.Tier != "important" || got.OwnerID != other.ID || got.Stage != account.AtRisk ||
			got.Seats != 45 || *got.ICPFit != 90 || got.Domain != "acme-robotics.example" || !got.CAB {
			t.Errorf("saved %+v", got.Account)
		}
		if got.MRR != a.MRR {
			t.Errorf("editing the profile changed MRR: %d → %d", a.MRR, got.MRR)
		}
		page := e.Get("/accounts/"+a.ID, c)
		wantIn(t, page, "Acme Robotics GmbH", "oli")

		// Unticking CAB and clearing ICP fit are saved too.
		form.Del("cab")
		form.Set("icp_fit", "")
		wantStatus(t, e.Post(path, form, c), http.StatusSeeOther)
		got, _ = e.s.GetAccount(e.ctx, a.ID)
		if got.CAB || got.ICPFit != nil {
			t.Errorf("cab %v icp %v", got.CAB, got.ICPFit)
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.member("mia@example.com", auth.RoleAdmin)
		a := e.account(account.Account{Name: "Target"})
		c := e.session(m)
		form := url.Values{"kind": {"note"}, "summary": {"forged"}}
		r := e.Do("POST", "/accounts/"+a.ID+"/touchpoints", form, c, "Sec-Fetch-Site: cross-site")
		wantStatus(t, r, http.StatusForbidden)
		r = e.Do("POST", "/settings/api-keys", url.Values{"name": {"evil"}, "scope": {"admin"}}, c, "Origin: https://evil.example", "Sec-Fetch-Site: cross-site")
		wantStatus(t, r, http.StatusForbidden)
		tps, _, err := e.s.ListTouchpoints(e.ctx, store.TouchpointFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := e.s.ListAPIKeys(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tps) != 0 || len(keys) != 0 {
			t.Fatalf("cross-site POST took effect: %d touchpoints, %d keys", len(tps), len(keys))
		}
		// The same POST from our own pages goes through.
		r = e.Do("POST", "/accounts/"+a.ID+"/touchpoints", form, c, "Sec-Fetch-Site: same-origin")
		wantStatus(t, r, http.StatusSeeOther)
	})
}

func TestUserDataIsEscaped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}
		m := e.member("mia@example.com", auth.RoleAdmin)
		m.Name = `<b>Mallory</b>`
		storetest.Must(t, e.s.UpdateMember(e.ctx, &m))
		c := e.session(m)
		var ids []string
		for i, p := range payloads {
			a := e.account(account.Account{Name: p, Plan: p, Goal: p, OwnerID: m.ID, Traits: []byte(fmt.Sprintf(`{%q: %q}`, p, p))})
			ids = append(ids, a.ID)
			person := account.Person{AccountID: a.ID, Email: fmt.Sprintf("p%d@x.example", i), Name: p, Title: p}
			storetest.Must(t, e.s.CreatePerson(e.ctx, &person))
			e.touchpoint(account.Touchpoint{AccountID: a.ID, PersonID: person.ID, MemberID: m.ID, Kind: account.Note, Summary: p})
		}
		if _, _, err := e.s.CreateAPIKey(e.ctx, payloads[1], []auth.Scope{auth.ScopeRead}, m.ID); err != nil {
			t.Fatal(err)
		}
		pages := []string{"/accounts", "/accounts?q=" + url.QueryEscape(payloads[1]), "/accounts?plan=" + url.QueryEscape(payloads[0]),
			"/settings/team", "/settings/api-keys"}
		for _, id := range ids {
			pages = append(pages, "/accounts/"+id, "/accounts/"+id+"/edit")
		}
		for _, p := range pages {
			r := e.Get(p, c)
			wantStatus(t, r, http.StatusOK)
			wantNotIn(t, r, "<script>alert", "<img src=x", "<b>Mallory")
			if !strings.Contains(r.Text, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(r.Text, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") &&
				!strings.Contains(r.Text, "&lt;b&gt;Mallory") {
				t.Errorf("%s: no escaped payload on the page", p)
			}
		}
		// Validation errors echo typed text: escaped too.
		r := e.Post("/accounts/"+ids[0]+"/touchpoints", url.Values{"kind": {payloads[1]}, "summary": {payloads[0]}}, c)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantNotIn(t, r, "<script>alert", "<img src=x")
	})
}
