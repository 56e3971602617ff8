package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	accountpkg "github.com/closeloop/closeloop/internal/account"
)

// rankFixture builds, on a fixed clock, four accounts and four requests whose figures
// all differ, so that every sort has something to order and ties cannot make the
// golden file flaky.
//
//	acct  MRR     notes
//	big   $900    CAB, renews in 20 days
//	mid   $400
//	small $100
//	gone  $300    churned
//
//	request   evidence                                        strategic
//	Audit log big (2 people), mid — 40 days ago                  2
//	SSO       small, gone, mid — this week; small again by vote  9
//	Dark mode small — this week                                 0
//	Webhooks  (none; only a strategic score)                    5
func rankFixture(t *testing.T, e *env) (now time.Time, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	tick := now
	// A clock that moves a millisecond per read keeps ids in creation order.
	e.s.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Millisecond)
		if tick.After(now.Add(time.Minute)) {
			tick = now
		}
		return tick
	}
	ids = map[string]string{}
	acct := func(ext string, mrr int64, cab bool) string {
		a := e.newAccount(map[string]any{"external_id": ext, "name": ext, "domain": ext + ".com", "cab": cab,
			"mrr": mrr, "currency": "USD", "mrr_effective_at": "2025-01-01T00:00:00Z"})
		ids[ext] = a.ID
		return a.ID
	}
	big := acct("big", 90000, true)
	acct("mid", 40000, false)
	acct("small", 10000, false)
	gone := acct("gone", 30000, false)
	if _, _, err := e.s.SetMRR(ctx, gone, 0, "USD", now.AddDate(0, 0, -20), "cancelled"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SaveContract(ctx, &accountpkg.Contract{AccountID: big, StartDate: now.AddDate(-1, 0, 20).Format("2006-01-02"), TermMonths: 12}); err != nil {
		t.Fatal(err)
	}
	req := func(title string, score int) string {
		var r request
		e.call(e.rw, "POST", "/api/v1/requests", map[string]any{"title": title, "strategic_score": score}, 201, &r)
		ids[title] = r.ID
		return r.ID
	}
	audit, sso, dark := req("Audit log", 2), req("SSO", 9), req("Dark mode", 0)
	req("Webhooks", 5)
	var editor, tables tag
	e.call(e.rw, "POST", "/api/v1/tags", `{"name": "Security"}`, 201, &editor)
	e.call(e.rw, "POST", "/api/v1/tags", map[string]string{"name": "Login", "parent_id": editor.ID}, 201, &tables)
	ids["Security"], ids["Login"] = editor.ID, tables.ID
	say := func(email, reqID string, daysAgo int, tags ...string) {
		if tags == nil {
			tags = []string{}
		}
		e.call(e.rw, "POST", "/api/v1/feedback", map[string]any{"text": "we need this", "email": email, "request_ids": []string{reqID},
			"tag_ids": tags, "occurred_at": now.AddDate(0, 0, -daysAgo).Format(time.RFC3339), "kind": "feature_request"}, 201, nil)
	}
	say("ann@big.com", audit, 40, editor.ID)
	say("bob@big.com", audit, 40)
	say("cy@mid.com", audit, 40)
	say("di@small.com", sso, 3, tables.ID)
	say("ed@gone.com", sso, 4, tables.ID)
	say("fi@mid.com", sso, 5)
	say("di@small.com", dark, 2)
	var p person
	e.call(e.rw, "POST", "/api/v1/people", map[string]any{"email": "gu@small.com", "account_id": ids["small"]}, 201, &p)
	e.call(e.rw, "POST", "/api/v1/requests/"+sso+"/votes", map[string]string{"person_id": p.ID}, 201, nil)
	return now, ids
}

