package api_test

import (
	"context"
	"net/http"
	"testing"

	acct "github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/survey"
)

func TestSurveysAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		big := acct.Account{Name: "Big", Tier: "strategic", Domain: "big.com"}
		small := acct.Account{Name: "Small", Tier: "standard"}
		for _, a := range []*acct.Account{&big, &small} {
			if err := e.s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		var v survey.Survey
		e.call(e.rw, "POST", "/api/v1/surveys", map[string]any{"kind": "nps", "audience": map[string]any{"tiers": []string{"strategic"}}}, http.StatusCreated, &v)
		if v.Question != survey.DefaultQuestion(survey.NPS) || v.Active || len(v.Audience.Tiers) != 1 {
			t.Fatalf("created %+v", v)
		}
		e.fails(e.rw, "POST", "/api/v1/surveys", map[string]any{"kind": "stars"}, http.StatusBadRequest, "kind")
		e.fails(e.rw, "POST", "/api/v1/surveys", map[string]any{"name": "x"}, http.StatusBadRequest, "kind")
		e.fails(e.read, "POST", "/api/v1/surveys", map[string]any{"kind": "nps"}, http.StatusForbidden, "")
		e.fails(e.rw, "PATCH", "/api/v1/surveys/"+v.ID, map[string]any{"kind": "ces"}, http.StatusBadRequest, "kind")
		e.call(e.rw, "PATCH", "/api/v1/surveys/"+v.ID, map[string]any{"active": true, "question": "Recommend us?"}, http.StatusOK, &v)
		if !v.Active || v.Question != "Recommend us?" {
			t.Fatalf("patched %+v", v)
		}

		// Big: 10 (new person by email, attached by domain), 9, 3; Small: 7.
		path := "/api/v1/surveys/" + v.ID + "/responses"
		var first survey.Response
		e.call(e.rw, "POST", path, map[string]any{"score": 10, "email": "ann@big.com", "comment": "Love it", "responded_at": "2026-01-10T10:00:00Z"}, http.StatusCreated, &first)
		if first.AccountID != big.ID || first.Segment != survey.Promoter || first.FeedbackID == "" || !first.Final || first.Channel != "api" {
			t.Fatalf("response %+v", first)
		}
		e.call(e.rw, "POST", path, map[string]any{"score": 9, "account_id": big.ID, "responded_at": "2026-01-20T10:00:00Z"}, http.StatusCreated, nil)
		e.call(e.rw, "POST", path, map[string]any{"score": 3, "account_id": big.ID, "responded_at": "2026-03-02T10:00:00Z"}, http.StatusCreated, nil)
		e.call(e.rw, "POST", path, map[string]any{"score": 7, "account_id": small.ID, "responded_at": "2026-03-05T10:00:00Z"}, http.StatusCreated, nil)
		e.fails(e.rw, "POST", path, map[string]any{"score": 11, "account_id": big.ID}, http.StatusBadRequest, "score", "0–10")
		e.fails(e.rw, "POST", path, map[string]any{"account_id": big.ID}, http.StatusBadRequest, "score")
		e.fails(e.rw, "POST", path, map[string]any{"score": 5}, http.StatusBadRequest, "email")
		e.fails(e.rw, "POST", path, map[string]any{"score": 5, "account_id": "nope"}, http.StatusBadRequest, "account_id")
		e.fails(e.rw, "POST", path, map[string]any{"score": 5, "account_id": big.ID, "responded_at": "yesterday"}, http.StatusBadRequest, "responded_at")
		e.fails(e.rw, "POST", "/api/v1/surveys/nope/responses", map[string]any{"score": 5, "account_id": big.ID}, http.StatusNotFound, "")

		var got survey.Response
		e.call(e.read, "GET", path+"/"+first.ID, nil, http.StatusOK, &got)
		if got.Comment != "Love it" || got.PersonEmail != "ann@big.com" {
			t.Fatalf("get %+v", got)
		}
		var page struct {
			Items      []survey.Response `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		e.call(e.read, "GET", path+"?limit=3", nil, http.StatusOK, &page)
		if len(page.Items) != 3 || page.Items[0].Score != 7 || page.NextCursor == "" {
			t.Fatalf("page 1 %+v", page)
		}
		e.call(e.read, "GET", path+"?limit=3&cursor="+page.NextCursor, nil, http.StatusOK, &page)
		if len(page.Items) != 1 || page.Items[0].ID != first.ID || page.NextCursor != "" {
			t.Fatalf("page 2 %+v", page)
		}
		e.fails(e.read, "GET", path+"?cursor=garbage", nil, http.StatusBadRequest, "cursor")

		// Results, by hand: 10, 9, 3, 7 → 2 promoters, 1 passive, 1 detractor:
		// 50% − 25% = +25. January: 10, 9 → +100. February: none. March: 3, 7 → −50.
		// Strategic (Big): 10, 9, 3 → 66.7% − 33.3% = 33.3. Standard (Small): 7 → 0.
		var res survey.Results
		e.call(e.read, "GET", "/api/v1/surveys/"+v.ID+"/results", nil, http.StatusOK, &res)
		o := res.Overall
		if o.Responses != 4 || o.Promoters != 2 || o.Passives != 1 || o.Detractors != 1 || o.Score != 25 {
			t.Fatalf("overall %+v", o)
		}
		if len(res.Monthly) != 3 || res.Monthly[0].Score != 100 || res.Monthly[1].Responses != 0 || res.Monthly[2].Score != -50 {
			t.Fatalf("monthly %+v", res.Monthly)
		}
		if len(res.ByTier) != 2 || res.ByTier[0].Key != "standard" || res.ByTier[0].Score != 0 || res.ByTier[1].Key != "strategic" || res.ByTier[1].Score != 33.3 {
			t.Fatalf("by tier %+v", res.ByTier)
		}
		if len(res.ByAccount) != 2 {
			t.Fatalf("by account %+v", res.ByAccount)
		}
		for _, g := range res.ByAccount {
			if g.Key == big.ID && (g.Label != "Big" || g.Score != 33.3) || g.Key == small.ID && g.Score != 0 {
				t.Fatalf("by account %+v", res.ByAccount)
			}
		}
		var list struct {
			Items []survey.Survey `json:"items"`
		}
		e.call(e.read, "GET", "/api/v1/surveys", nil, http.StatusOK, &list)
		if len(list.Items) != 1 {
			t.Fatalf("list %+v", list)
		}
	})
}
