package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
)

func TestAccountCRUD(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var a account
		r := e.call(e.rw, "POST", "/api/v1/accounts", map[string]any{
			"external_id": "acme", "name": " Acme ", "domain": "ACME.com", "tier": "strategic", "plan": "pro",
			"icp_fit": 80, "traits": map[string]any{"region": "eu"}, "mrr": 50000, "currency": "usd",
		}, http.StatusCreated, &a)
		if a.ID == "" || a.Name != "Acme" || a.Domain != "acme.com" || a.MRR != 50000 || a.Currency != "USD" || a.Stage != "active" {
			t.Fatalf("created %+v", a)
		}
		if loc := r.Header.Get("Location"); loc != "/api/v1/accounts/"+a.ID {
			t.Errorf("Location %q", loc)
		}

		var got account
		e.call(e.read, "GET", "/api/v1/accounts/"+a.ID, nil, http.StatusOK, &got)
		if got.ID != a.ID || *got.ICPFit != 80 {
			t.Fatalf("get %+v", got)
		}
		e.call(e.read, "GET", "/api/v1/accounts/by-external-id/acme", nil, http.StatusOK, &got)
		if got.ID != a.ID {
			t.Fatalf("by external id %+v", got)
		}

		// PATCH changes only what it names.
		e.call(e.rw, "PATCH", "/api/v1/accounts/"+a.ID, `{"plan": "enterprise", "icp_fit": null}`, http.StatusOK, &got)
		if got.Plan != "enterprise" || got.ICPFit != nil || got.Name != "Acme" || got.Tier != "strategic" || got.Domain != "acme.com" || string(got.Traits) != `{"region":"eu"}` {
			t.Fatalf("after patch %+v", got)
		}
		// ... and MRR through PATCH records the movement that gets there.
		e.call(e.rw, "PATCH", "/api/v1/accounts/"+a.ID, `{"mrr": 80000}`, http.StatusOK, &got)
		if got.MRR != 80000 || got.Currency != "USD" {
			t.Fatalf("after mrr patch %+v", got)
		}
		var ms page[movement]
		e.call(e.read, "GET", "/api/v1/mrr-movements?account_id="+a.ID, nil, http.StatusOK, &ms)
		if len(ms.Items) != 2 || ms.Items[0].Kind != "expansion" || ms.Items[0].Delta != 30000 || ms.Items[1].Kind != "new" {
			t.Fatalf("movements %+v", ms.Items)
		}
		// A patch that changes nothing records nothing.
		e.call(e.rw, "PATCH", "/api/v1/accounts/"+a.ID, `{"mrr": 80000, "plan": "enterprise"}`, http.StatusOK, &got)
		e.call(e.read, "GET", "/api/v1/mrr-movements?account_id="+a.ID, nil, http.StatusOK, &ms)
		if len(ms.Items) != 2 {
			t.Fatalf("no-op patch recorded a movement: %+v", ms.Items)
		}

		e.fails(e.rw, "PATCH", "/api/v1/accounts/"+a.ID, `{"tier": "gold"}`, 400, "tier", "gold")
		e.fails(e.rw, "PATCH", "/api/v1/accounts/nope", `{"plan": "x"}`, 404, "", "account not found")
		e.fails(e.rw, "POST", "/api/v1/accounts", `{"external_id": "acme", "name": "Dup"}`, 400, "external_id")
		e.fails(e.rw, "POST", "/api/v1/accounts", `{"plan": "x"}`, 400, "name", "required")
		// A refused MRR leaves no half-created account behind.
		e.fails(e.rw, "POST", "/api/v1/accounts", `{"name": "Half", "mrr": 10}`, 400, "currency")
		var all page[account]
		e.call(e.read, "GET", "/api/v1/accounts", nil, http.StatusOK, &all)
		if all.Total != 1 {
			t.Fatalf("refused create left %d accounts", all.Total)
		}

		e.call(e.rw, "DELETE", "/api/v1/accounts/"+a.ID, nil, http.StatusNoContent, nil)
		e.fails(e.read, "GET", "/api/v1/accounts/"+a.ID, nil, 404, "", "account not found")
		e.fails(e.rw, "DELETE", "/api/v1/accounts/"+a.ID, nil, 404, "")
		e.fails(e.read, "GET", "/api/v1/accounts/by-external-id/acme", nil, 404, "")
	})
}

