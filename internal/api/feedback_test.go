package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type fbItem struct {
	ID          string   `json:"id"`
	Text        string   `json:"text"`
	Quote       string   `json:"quote"`
	Source      string   `json:"source"`
	Kind        string   `json:"kind"`
	AccountID   string   `json:"account_id"`
	PersonID    string   `json:"person_id"`
	SubmittedBy string   `json:"submitted_by"`
	ExternalID  string   `json:"external_id"`
	Status      string   `json:"status"`
	OccurredAt  string   `json:"occurred_at"`
	TagIDs      []string `json:"tag_ids"`
	RequestIDs  []string `json:"request_ids"`
}

type tag struct {
	ID       string `json:"id"`
	ParentID string `json:"parent_id"`
	Name     string `json:"name"`
	Archived bool   `json:"archived"`
	Path     string `json:"path"`
}

type request struct {
	ID             string  `json:"id"`
	Title          string  `json:"title"`
	Status         string  `json:"status"`
	Public         bool    `json:"public"`
	StrategicScore int     `json:"strategic_score"`
	MergedInto     string  `json:"merged_into"`
	ShippedAt      *string `json:"shipped_at"`
	CreatedBy      string  `json:"created_by"`
}

// withHeader sends a JSON body with one extra header and returns status and body.
func (e *env) withHeader(key, method, path, body, header, value string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, value)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (e *env) countFeedback() int {
	e.t.Helper()
	n, err := e.s.CountFeedback(context.Background(), "")
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestCaptureFeedback(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		acme := e.newAccount(`{"external_id": "acme", "name": "Acme", "domain": "acme.com"}`)

		// An unknown sender at acme.com becomes a person attached to Acme; the source
		// defaults to api and the quote to the first sentence.
		var it fbItem
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Please add single sign-on. Our auditors insist on it.", "email": "New.Person@Acme.com", "name": "New Person", "kind": "feature_request"}`, 201, &it)
		if it.Source != "api" || it.AccountID != acme.ID || it.PersonID == "" || it.Quote != "Please add single sign-on." || it.Status != "new" ||
			it.TagIDs == nil || it.RequestIDs == nil || it.Kind != "feature_request" {
			t.Fatalf("captured %+v", it)
		}
		var p person
		e.call(e.read, "GET", "/api/v1/people/"+it.PersonID, nil, 200, &p)
		if p.Email != "new.person@acme.com" || p.AccountID != acme.ID || p.Name != "New Person" {
			t.Fatalf("sender %+v", p)
		}

		// Idempotency by header: 201, then 200 with the same item.
		body := `{"text": "Dark mode", "account_external_id": "acme"}`
		st, b := e.withHeader(e.rw, "POST", "/api/v1/feedback", body, "Idempotency-Key", "key-1")
		var first, again fbItem
		json.Unmarshal(b, &first)
		if st != 201 || first.AccountID != acme.ID {
			t.Fatalf("header key, first: %d %s", st, b)
		}
		st, b = e.withHeader(e.rw, "POST", "/api/v1/feedback", body, "Idempotency-Key", "key-1")
		json.Unmarshal(b, &again)
		if st != 200 || again.ID != first.ID {
			t.Fatalf("header key, repeat: %d %s", st, b)
		}
		// ...and by field, which is the same key space.
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Dark mode", "idempotency_key": "key-1"}`, 200, &again)
		if again.ID != first.ID {
			t.Fatalf("field key repeat made %s", again.ID)
		}
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Dark mode", "idempotency_key": "key-2"}`, 201, &again)
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Dark mode", "idempotency_key": "key-2"}`, 200, nil)
		st, b = e.withHeader(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "idempotency_key": "a"}`, "Idempotency-Key", "b")
		if st != 400 || !strings.Contains(string(b), `"field":"idempotency_key"`) {
			t.Fatalf("conflicting keys: %d %s", st, b)
		}
		// A redelivered webhook (same source and external id) is a repeat too.
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Export is slow", "source": "zendesk", "external_id": "T-1"}`, 201, nil)
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Export is slow", "source": "zendesk", "external_id": "T-1"}`, 200, nil)

		before := e.countFeedback()
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "submitted_by": "someone"}`, 400, "submitted_by")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "  "}`, 400, "text", "required")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "kind": "rant"}`, 400, "kind")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "source": "fax"}`, 400, "source")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "email": "nope"}`, 400, "email")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "occurred_at": "yesterday"}`, 400, "occurred_at")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "account_external_id": "ghost"}`, 400, "account_external_id")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "account_id": "ghost"}`, 400, "account_id")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "tag_ids": ["ghost"]}`, 400, "tag_ids")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": "x", "request_ids": ["ghost"]}`, 400, "request_ids")
		e.fails(e.rw, "POST", "/api/v1/feedback", `{"text": null}`, 400, "text")
		// Scopes: reading needs read, capturing needs write.
		e.call(e.read, "POST", "/api/v1/feedback", `{"text": "x"}`, 403, nil)
		e.call(e.write, "GET", "/api/v1/feedback", nil, 403, nil)
		if n := e.countFeedback(); n != before {
			t.Fatalf("refused captures wrote %d items", n-before)
		}

		// Batch: all or nothing, the bad item named by position and field.
		e.fails(e.rw, "POST", "/api/v1/feedback/batch", `{"items": [{"text": "ok"}, {"text": "bad", "kind": "rant"}]}`, 400, "kind", "item 2: kind")
		e.fails(e.rw, "POST", "/api/v1/feedback/batch", `{"items": [{"text": "ok"}, {"text": "x", "account_external_id": "ghost"}]}`, 400, "account_external_id", "item 2")
		e.fails(e.rw, "POST", "/api/v1/feedback/batch", `{"items": [{"text": "ok", "colour": 1}]}`, 400, "colour", "item 1")
		e.fails(e.rw, "POST", "/api/v1/feedback/batch", `{"feedback": []}`, 400, "feedback")
		var big []map[string]string
		for i := range 1001 {
			big = append(big, map[string]string{"text": fmt.Sprint(i)})
		}
		e.fails(e.rw, "POST", "/api/v1/feedback/batch", map[string]any{"items": big}, 400, "items", "at most 1000")
		if n := e.countFeedback(); n != before {
			t.Fatalf("refused batches wrote %d items", n-before)
		}
		var res struct {
			Items   []fbItem `json:"items"`
			Created int      `json:"created"`
		}
		e.call(e.rw, "POST", "/api/v1/feedback/batch", `{"items": [
			{"text": "Dark mode", "idempotency_key": "key-1"},
			{"text": "Gantt view", "email": "bo@acme.com"},
			{"text": "Gantt view too", "source": "intercom", "external_id": "C-9"},
			{"text": "Gantt view too", "source": "intercom", "external_id": "C-9"}]}`, 200, &res)
		if res.Created != 2 || len(res.Items) != 4 || res.Items[0].ID != first.ID || res.Items[1].AccountID != acme.ID || res.Items[2].ID != res.Items[3].ID {
			t.Fatalf("batch %+v", res)
		}
		if n := e.countFeedback(); n != before+2 {
			t.Fatalf("batch wrote %d items, want 2", n-before)
		}

		// Lists: filters and pagination.
		all := walk(e, e.read, "/api/v1/feedback?limit=2&account_id="+acme.ID, func(i fbItem) string { return i.ID })
		if len(all) != 3 {
			t.Fatalf("acme feedback: %d, want 3", len(all))
		}
		var pg page[fbItem]
		e.call(e.read, "GET", "/api/v1/feedback?source=intercom", nil, 200, &pg)
		if len(pg.Items) != 1 || pg.Items[0].ExternalID != "C-9" {
			t.Fatalf("source filter: %+v", pg.Items)
		}
		e.call(e.read, "GET", "/api/v1/feedback?q=GANTT", nil, 200, &pg)
		if len(pg.Items) != 2 {
			t.Fatalf("q filter: %d", len(pg.Items))
		}
		e.fails(e.read, "GET", "/api/v1/feedback?kind=rant", nil, 400, "kind")
		e.fails(e.read, "GET", "/api/v1/feedback?sort=new", nil, 400, "sort")
		e.fails(e.read, "GET", "/api/v1/feedback?cursor=abc", nil, 400, "cursor")
		e.fails(e.read, "GET", "/api/v1/feedback/ghost", nil, 404, "", "feedback item not found")
	})
}

