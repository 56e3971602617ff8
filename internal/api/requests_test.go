package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

func TestTags(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var editor, tables, formulas, reporting tag
		e.call(e.rw, "POST", "/api/v1/tags", `{"name": " Editor ", "description": "Everything typed"}`, 201, &editor)
		e.call(e.rw, "POST", "/api/v1/tags", map[string]string{"name": "Tables", "parent_id": editor.ID}, 201, &tables)
		e.call(e.rw, "POST", "/api/v1/tags", map[string]string{"name": "Formulas", "parent_id": tables.ID}, 201, &formulas)
		e.call(e.rw, "POST", "/api/v1/tags", `{"name": "Reporting"}`, 201, &reporting)
		e.fails(e.rw, "POST", "/api/v1/tags", map[string]string{"name": "tables", "parent_id": editor.ID}, 400, "name", "already")
		e.fails(e.rw, "POST", "/api/v1/tags", `{"name": "A › B"}`, 400, "name")
		e.fails(e.rw, "POST", "/api/v1/tags", `{}`, 400, "name", "required")
		e.fails(e.rw, "POST", "/api/v1/tags", `{"name": "X", "parent_id": "ghost"}`, 400, "parent_id")

		var list page[tag]
		e.call(e.read, "GET", "/api/v1/tags", nil, 200, &list)
		paths := map[string]string{}
		for _, tg := range list.Items {
			paths[tg.ID] = tg.Path
		}
		if len(list.Items) != 4 || paths[formulas.ID] != "Editor › Tables › Formulas" || paths[editor.ID] != "Editor" {
			t.Fatalf("tags %+v", list.Items)
		}

		// Move Tables (with Formulas) under Reporting, renamed, in one PATCH.
		var moved tag
		e.call(e.rw, "PATCH", "/api/v1/tags/"+tables.ID, map[string]string{"parent_id": reporting.ID, "name": "Grids"}, 200, &moved)
		if moved.Path != "Reporting › Grids" || moved.ParentID != reporting.ID {
			t.Fatalf("moved %+v", moved)
		}
		e.call(e.read, "GET", "/api/v1/tags", nil, 200, &list)
		for _, tg := range list.Items {
			if tg.ID == formulas.ID && tg.Path != "Reporting › Grids › Formulas" {
				t.Fatalf("descendant path %q", tg.Path)
			}
		}
		e.fails(e.rw, "PATCH", "/api/v1/tags/"+reporting.ID, map[string]string{"parent_id": formulas.ID}, 400, "parent_id", "descendants")
		e.fails(e.rw, "PATCH", "/api/v1/tags/"+tables.ID, map[string]string{"parent_id": "ghost"}, 400, "parent_id")
		e.fails(e.rw, "PATCH", "/api/v1/tags/ghost", `{"archived": true}`, 404, "", "tag not found")
		e.call(e.rw, "PATCH", "/api/v1/tags/"+tables.ID, `{"parent_id": null, "archived": true}`, 200, &moved)
		if moved.Path != "Grids" || moved.ParentID != "" || !moved.Archived || moved.Name != "Grids" {
			t.Fatalf("to root %+v", moved)
		}

		// Merge Grids into Editor: its feedback and children follow, it disappears.
		var it fbItem
		e.call(e.rw, "POST", "/api/v1/feedback", map[string]any{"text": "grid", "tag_ids": []string{tables.ID}}, 201, &it)
		e.fails(e.rw, "POST", "/api/v1/tags/"+tables.ID+"/merge", map[string]string{"into": formulas.ID}, 400, "into", "descendant")
		e.fails(e.rw, "POST", "/api/v1/tags/"+tables.ID+"/merge", map[string]string{"into": "ghost"}, 400, "into")
		e.fails(e.rw, "POST", "/api/v1/tags/ghost/merge", map[string]string{"into": editor.ID}, 404, "")
		var into tag
		e.call(e.rw, "POST", "/api/v1/tags/"+tables.ID+"/merge", map[string]string{"into": editor.ID}, 200, &into)
		if into.ID != editor.ID {
			t.Fatalf("merge answered %+v", into)
		}
		e.call(e.read, "GET", "/api/v1/feedback/"+it.ID, nil, 200, &it)
		if len(it.TagIDs) != 1 || it.TagIDs[0] != editor.ID {
			t.Fatalf("item tags after merge %v", it.TagIDs)
		}
		e.call(e.read, "GET", "/api/v1/tags", nil, 200, &list)
		if len(list.Items) != 3 {
			t.Fatalf("after merge %+v", list.Items)
		}
		e.call(e.read, "POST", "/api/v1/tags", `{"name": "Nope"}`, 403, nil)
	})
}