func TestRankingsSortByEachFigure(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, ids := rankFixture(t, e)
		figure := map[string]string{"priority": "priority", "accounts": "accounts", "people": "people", "mrr": "mrr",
			"churned_mrr": "churned_mrr", "at_risk_mrr": "at_risk_mrr", "trend": "trend", "strategic_score": "strategic_score", "evidence": "evidence"}
		for sort, field := range figure {
			for _, order := range []string{"", "desc", "asc"} {
				q := "?sort=" + sort
				if order != "" {
					q += "&order=" + order
				}
				rr, body := e.requestRanking(q)
				if len(rr.Items) != 4 {
					t.Fatalf("%s: %d items: %s", q, len(rr.Items), body)
				}
				var vals []float64
				for _, it := range rr.Items {
					var v float64
					if err := json.Unmarshal(it.Rank[field], &v); err != nil {
						t.Fatalf("%s: figure %s missing: %s", q, field, body)
					}
					vals = append(vals, v)
				}
				distinct := false
				for i := 1; i < len(vals); i++ {
					if order == "asc" && vals[i] < vals[i-1] || order != "asc" && vals[i] > vals[i-1] {
						t.Fatalf("%s: not sorted: %v", q, vals)
					}
					distinct = distinct || vals[i] != vals[i-1]
				}
				if !distinct {
					t.Errorf("%s: every request has the same %s (%v): the fixture proves nothing", q, field, vals)
				}
			}
		}
		// Spot checks of the figures themselves.
		rr, body := e.requestRanking("?sort=mrr")
		top := rr.Items[0]
		if top.Request.Title != "Audit log" || string(top.Rank["mrr"]) != "130000" || string(top.Rank["at_risk_mrr"]) != "90000" || string(top.Rank["people"]) != "3" {
			t.Fatalf("mrr top: %s", body)
		}
		rr, body = e.requestRanking("?sort=churned_mrr")
		if rr.Items[0].Request.Title != "SSO" || string(rr.Items[0].Rank["churned_mrr"]) != "30000" || string(rr.Items[0].Rank["accounts"]) != "3" {
			t.Fatalf("churned top: %s", body)
		}
		// Filters reach the store: only the last 30 days, only the mid-market plan...
		rr, body = e.requestRanking("?from=2025-05-15&limit=2")
		if len(rr.Items) != 2 {
			t.Fatalf("limit: %s", body)
		}
		for _, it := range rr.Items {
			if it.Request.Title == "Audit log" {
				t.Fatalf("from filter kept 40-day-old evidence: %s", body)
			}
		}
		rr, _ = e.requestRanking("?kind=bug")
		for _, it := range rr.Items {
			if string(it.Rank["evidence"]) != "0" {
				t.Fatalf("kind=bug counted %s", it.Rank["evidence"])
			}
		}
		e.fails(e.read, "GET", "/api/v1/rankings/requests?sort=votes", nil, 400, "sort")
		e.fails(e.read, "GET", "/api/v1/rankings/requests?order=up", nil, 400, "order")
		e.fails(e.read, "GET", "/api/v1/rankings/requests?tier=gold", nil, 400, "tier")
		e.fails(e.read, "GET", "/api/v1/rankings/requests?from=2025-06-01&to=2025-05-01", nil, 400, "to")
		e.fails(e.read, "GET", "/api/v1/rankings/requests?from=june", nil, 400, "from")
		e.call(e.write, "GET", "/api/v1/rankings/requests", nil, 403, nil)

		// Tags roll up their descendants: Security counts Login's items.
		var tr struct {
			Items []struct {
				Tag  tag                        `json:"tag"`
				Rank map[string]json.RawMessage `json:"rank"`
			} `json:"items"`
			Weights map[string]float64 `json:"weights"`
		}
		for _, sort := range []string{"priority", "accounts", "people", "mrr", "churned_mrr", "at_risk_mrr", "trend", "strategic_score", "evidence"} {
			e.call(e.read, "GET", "/api/v1/rankings/tags?sort="+sort+"&order=asc", nil, 200, &tr)
			if len(tr.Items) != 2 {
				t.Fatalf("tags by %s: %+v", sort, tr.Items)
			}
			a, b := rankFigure(tr.Items[0].Rank[sort]), rankFigure(tr.Items[1].Rank[sort])
			if a > b {
				t.Fatalf("tags by %s asc: %v > %v", sort, a, b)
			}
		}
		e.call(e.read, "GET", "/api/v1/rankings/tags?sort=accounts", nil, 200, &tr)
		if tr.Items[0].Tag.ID != ids["Security"] || tr.Items[0].Tag.Path != "Security" || string(tr.Items[0].Rank["accounts"]) != "3" ||
			tr.Items[1].Tag.Path != "Security › Login" || tr.Weights["strategic"] != 0 {
			t.Fatalf("tag ranking: %+v", tr)
		}
	})
}

func rankFigure(raw json.RawMessage) float64 {
	var v float64
	json.Unmarshal(raw, &v)
	return v
}

func TestGoldenRanking(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		rankFixture(t, e)
		_, body := e.requestRanking("")
		golden(t, "ranking_requests.json", body)
	})
}

