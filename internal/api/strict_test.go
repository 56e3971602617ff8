package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAPIStrictness: what encoding/json let through is refused with 400 naming the
// field, and nothing is stored (issue 13, defect 10).
func TestAPIStrictness(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		later := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		for _, tc := range []struct {
			name, body, field, msg string
		}{
			{"case-insensitive name", `{"Text": "hello"}`, "Text", "case-sensitive"},
			{"duplicate key", `{"text": "first", "text": "second"}`, "text", "more than once"},
			{"invalid UTF-8", "{\"text\": \"caf\xe9\"}", "text", "UTF-8"},
			{"lone surrogate", `{"text": "broken \udead pair"}`, "text", "surrogate"},
			{"year 1", `{"text": "old", "occurred_at": "0001-01-01T00:00:00Z"}`, "occurred_at", "before 1970"},
			{"year 2999", `{"text": "late", "occurred_at": "2999-01-01"}`, "occurred_at", "future"},
			{"2 hours ahead", `{"text": "soon", "occurred_at": "` + later + `"}`, "occurred_at", "an hour in the future"},
			{"900 KB text", `{"text": "` + strings.Repeat("a", 900<<10) + `"}`, "text", "50000 bytes"},
			{"5,000-character local part", `{"text": "x", "email": "` + strings.Repeat("a", 5000) + `@example.com"}`, "email", "254 bytes"},
			{"10,000-character external id", `{"text": "x", "external_id": "` + strings.Repeat("7", 10000) + `"}`, "external_id", "200 bytes"},
			{"long name", `{"text": "x", "name": "` + strings.Repeat("é", 101) + `"}`, "name", "200 bytes"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.fails(e.rw, "POST", "/api/v1/feedback", tc.body, http.StatusBadRequest, tc.field, tc.msg)
			})
		}
		e.fails(e.rw, "POST", "/api/v1/touchpoints", `{"account_id": "x", "kind": "call", "direction": "outbound", "occurred_at": "1969-12-31T23:59:59Z"}`,
			http.StatusBadRequest, "occurred_at", "before 1970")
		e.fails(e.rw, "POST", "/api/v1/touchpoints", `{"account_id": "x", "kind": "call", "direction": "outbound", "occurred_at": "`+
			time.Now().Add(25*time.Hour).UTC().Format(time.RFC3339)+`"}`, http.StatusBadRequest, "occurred_at", "a day in the future")
		e.fails(e.rw, "POST", "/api/v1/accounts", `{"name": "Acme", "Name": "Acme"}`, http.StatusBadRequest, "Name", "case-sensitive")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "a", "name": "A", "name": "B"}]}`, http.StatusBadRequest, "accounts[0].name", "more than once")
		var page struct {
			Items []struct{ ID string } `json:"items"`
		}
		e.call(e.rw, "GET", "/api/v1/feedback", nil, http.StatusOK, &page)
		if len(page.Items) != 0 {
			t.Fatalf("%d items stored from refused bodies", len(page.Items))
		}
		// At the limits, and at the edges of the time range, the same writes succeed.
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "`+strings.Repeat("a", 50000)+`", "external_id": "`+strings.Repeat("7", 200)+`", "occurred_at": "1970-01-01T00:00:00Z"}`, http.StatusCreated, nil)
		// 50 minutes ahead is kept as sent, not replaced by "now".
		soon := time.Now().Add(50 * time.Minute).UTC().Truncate(time.Second)
		var it struct {
			OccurredAt time.Time `json:"occurred_at"`
		}
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "emoji \ud83d\ude00", "occurred_at": "`+soon.Format(time.RFC3339)+`"}`, http.StatusCreated, &it)
		if !it.OccurredAt.Equal(soon) {
			t.Errorf("occurred_at %s stored as %s", soon, it.OccurredAt)
		}
	})
}

// TestBearerSchemeIsCaseInsensitive: RFC 9110 makes the auth scheme case-insensitive.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
			req, _ := http.NewRequest("GET", e.url+"/api/v1/feedback", nil)
			req.Header.Set("Authorization", scheme+" "+e.read)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d", scheme, res.StatusCode)
			}
		}
	})
}