func TestTriageTagAndLinkFeedback(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var editor, tables tag
		e.call(e.rw, "POST", "/api/v1/tags", `{"name": "Editor"}`, 201, &editor)
		e.call(e.rw, "POST", "/api/v1/tags", map[string]string{"name": "Tables", "parent_id": editor.ID}, 201, &tables)
		if tables.Path != "Editor › Tables" {
			t.Fatalf("path %q", tables.Path)
		}
		var rq request
		e.call(e.rw, "POST", "/api/v1/requests", `{"title": "Frozen headers"}`, 201, &rq)
		var it fbItem
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Headers scroll away"}`, 201, &it)
		base := "/api/v1/feedback/" + it.ID

		e.call(e.rw, "POST", base+"/tags", map[string]string{"tag_id": tables.ID}, 200, &it)
		if it.Status != "triaged" || !slices.Equal(it.TagIDs, []string{tables.ID}) {
			t.Fatalf("tagged %+v", it)
		}
		e.call(e.rw, "POST", base+"/tags", map[string]string{"tag_id": tables.ID}, 200, &it) // twice: no-op
		e.fails(e.rw, "POST", base+"/tags", `{"tag_id": "ghost"}`, 400, "tag_id", "ghost")
		e.fails(e.rw, "POST", base+"/tags", `{}`, 400, "tag_id", "required")
		e.fails(e.rw, "POST", base+"/tags", `{"tag": "x"}`, 400, "tag")
		e.fails(e.rw, "POST", "/api/v1/feedback/ghost/tags", map[string]string{"tag_id": tables.ID}, 404, "")
		// Filtering by the parent tag finds items tagged with its descendants.
		var pg page[fbItem]
		e.call(e.read, "GET", "/api/v1/feedback?tag_id="+editor.ID, nil, 200, &pg)
		if len(pg.Items) != 1 || !slices.Equal(pg.Items[0].TagIDs, []string{tables.ID}) {
			t.Fatalf("by parent tag: %+v", pg.Items)
		}

		e.call(e.rw, "POST", base+"/requests", map[string]string{"request_id": rq.ID}, 200, &it)
		if !slices.Equal(it.RequestIDs, []string{rq.ID}) {
			t.Fatalf("linked %+v", it)
		}
		e.fails(e.rw, "POST", base+"/requests", `{"request_id": "ghost"}`, 400, "request_id")
		e.call(e.read, "GET", "/api/v1/feedback?status=triaged", nil, 200, &pg)
		if len(pg.Items) != 1 || !slices.Equal(pg.Items[0].RequestIDs, []string{rq.ID}) {
			t.Fatalf("list shows links: %+v", pg.Items)
		}

		e.call(e.rw, "PATCH", base, `{"kind": "usability", "status": "archived"}`, 200, &it)
		if it.Kind != "usability" || it.Status != "archived" {
			t.Fatalf("triaged %+v", it)
		}
		e.call(e.rw, "PATCH", base, `{"kind": "bug"}`, 200, &it)
		if it.Kind != "bug" || it.Status != "archived" {
			t.Fatalf("kind only %+v", it)
		}
		e.fails(e.rw, "PATCH", base, `{"status": "done"}`, 400, "status")
		e.fails(e.rw, "PATCH", base, `{"kind": null}`, 400, "kind")
		e.fails(e.rw, "PATCH", base, `{"text": "rewrite"}`, 400, "text")
		e.fails(e.rw, "PATCH", "/api/v1/feedback/ghost", `{"kind": "bug"}`, 404, "")

		e.call(e.rw, "DELETE", base+"/tags/"+tables.ID, nil, 204, nil)
		e.call(e.rw, "DELETE", base+"/tags/"+tables.ID, nil, 204, nil) // idempotent
		e.call(e.rw, "DELETE", base+"/requests/"+rq.ID, nil, 204, nil)
		e.call(e.read, "GET", base, nil, 200, &it)
		if len(it.TagIDs) != 0 || len(it.RequestIDs) != 0 {
			t.Fatalf("after untag/unlink %+v", it)
		}
		e.fails(e.rw, "DELETE", "/api/v1/feedback/ghost/tags/"+tables.ID, nil, 404, "")
		e.call(e.read, "DELETE", base+"/requests/"+rq.ID, nil, 403, nil)
	})
}