func TestRankSettings(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var s struct {
			Weights           map[string]float64 `json:"weights"`
			CABWeight         float64            `json:"cab_weight"`
			RenewalWindowDays int                `json:"renewal_window_days"`
			Currency          string             `json:"currency"`
			Rates             map[string]float64 `json:"rates"`
		}
		e.call(e.read, "GET", "/api/v1/settings/ranking", nil, 200, &s)
		if s.Weights["mrr"] != 0.30 || s.CABWeight != 2 || s.RenewalWindowDays != 90 || s.Currency != "USD" || s.Rates == nil {
			t.Fatalf("defaults %+v", s)
		}
		// Only admin may change what everyone sees as most important.
		e.call(e.rw, "PUT", "/api/v1/settings/ranking", `{"cab_weight": 3}`, 403, nil)
		e.call(e.admin, "PUT", "/api/v1/settings/ranking", `{"weights": {"mrr": 0.5}, "currency": "eur", "rates": {"usd": 0.9, "GBP": 1.17}, "renewal_window_days": 60}`, 200, &s)
		if s.Weights["mrr"] != 0.5 || s.Weights["accounts"] != 0.25 || s.Currency != "EUR" || s.Rates["USD"] != 0.9 || s.RenewalWindowDays != 60 || s.CABWeight != 2 {
			t.Fatalf("put %+v", s)
		}
		var rr requestRanking
		e.call(e.read, "GET", "/api/v1/rankings/requests", nil, 200, &rr)
		if rr.Weights["mrr"] != 0.5 || rr.Currency != "EUR" {
			t.Fatalf("ranking does not report the weights in use: %+v", rr)
		}
		bad := []struct{ body, field string }{
			{`{"weights": {"mrr": -1}}`, "weights.mrr"},
			{`{"weights": {"accounts": 0, "mrr": 0, "churned_mrr": 0, "at_risk_mrr": 0, "trend": 0, "strategic": 0}}`, "weights"},
			{`{"weights": {"reach": 1}}`, "weights.reach"},
			{`{"weights": {"mrr": "high"}}`, "weights.mrr"},
			{`{"cab_weight": 0.5}`, "cab_weight"},
			{`{"renewal_window_days": 0}`, "renewal_window_days"},
			{`{"renewal_window_days": 366}`, "renewal_window_days"},
			{`{"renewal_window_days": 1.5}`, "renewal_window_days"},
			{`{"currency": "EURO"}`, "currency"},
			{`{"currency": "E1R"}`, "currency"},
			{`{"rates": {"GBP": 0}}`, "rates.GBP"},
			{`{"rates": {"GBP": -2}}`, "rates.GBP"},
			{`{"rates": {"GBP": 1e7}}`, "rates.GBP"},
			{`{"rates": {"GBP": 1e-7}}`, "rates.GBP"},
			{`{"rates": {"POUND": 1}}`, "rates.POUND"},
			{`{"rates": {"gbp": 1, "GBP": 1}}`, "rates.gbp"},
			{`{"rates": null}`, "rates"},
			{`{"colour": 1}`, "colour"},
		}
		for _, b := range bad {
			ae := e.fails(e.admin, "PUT", "/api/v1/settings/ranking", b.body, 400, b.field)
			if ae.Error == "" {
				t.Errorf("%s: no message", b.body)
			}
		}
		// Refusals changed nothing.
		e.call(e.read, "GET", "/api/v1/settings/ranking", nil, 200, &s)
		if s.Weights["mrr"] != 0.5 || s.Currency != "EUR" || len(s.Rates) != 2 || s.RenewalWindowDays != 60 {
			t.Fatalf("after refusals %+v", s)
		}
		// rates replaces the whole table.
		s.Rates = nil // json.Unmarshal merges into a map it is given
		e.call(e.admin, "PUT", "/api/v1/settings/ranking", `{"rates": {}}`, 200, &s)
		if len(s.Rates) != 0 {
			t.Fatalf("rates not replaced: %v", s.Rates)
		}
		e.fails(e.read, "GET", "/api/v1/settings/ranking?x=1", nil, 400, "x")
	})
}

// last_days ranks the evidence of the last N days: the fixture's audit-log evidence is
// 40 days old, so it counts over 90 days and not over 30; bad values name the field.
func TestRankingsLastDays(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		rankFixture(t, e)
		accounts := func(q string) map[string]string {
			rr, _ := e.requestRanking(q)
			out := map[string]string{}
			for _, it := range rr.Items {
				out[it.Request.Title] = string(it.Rank["accounts"])
			}
			return out
		}
		for _, tc := range []struct {
			q          string
			audit, sso string
		}{
			{"", "2", "3"},
			{"?last_days=30", "0", "3"},
			{"?last_days=90", "2", "3"},
			{"?last_days=90&tier=nonesuch", "", ""}, // refused below
		} {
			if tc.audit == "" {
				continue
			}
			got := accounts(tc.q)
			if got["Audit log"] != tc.audit || got["SSO"] != tc.sso {
				t.Errorf("%s: audit log %s accounts (want %s), SSO %s (want %s)", tc.q, got["Audit log"], tc.audit, got["SSO"], tc.sso)
			}
		}
		for _, q := range []string{"?last_days=0", "?last_days=abc", "?last_days=30&from=2025-01-01"} {
			r := e.call(e.read, "GET", "/api/v1/rankings/requests"+q, nil, 400, nil)
			if !strings.Contains(string(r.Body), "last_days") {
				t.Errorf("%s: error does not name last_days: %s", q, r.Body)
			}
		}
	})
}