func TestAccountListPagesFiltersAndSorts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		owner := auth.Member{Email: "casey@example.com", Name: "Casey", Role: auth.RoleMember}
		if err := e.s.CreateMember(ctx, &owner); err != nil {
			t.Fatal(err)
		}
		// 23 accounts; every third strategic and owned; MRR ties in pairs so keyset
		// pagination has to break ties by id.
		var batch []map[string]any
		for i := range 23 {
			it := map[string]any{"external_id": fmt.Sprintf("e%02d", i), "name": fmt.Sprintf("Co %02d", i),
				"tier": "standard", "mrr": (i / 2) * 100, "currency": "EUR", "signup_date": fmt.Sprintf("2025-01-%02d", 1+i%5)}
			if i%3 == 0 {
				it["tier"], it["owner_email"] = "strategic", "casey@example.com"
			}
			batch = append(batch, it)
		}
		var res upsert
		e.call(e.rw, "POST", "/api/v1/accounts/bulk", map[string]any{"accounts": batch}, http.StatusOK, &res)
		if res.Created != 23 {
			t.Fatalf("bulk %+v", res)
		}
		id := func(a account) string { return a.ID }
		for _, sort := range []string{"name", "mrr", "renewal", "signup", "created"} {
			for _, order := range []string{"asc", "desc"} {
				items := walk(e, e.read, "/api/v1/accounts?limit=4&sort="+sort+"&order="+order, id)
				if len(items) != 23 {
					t.Fatalf("sort %s %s: walked %d accounts, want 23", sort, order, len(items))
				}
				if sort == "mrr" && !slices.IsSortedFunc(items, func(a, b account) int {
					if order == "desc" {
						a, b = b, a
					}
					return int(a.MRR - b.MRR)
				}) {
					t.Errorf("sort mrr %s out of order", order)
				}
			}
		}
		byName := walk(e, e.read, "/api/v1/accounts?limit=5", id)
		if byName[0].Name != "Co 00" || byName[22].Name != "Co 22" {
			t.Errorf("default order by name: %s … %s", byName[0].Name, byName[22].Name)
		}

		var p page[account]
		e.call(e.read, "GET", "/api/v1/accounts?tier=strategic&limit=3", nil, http.StatusOK, &p)
		if p.Total != 8 || len(p.Items) != 3 || p.NextCursor == "" {
			t.Fatalf("tier filter: total %d, %d items, next %q", p.Total, len(p.Items), p.NextCursor)
		}
		if got := walk(e, e.read, "/api/v1/accounts?tier=strategic&limit=3", id); len(got) != 8 {
			t.Fatalf("tier filter walked %d", len(got))
		}
		e.call(e.read, "GET", "/api/v1/accounts?owner_id="+owner.ID, nil, http.StatusOK, &p)
		if p.Total != 8 || p.Items[0].OwnerID != owner.ID {
			t.Fatalf("owner filter: %d", p.Total)
		}
		e.call(e.read, "GET", "/api/v1/accounts?unowned=true", nil, http.StatusOK, &p)
		if p.Total != 15 {
			t.Fatalf("unowned: %d", p.Total)
		}
		e.call(e.read, "GET", "/api/v1/accounts?q=co+1", nil, http.StatusOK, &p)
		if p.Total != 10 {
			t.Fatalf("q=co 1: %d", p.Total)
		}
		e.call(e.read, "GET", "/api/v1/accounts?stage=churned", nil, http.StatusOK, &p)
		if p.Total != 0 || p.Items == nil || p.NextCursor != "" {
			t.Fatalf("empty page %+v", p)
		}
		e.call(e.read, "GET", "/api/v1/accounts?sort=mrr&order=desc&limit=1", nil, http.StatusOK, &p)
		if p.Items[0].MRR != 1100 {
			t.Fatalf("top MRR %d", p.Items[0].MRR)
		}

		// Every bad parameter is a 400 naming it.
		e.call(e.read, "GET", "/api/v1/accounts?sort=name&limit=2", nil, http.StatusOK, &p)
		for q, field := range map[string]string{
			"limit=abc": "limit", "limit=0": "limit", "limit=501": "limit", "sort=size": "sort", "order=up": "order",
			"cursor=%%%": "", "cursor=bm9wZQ": "cursor", "unowned=maybe": "unowned", "tier=gold": "tier", "stage=zombie": "stage",
			"teir=strategic": "teir", "tier=a&tier=b": "tier", "unowned=true&owner_id=x": "unowned",
			// A cursor is only good for the sort that made it.
			"sort=mrr&cursor=" + p.NextCursor: "cursor", "order=desc&cursor=" + p.NextCursor: "cursor",
		} {
			r := e.do(e.read, "GET", "/api/v1/accounts?"+q, nil)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+field+`"`) && field != "" {
				t.Errorf("?%s: %d %s, want 400 naming %s", q, r.Status, r.Body, field)
			}
		}
	})
}

func TestBulkAccountsIdempotentAndAllOrNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		batch := `{"accounts": [
			{"external_id": "a1", "name": "Alpha", "tier": "important", "mrr": 1000, "currency": "USD", "traits": {"seats_paid": 3}},
			{"external_id": "a2", "name": "Beta", "mrr": 0, "currency": "USD"},
			{"external_id": "a3", "name": "Gamma", "plan": "pro", "icp_fit": 40}
		]}`
		var res upsert
		e.call(e.rw, "POST", "/api/v1/accounts/bulk", batch, http.StatusOK, &res)
		if res != (upsert{Created: 3}) {
			t.Fatalf("first batch %+v", res)
		}
		movements := func() int {
			var p page[movement]
			e.call(e.read, "GET", "/api/v1/mrr-movements", nil, http.StatusOK, &p)
			return len(p.Items)
		}
		if n := movements(); n != 1 {
			t.Fatalf("%d movements after first batch, want 1 (a2 set to 0 is no change)", n)
		}
		e.call(e.rw, "POST", "/api/v1/accounts/bulk", batch, http.StatusOK, &res)
		if res != (upsert{Unchanged: 3}) {
			t.Fatalf("same batch again %+v", res)
		}
		if n := movements(); n != 1 {
			t.Fatalf("same batch again recorded movements: %d", n)
		}
		e.call(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "a1", "mrr": 1500}, {"external_id": "a3", "plan": "pro"}]}`, http.StatusOK, &res)
		if res != (upsert{Updated: 1, Unchanged: 1}) || movements() != 2 {
			t.Fatalf("partial batch %+v", res)
		}

		// One bad item: 400 naming it and its field, nothing written.
		bad := `{"accounts": [{"external_id": "n1", "name": "New 1"}, {"external_id": "n2", "name": "New 2", "tier": "gold"}, {"external_id": "a1", "name": "Renamed"}]}`
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", bad, 400, "tier", "item 2", "gold")
		var p page[account]
		e.call(e.read, "GET", "/api/v1/accounts", nil, http.StatusOK, &p)
		if p.Total != 3 || p.Items[0].Name != "Alpha" {
			t.Fatalf("refused batch wrote: total %d, first %q", p.Total, p.Items[0].Name)
		}
		// Decoding errors name the item too, and come before anything is written.
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "n1", "name": "ok"}, {"external_id": "n2", "seats": "many"}]}`, 400, "seats", "item 2", "integer")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "n1", "nmae": "typo"}]}`, 400, "nmae", "item 1")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "n1", "name": null}]}`, 400, "name", "item 1")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"name": "no key"}]}`, 400, "external_id", "item 1")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "d"}, {"external_id": "d"}]}`, 400, "external_id", "item 2")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "a1", "mrr": 5, "currency": "EUR"}]}`, 400, "currency", "item 1")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "a1", "mrr": -5}]}`, 400, "mrr", "item 1")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [7]}`, 400, "", "item 1")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": {}}`, 400, "accounts")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"people": []}`, 400, "people")
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{}`, 400, "accounts", "required")
		big := make([]map[string]string, 1001)
		for i := range big {
			big[i] = map[string]string{"external_id": fmt.Sprint(i), "name": "x"}
		}
		e.fails(e.rw, "POST", "/api/v1/accounts/bulk", map[string]any{"accounts": big}, 400, "accounts", "at most 1000")
		e.call(e.read, "GET", "/api/v1/accounts", nil, http.StatusOK, &p)
		if p.Total != 3 {
			t.Fatalf("refused batches wrote: total %d", p.Total)
		}
		e.call(e.rw, "POST", "/api/v1/accounts/bulk", map[string]any{"accounts": big[:1000]}, http.StatusOK, &res)
		if res.Created != 1000 {
			t.Fatalf("1000 items: %+v", res)
		}
	})
}