// requestRanking is GET /rankings/requests as the tests read it.
type requestRanking struct {
	Items []struct {
		Request request                    `json:"request"`
		Rank    map[string]json.RawMessage `json:"rank"`
	} `json:"items"`
	Weights  map[string]float64 `json:"weights"`
	Currency string             `json:"currency"`
}

func (e *env) requestRanking(query string) (requestRanking, []byte) {
	e.t.Helper()
	var rr requestRanking
	r := e.call(e.read, "GET", "/api/v1/rankings/requests"+query, nil, 200, &rr)
	return rr, r.Body
}

func TestRequestsMergeUnmergeAndVotes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var a, b account
		e.call(e.rw, "POST", "/api/v1/accounts", `{"external_id": "a", "name": "A", "domain": "a.com", "mrr": 10000, "currency": "USD"}`, 201, &a)
		e.call(e.rw, "POST", "/api/v1/accounts", `{"external_id": "b", "name": "B", "domain": "b.com", "mrr": 50000, "currency": "USD"}`, 201, &b)
		var sso, saml request
		e.call(e.rw, "POST", "/api/v1/requests", `{"title": "SSO", "strategic_score": 3}`, 201, &sso)
		e.call(e.rw, "POST", "/api/v1/requests", `{"title": "SAML login", "public": false}`, 201, &saml)
		if !sso.Public || saml.Public || sso.Status != "open" || sso.ShippedAt != nil {
			t.Fatalf("created %+v %+v", sso, saml)
		}
		e.fails(e.rw, "POST", "/api/v1/requests", `{"title": ""}`, 400, "title")
		e.fails(e.rw, "POST", "/api/v1/requests", `{"title": "x", "strategic_score": 11}`, 400, "strategic_score")
		e.fails(e.rw, "POST", "/api/v1/requests", `{"title": "x", "quarter": "soon"}`, 400, "quarter")
		e.fails(e.rw, "POST", "/api/v1/requests", `{"title": "x", "status": "maybe"}`, 400, "status")

		e.call(e.rw, "POST", "/api/v1/feedback", map[string]any{"text": "need SSO", "email": "ann@a.com", "request_ids": []string{sso.ID}}, 201, nil)
		var bo person
		e.call(e.rw, "POST", "/api/v1/people", map[string]any{"email": "bo@b.com", "account_id": b.ID}, 201, &bo)
		var vote map[string]any
		e.call(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/votes", map[string]string{"person_id": bo.ID}, 201, &vote)
		if vote["account_id"] != b.ID || vote["source"] != "team" {
			t.Fatalf("vote %v", vote)
		}
		e.call(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/votes", map[string]string{"person_id": bo.ID}, 200, nil)
		e.fails(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/votes", `{"person_id": "ghost"}`, 400, "person_id")
		e.fails(e.rw, "POST", "/api/v1/requests/ghost/votes", map[string]string{"person_id": bo.ID}, 404, "")

		before, beforeBody := e.requestRanking("")
		if len(before.Items) != 2 || before.Items[0].Request.ID != saml.ID {
			t.Fatalf("before merge: %s", beforeBody)
		}

		var merged request
		e.call(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/merge", map[string]string{"into": sso.ID}, 200, &merged)
		if merged.MergedInto != sso.ID {
			t.Fatalf("merged %+v", merged)
		}
		after, body := e.requestRanking("")
		if len(after.Items) != 1 || after.Items[0].Request.ID != sso.ID || string(after.Items[0].Rank["accounts"]) != "2" || string(after.Items[0].Rank["mrr"]) != "60000" {
			t.Fatalf("after merge: %s", body)
		}
		var list page[request]
		e.call(e.read, "GET", "/api/v1/requests", nil, 200, &list)
		if len(list.Items) != 1 {
			t.Fatalf("list hides merged: %+v", list.Items)
		}
		e.call(e.read, "GET", "/api/v1/requests?include_merged=true", nil, 200, &list)
		if len(list.Items) != 2 {
			t.Fatalf("include_merged: %+v", list.Items)
		}
		e.fails(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/merge", map[string]string{"into": sso.ID}, 409, "into")
		e.fails(e.rw, "POST", "/api/v1/requests/"+sso.ID+"/merge", map[string]string{"into": saml.ID}, 409, "into")
		e.fails(e.rw, "POST", "/api/v1/requests/"+sso.ID+"/merge", map[string]string{"into": "ghost"}, 400, "into")
		e.fails(e.rw, "POST", "/api/v1/requests/ghost/merge", map[string]string{"into": sso.ID}, 404, "")

		e.call(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/unmerge", nil, 200, &merged)
		if merged.MergedInto != "" {
			t.Fatalf("unmerged %+v", merged)
		}
		e.fails(e.rw, "POST", "/api/v1/requests/"+saml.ID+"/unmerge", nil, 409, "")
		// Unmerge restores the ranking exactly: same order, same figures.
		restored, restoredBody := e.requestRanking("")
		if len(restored.Items) != len(before.Items) {
			t.Fatalf("ranking not restored:\nbefore %s\nafter  %s", beforeBody, restoredBody)
		}
		for i := range restored.Items {
			b, _ := json.Marshal(before.Items[i].Rank)
			r, _ := json.Marshal(restored.Items[i].Rank)
			if restored.Items[i].Request.ID != before.Items[i].Request.ID || string(b) != string(r) {
				t.Fatalf("ranking not restored:\nbefore %s\nafter  %s", beforeBody, restoredBody)
			}
		}

		// PATCH: fields left out stay; shipping stamps shipped_at.
		var got request
		e.call(e.rw, "PATCH", "/api/v1/requests/"+sso.ID, `{"status": "shipped"}`, 200, &got)
		if got.Status != "shipped" || got.ShippedAt == nil || got.Title != "SSO" || got.StrategicScore != 3 {
			t.Fatalf("patched %+v", got)
		}
		e.fails(e.rw, "PATCH", "/api/v1/requests/"+sso.ID, `{"title": null}`, 400, "title")
		e.fails(e.rw, "PATCH", "/api/v1/requests/ghost", `{"title": "x"}`, 404, "")
		e.call(e.read, "GET", "/api/v1/requests?status=shipped", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != sso.ID {
			t.Fatalf("status filter %+v", list.Items)
		}
		e.fails(e.read, "GET", "/api/v1/requests?status=done", nil, 400, "status")

		e.call(e.rw, "DELETE", "/api/v1/requests/"+saml.ID+"/votes/"+bo.ID, nil, 204, nil)
		rs, err := e.s.RankRequests(ctx, store.RankFilter{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.ID == saml.ID && r.Rank.Total != 0 {
				t.Fatalf("vote still counted: %+v", r.Rank)
			}
		}
		e.fails(e.rw, "DELETE", "/api/v1/requests/ghost/votes/"+bo.ID, nil, 404, "")
		e.call(e.read, "POST", "/api/v1/requests", `{"title": "x"}`, 403, nil)
	})
}
