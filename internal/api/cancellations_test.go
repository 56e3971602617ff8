package api_test

import (
	"strings"
	"testing"
)

// TestCancellationsAPI: an answer through the API lands with its feedback item and is
// listed newest first in pages; each bad input is a 400 naming its field; the option
// lists are the team's (admin) and bound what answers may say.
func TestCancellationsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.newAccount(`{"external_id": "h-1", "name": "Hooli", "domain": "hooli.com"}`)
		long := strings.Repeat("x", 5001)
		for _, c := range []struct {
			body  string
			field string
		}{
			{`{"reason": "too_expensive"}`, "account_id"},
			{`{"account_external_id": "nope", "reason": "too_expensive"}`, "account_external_id"},
			{`{"account_id": "` + a.ID + `"}`, "reason"},
			{`{"account_id": "` + a.ID + `", "reason": "bored"}`, "reason"},
			{`{"account_id": "` + a.ID + `", "reason": "other", "liked": ["features", "colours"]}`, "liked"},
			{`{"account_id": "` + a.ID + `", "reason": "other", "text": "` + long + `"}`, "text"},
			{`{"account_id": "` + a.ID + `", "reason": "other", "cancelled_at": "yesterday"}`, "cancelled_at"},
			{`{"account_id": "` + a.ID + `", "reason": "other", "cancelled_at": "2999-01-01T00:00:00Z"}`, "cancelled_at"},
			{`{"account_id": "` + a.ID + `", "reason": "other", "liked": "features"}`, "liked"},
			{`{"account_id": "` + a.ID + `", "reason": "other", "why": "x"}`, "why"},
		} {
			e.fails(e.rw, "POST", "/api/v1/cancellations", c.body, 400, c.field)
		}
		e.fails(e.rw, "POST", "/api/v1/cancellations/links", `{}`, 400, "account_id")
		e.fails(e.read, "POST", "/api/v1/cancellations", `{}`, 403, "")

		var first, second struct {
			ID         string   `json:"id"`
			AccountID  string   `json:"account_id"`
			Reason     string   `json:"reason"`
			Liked      []string `json:"liked"`
			FeedbackID string   `json:"feedback_id"`
			Channel    string   `json:"channel"`
		}
		e.call(e.rw, "POST", "/api/v1/cancellations", `{"account_external_id": "h-1", "email": "gavin@hooli.com", "reason": "switched_competitor",
			"liked": ["features"], "text": "Moving to Pied Piper", "cancelled_at": "2026-01-10T09:00:00Z"}`, 201, &first)
		if first.AccountID != a.ID || first.Reason != "switched_competitor" || len(first.Liked) != 1 || first.FeedbackID == "" || first.Channel != "api" {
			t.Fatalf("answer %+v", first)
		}
		var item struct {
			Kind, Source, Text string
			AccountID          string `json:"account_id"`
		}
		e.call(e.read, "GET", "/api/v1/feedback/"+first.FeedbackID, nil, 200, &item)
		if item.Kind != "churn_reason" || item.Source != "cancellation" || item.Text != "Moving to Pied Piper" || item.AccountID != a.ID {
			t.Errorf("feedback %+v", item)
		}
		e.call(e.rw, "POST", "/api/v1/cancellations", `{"account_id": "`+a.ID+`", "reason": "not_using", "cancelled_at": "2026-02-10T09:00:00Z"}`, 201, &second)

		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		e.call(e.read, "GET", "/api/v1/cancellations?limit=1", nil, 200, &page)
		if len(page.Items) != 1 || page.Items[0].ID != second.ID || page.Next == "" {
			t.Fatalf("page 1 %+v", page)
		}
		e.call(e.read, "GET", "/api/v1/cancellations?limit=1&cursor="+page.Next, nil, 200, &page)
		if len(page.Items) != 1 || page.Items[0].ID != first.ID || page.Next != "" {
			t.Fatalf("page 2 %+v", page)
		}
		e.fails(e.read, "GET", "/api/v1/cancellations?cursor=bogus", nil, 400, "cursor")

		// The lists: admins replace them; a bad list names itself; a removed reason is
		// no longer accepted.
		e.fails(e.admin, "PUT", "/api/v1/settings/cancellation", `{"reasons": [], "liked": [{"code": "a", "label": "A"}]}`, 400, "reasons")
		e.fails(e.admin, "PUT", "/api/v1/settings/cancellation", `{"reasons": [{"code": "Bad", "label": "x"}], "liked": [{"code": "a", "label": "A"}]}`, 400, "reasons")
		e.fails(e.rw, "PUT", "/api/v1/settings/cancellation", `{"reasons": [{"code": "price", "label": "Price"}], "liked": [{"code": "a", "label": "A"}]}`, 403, "")
		e.call(e.admin, "PUT", "/api/v1/settings/cancellation", `{"reasons": [{"code": "price", "label": "Price"}], "liked": [{"code": "a", "label": "A"}]}`, 200, nil)
		e.fails(e.rw, "POST", "/api/v1/cancellations", `{"account_id": "`+a.ID+`", "reason": "not_using"}`, 400, "reason")
		e.call(e.rw, "POST", "/api/v1/cancellations", `{"account_id": "`+a.ID+`", "reason": "price", "liked": ["a"]}`, 201, nil)

		e.fails(e.read, "GET", "/api/v1/metrics/churn-reasons?from=last-year", nil, 400, "from")
		e.fails(e.read, "GET", "/api/v1/metrics/churn-reasons?currency_mode=both", nil, 400, "currency_mode")
		var rep struct {
			Totals []struct {
				Reason        string `json:"reason"`
				Cancellations int    `json:"cancellations"`
			} `json:"totals"`
		}
		e.call(e.read, "GET", "/api/v1/metrics/churn-reasons?from=2026-01-01&to=2026-03-01", nil, 200, &rep)
		if len(rep.Totals) != 2 {
			t.Errorf("totals %+v", rep.Totals)
		}
	})
}