func TestStrictDecoding(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const p = "/api/v1/accounts"
		e.fails(e.rw, "POST", p, `{"name": "Acme", "nmae": "typo"}`, 400, "nmae", "not a known field")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "seats": "ten"}`, 400, "seats", "integer", "string")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "seats": 1.5}`, 400, "seats", "integer")
		e.fails(e.rw, "POST", p, `{"name": 7}`, 400, "name", "string")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "cab": "yes"}`, 400, "cab", "boolean")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "traits": [1]}`, 400, "traits", "object")
		e.fails(e.rw, "POST", p, `{"name": null}`, 400, "name", "null")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "mrr": 1, "currency": "USD", "mrr_effective_at": "yesterday"}`, 400, "mrr_effective_at", "RFC 3339")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "currency": "USD"}`, 400, "currency", "with mrr")
		e.fails(e.rw, "POST", p, `{"name": "Acme"`, 400, "", "middle")
		e.fails(e.rw, "POST", p, `{"name": "Acme",}`, 400, "", "not valid JSON")
		e.fails(e.rw, "POST", p, ``, 400, "", "empty")
		e.fails(e.rw, "POST", p, `null`, 400, "", "object")
		e.fails(e.rw, "POST", p, `["Acme"]`, 400, "", "object")
		e.fails(e.rw, "POST", p, `{"name": "A"} {"name": "B"}`, 400, "", "single")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "domain": "not a domain"}`, 400, "domain")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "owner_id": "ghost"}`, 400, "owner_id")
		e.fails(e.rw, "POST", p, `{"name": "Acme", "owner_email": "ghost@example.com"}`, 400, "owner_email")

		big := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`
		e.fails(e.rw, "POST", p, big, http.StatusRequestEntityTooLarge, "", "larger")

		req, _ := http.NewRequest("POST", e.url+p, strings.NewReader(`name=Acme`))
		req.Header.Set("Authorization", "Bearer "+e.rw)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("form body: %d", res.StatusCode)
		}
		var a page[account]
		e.call(e.read, "GET", p, nil, http.StatusOK, &a)
		if a.Total != 0 {
			t.Fatalf("refused requests wrote %d accounts", a.Total)
		}
	})
}

func TestAuthAndScopes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do("", "GET", "/api/v1/accounts", nil)
		if r.Status != 401 || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(string(r.Body), "API key") {
			t.Fatalf("no key: %d %v %s", r.Status, r.Header, r.Body)
		}
		e.fails("cl_nope_nope", "GET", "/api/v1/accounts", nil, 401, "")
		e.fails("not-even-a-key", "GET", "/api/v1/accounts", nil, 401, "")

		k, secret, err := e.s.CreateAPIKey(context.Background(), "doomed", []auth.Scope{auth.ScopeAdmin}, "")
		if err != nil {
			t.Fatal(err)
		}
		e.call(secret, "GET", "/api/v1/accounts", nil, 200, nil)
		if err := e.s.RevokeAPIKey(context.Background(), k.ID); err != nil {
			t.Fatal(err)
		}
		e.fails(secret, "GET", "/api/v1/accounts", nil, 401, "")

		// write does not imply read, and read cannot write.
		e.fails(e.read, "POST", "/api/v1/accounts", `{"name": "Acme"}`, 403, "", "write")
		e.fails(e.write, "GET", "/api/v1/accounts", nil, 403, "", "read")
		var a account
		e.call(e.write, "POST", "/api/v1/accounts", `{"name": "Acme"}`, 201, &a)
		e.fails(e.read, "DELETE", "/api/v1/accounts/"+a.ID, nil, 403, "")
		e.fails(e.write, "POST", "/api/v1/team", `{}`, 403, "", "admin")
		e.fails(e.rw, "GET", "/api/v1/api-keys", nil, 403, "", "admin")
		ingest := e.key(auth.ScopeIngest)
		e.fails(ingest, "GET", "/api/v1/accounts", nil, 403, "")
		e.fails(ingest, "POST", "/api/v1/accounts/bulk", `{"accounts": []}`, 403, "")
		// admin grants everything.
		e.call(e.admin, "GET", "/api/v1/accounts/"+a.ID, nil, 200, nil)
		e.call(e.admin, "DELETE", "/api/v1/accounts/"+a.ID, nil, 204, nil)
	})
}
