package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
)

type person struct {
	ID         string `json:"id"`
	ExternalID string `json:"external_id"`
	AccountID  string `json:"account_id"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Champion   bool   `json:"champion"`
}

func TestPeople(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		acc := e.newAccount(`{"external_id": "acme", "name": "Acme"}`)
		var p person
		e.call(e.rw, "POST", "/api/v1/people", `{"email": "Ada@Acme.com", "name": "Ada", "account_external_id": "acme"}`, 201, &p)
		if p.Email != "ada@acme.com" || p.AccountID != acc.ID {
			t.Fatalf("created %+v", p)
		}
		e.call(e.rw, "PATCH", "/api/v1/people/"+p.ID, `{"champion": true, "title": "CTO"}`, 200, &p)
		if !p.Champion || p.Title != "CTO" || p.Name != "Ada" || p.AccountID != acc.ID {
			t.Fatalf("patched %+v", p)
		}
		e.call(e.read, "GET", "/api/v1/people/"+p.ID, nil, 200, &p)
		if !p.Champion {
			t.Fatalf("get %+v", p)
		}
		e.fails(e.rw, "POST", "/api/v1/people", `{"name": "Nobody"}`, 400, "email")
		e.fails(e.rw, "POST", "/api/v1/people", `{"email": "not-an-email"}`, 400, "email")
		e.fails(e.rw, "POST", "/api/v1/people", `{"email": "ada@acme.com"}`, 400, "email", "already")
		e.fails(e.rw, "POST", "/api/v1/people", `{"email": "x@acme.com", "account_external_id": "ghost"}`, 400, "account_external_id")
		e.fails(e.rw, "POST", "/api/v1/people", `{"email": "x@acme.com", "account_id": "ghost"}`, 400, "account_id")
		e.fails(e.rw, "POST", "/api/v1/people", `{"email": "x@acme.com", "champion": "yes"}`, 400, "champion", "boolean")
		e.fails(e.rw, "PATCH", "/api/v1/people/ghost", `{"name": "x"}`, 404, "")

		var batch []map[string]any
		for i := range 12 {
			batch = append(batch, map[string]any{"external_id": fmt.Sprintf("u%02d", i), "email": fmt.Sprintf("u%02d@acme.com", i), "account_external_id": "acme"})
		}
		var res upsert
		e.call(e.rw, "POST", "/api/v1/people/bulk", map[string]any{"people": batch}, 200, &res)
		if res.Created != 12 {
			t.Fatalf("bulk %+v", res)
		}
		e.call(e.rw, "POST", "/api/v1/people/bulk", map[string]any{"people": batch}, 200, &res)
		if res != (upsert{Unchanged: 12}) {
			t.Fatalf("bulk again %+v", res)
		}
		e.fails(e.rw, "POST", "/api/v1/people/bulk", `{"people": [{"email": "ok@acme.com"}, {"email": "bad"}]}`, 400, "email", "item 2")
		e.fails(e.rw, "POST", "/api/v1/people/bulk", `{"people": [{"email": "ok@acme.com", "age": 3}]}`, 400, "age", "item 1")

		all := walk(e, e.read, "/api/v1/people?limit=5&account_id="+acc.ID, func(p person) string { return p.ID })
		if len(all) != 13 {
			t.Fatalf("walked %d people, want 13", len(all))
		}
		var pg page[person]
		e.call(e.read, "GET", "/api/v1/people?q=ada", nil, 200, &pg)
		if len(pg.Items) != 1 {
			t.Fatalf("q=ada: %d", len(pg.Items))
		}
		e.fails(e.read, "GET", "/api/v1/people?cursor="+pg.NextCursor+"x", nil, 400, "cursor")
		e.call(e.rw, "DELETE", "/api/v1/people/"+p.ID, nil, 204, nil)
		e.fails(e.read, "GET", "/api/v1/people/"+p.ID, nil, 404, "", "person not found")
	})
}

type contract struct {
	ID          string `json:"id"`
	AccountID   string `json:"account_id"`
	StartDate   string `json:"start_date"`
	TermMonths  int    `json:"term_months"`
	RenewalDate string `json:"renewal_date"`
	AutoRenew   bool   `json:"auto_renew"`
	Window      int    `json:"cancellation_window_days"`
	Value       int64  `json:"value"`
	Currency    string `json:"currency"`
}

func TestContracts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		acc := e.newAccount(`{"name": "Acme"}`)
		var c contract
		e.call(e.rw, "POST", "/api/v1/contracts", map[string]any{"account_id": acc.ID, "start_date": "2025-01-15", "term_months": 12,
			"auto_renew": true, "cancellation_window_days": 90, "value": 1200000, "currency": "usd"}, 201, &c)
		if c.RenewalDate != "2026-01-15" || c.Currency != "USD" {
			t.Fatalf("created %+v", c)
		}
		e.call(e.read, "GET", "/api/v1/accounts/"+acc.ID, nil, 200, &acc)
		if acc.RenewalDate != "2026-01-15" {
			t.Fatalf("account renewal %q", acc.RenewalDate)
		}
		// A new term without a renewal date re-derives it.
		e.call(e.rw, "PATCH", "/api/v1/contracts/"+c.ID, `{"term_months": 24}`, 200, &c)
		if c.RenewalDate != "2027-01-15" || !c.AutoRenew || c.Value != 1200000 {
			t.Fatalf("patched %+v", c)
		}
		// PUT replaces: what is left out is reset.
		e.call(e.rw, "PUT", "/api/v1/contracts/"+c.ID, `{"start_date": "2025-02-01", "term_months": 6}`, 200, &c)
		if c.RenewalDate != "2025-08-01" || c.AutoRenew || c.Value != 0 || c.AccountID != acc.ID {
			t.Fatalf("put %+v", c)
		}
		e.call(e.read, "GET", "/api/v1/contracts/"+c.ID, nil, 200, &c)
		if c.TermMonths != 6 {
			t.Fatalf("get %+v", c)
		}
		e.fails(e.rw, "PATCH", "/api/v1/contracts/"+c.ID, `{"account_id": "other"}`, 400, "account_id")
		e.fails(e.rw, "PATCH", "/api/v1/contracts/"+c.ID, `{"renewal_date": "2024-01-01"}`, 400, "renewal_date")
		e.fails(e.rw, "POST", "/api/v1/contracts", map[string]any{"account_id": acc.ID, "start_date": "2025-13-01", "term_months": 12}, 400, "start_date")
		e.fails(e.rw, "POST", "/api/v1/contracts", map[string]any{"account_id": "ghost", "start_date": "2025-01-01", "term_months": 12}, 400, "account_id")
		e.fails(e.rw, "POST", "/api/v1/contracts", map[string]any{"account_id": acc.ID, "start_date": "2025-01-01", "term_months": 12, "value": 5}, 400, "currency")
		e.fails(e.rw, "PUT", "/api/v1/contracts/ghost", `{"start_date": "2025-02-01", "term_months": 6}`, 404, "")

		for i := range 7 {
			e.call(e.rw, "POST", "/api/v1/contracts", map[string]any{"account_id": acc.ID, "start_date": fmt.Sprintf("2024-%02d-01", i+1), "term_months": 12}, 201, nil)
		}
		all := walk(e, e.read, "/api/v1/contracts?limit=3&account_id="+acc.ID, func(c contract) string { return c.ID })
		if len(all) != 8 {
			t.Fatalf("walked %d contracts", len(all))
		}
		var pg page[contract]
		e.call(e.read, "GET", "/api/v1/contracts?renewal_from=2025-03-01&renewal_before=2025-06-01", nil, 200, &pg)
		if len(pg.Items) != 3 {
			t.Fatalf("renewal window: %d", len(pg.Items))
		}
		e.fails(e.read, "GET", "/api/v1/contracts?renewal_from=March", nil, 400, "renewal_from")
		e.call(e.rw, "DELETE", "/api/v1/contracts/"+c.ID, nil, 204, nil)
		e.fails(e.read, "GET", "/api/v1/contracts/"+c.ID, nil, 404, "")
	})
}

func TestMovements(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		acc := e.newAccount(`{"name": "Acme"}`)
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 1000}, 400, "currency", "required")
		var m movement
		e.call(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 1000, "currency": "USD", "effective_at": "2025-01-01"}, 201, &m)
		if m.Kind != "new" || m.Delta != 1000 || m.MRRAfter != 1000 {
			t.Fatalf("set mrr %+v", m)
		}
		var unchanged map[string]any
		e.call(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 1000}, 200, &unchanged)
		if unchanged["changed"] != false {
			t.Fatalf("same mrr: %v", unchanged)
		}
		// Currency policy: refused, never converted.
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 2000, "currency": "EUR"}, 400, "currency", "USD")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "expansion", "delta": 10, "currency": "EUR", "effective_at": "2025-02-01"}, 400, "currency")
		e.fails(e.rw, "PATCH", "/api/v1/accounts/"+acc.ID, `{"mrr": 2000, "currency": "EUR"}`, 400, "currency")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 2000, "currency": "dollars"}, 400, "currency")

		e.call(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "expansion", "delta": 500, "currency": "USD", "effective_at": "2025-02-01T10:00:00Z", "note": "upsell"}, 201, &m)
		if m.MRRAfter != 1500 {
			t.Fatalf("explicit %+v", m)
		}
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "expansion", "delta": -100, "currency": "USD", "effective_at": "2025-03-01"}, 400, "kind", "contraction")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "contraction", "delta": -100, "currency": "USD", "effective_at": "2024-03-01"}, 400, "effective_at")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "contraction", "delta": -9000, "currency": "USD", "effective_at": "2025-03-01"}, 400, "delta")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "upgrade", "delta": 1, "currency": "USD", "effective_at": "2025-03-01"}, 400, "kind")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "kind": "expansion", "delta": 1, "currency": "USD"}, 400, "effective_at", "required")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 1, "kind": "expansion"}, 400, "mrr")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": 1, "effective_at": "soon"}, 400, "effective_at")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": "ghost", "mrr": 1}, 400, "account_id")
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": "lots"}, 400, "mrr", "integer")

		// Churn and back: five movements in all, walked newest first in pages of two.
		for i, mrr := range []int64{0, 700, 900} {
			e.call(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": acc.ID, "mrr": mrr, "effective_at": fmt.Sprintf("2025-0%d-01", i+4)}, 201, nil)
		}
		all := walk(e, e.read, "/api/v1/mrr-movements?limit=2&account_id="+acc.ID, func(m movement) string { return m.ID })
		var kinds []string
		for _, m := range all {
			kinds = append(kinds, m.Kind)
		}
		if got := strings.Join(kinds, ","); got != "expansion,reactivation,churn,expansion,new" {
			t.Fatalf("movements newest first: %s", got)
		}
		var pg page[movement]
		e.call(e.read, "GET", "/api/v1/mrr-movements?kind=churn", nil, 200, &pg)
		if len(pg.Items) != 1 || pg.Items[0].Delta != -1500 {
			t.Fatalf("kind=churn %+v", pg.Items)
		}
		e.call(e.read, "GET", "/api/v1/mrr-movements?from=2025-02-01&to=2025-05-01T00:00:00Z", nil, 200, &pg)
		if len(pg.Items) != 2 {
			t.Fatalf("from/to: %+v", pg.Items)
		}
		e.fails(e.read, "GET", "/api/v1/mrr-movements?from=last+week", nil, 400, "from")
		e.fails(e.read, "GET", "/api/v1/mrr-movements?to=2025-02-30", nil, 400, "to")
		e.fails(e.read, "GET", "/api/v1/mrr-movements?kind=upgrade", nil, 400, "kind")
	})
}

type touchpoint struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"account_id"`
	MemberID   string    `json:"member_id"`
	MemberName string    `json:"member_name"`
	Kind       string    `json:"kind"`
	Direction  string    `json:"direction"`
	OccurredAt time.Time `json:"occurred_at"`
}

func TestTouchpoints(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		csm := auth.Member{Email: "csm@example.com", Name: "Casey", Role: auth.RoleMember}
		if err := e.s.CreateMember(context.Background(), &csm); err != nil {
			t.Fatal(err)
		}
		acc := e.newAccount(`{"name": "Acme"}`)
		var tp touchpoint
		e.call(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "member_id": csm.ID, "kind": "call", "summary": "QBR", "occurred_at": "2025-03-01T15:00:00Z"}, 201, &tp)
		if tp.MemberName != "Casey" || tp.Direction != "outbound" || !tp.OccurredAt.Equal(time.Date(2025, 3, 1, 15, 0, 0, 0, time.UTC)) {
			t.Fatalf("created %+v", tp)
		}
		var auto touchpoint
		e.call(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "kind": "note", "summary": "automated"}, 201, &auto)
		if auto.MemberID != "" || auto.Direction != "internal" {
			t.Fatalf("automated %+v", auto)
		}
		e.fails(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "member_id": "ghost", "kind": "call", "summary": "x"}, 400, "member_id")
		e.fails(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "kind": "fax", "summary": "x"}, 400, "kind")
		e.fails(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "kind": "call"}, 400, "summary")
		e.fails(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "kind": "call", "summary": "x", "occurred_at": "Tuesday"}, 400, "occurred_at")
		e.fails(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": "ghost", "kind": "call", "summary": "x"}, 400, "account_id")

		for i := range 9 {
			e.call(e.rw, "POST", "/api/v1/touchpoints", map[string]any{"account_id": acc.ID, "member_id": csm.ID, "kind": "email", "summary": "hi", "occurred_at": fmt.Sprintf("2025-01-%02dT09:00:00Z", i+1)}, 201, nil)
		}
		all := walk(e, e.read, "/api/v1/touchpoints?limit=4&account_id="+acc.ID, func(t touchpoint) string { return t.ID })
		if len(all) != 11 {
			t.Fatalf("walked %d", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].OccurredAt.After(all[i-1].OccurredAt) {
				t.Fatalf("not newest first at %d", i)
			}
		}
		var pg page[touchpoint]
		e.call(e.read, "GET", "/api/v1/touchpoints?kind=email&since=2025-01-05&member_id="+csm.ID, nil, 200, &pg)
		if len(pg.Items) != 5 {
			t.Fatalf("filtered: %d", len(pg.Items))
		}
		e.fails(e.read, "GET", "/api/v1/touchpoints?since=yesterday", nil, 400, "since")
		e.call(e.read, "GET", "/api/v1/touchpoints/"+tp.ID, nil, 200, &tp)
		e.call(e.rw, "DELETE", "/api/v1/touchpoints/"+tp.ID, nil, 204, nil)
		e.fails(e.read, "GET", "/api/v1/touchpoints/"+tp.ID, nil, 404, "")
	})
}

func TestTeamAndKeys(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var m map[string]any
		e.call(e.admin, "POST", "/api/v1/team", `{"email": "Dana@Example.com", "name": "Dana", "role": "viewer", "password": "correct horse battery"}`, 201, &m)
		if m["email"] != "dana@example.com" || m["role"] != "viewer" {
			t.Fatalf("created %v", m)
		}
		mem, err := e.s.GetMemberByEmail(context.Background(), "dana@example.com")
		if err != nil || !auth.CheckPassword(mem.PasswordHash, "correct horse battery") {
			t.Fatalf("password not hashed and stored: %v", err)
		}
		e.fails(e.admin, "POST", "/api/v1/team", `{"email": "e@example.com", "name": "E", "password": "short"}`, 400, "password", "10")
		e.fails(e.admin, "POST", "/api/v1/team", `{"email": "e@example.com", "name": "E", "password": "long enough!", "role": "owner"}`, 400, "role")
		e.fails(e.admin, "POST", "/api/v1/team", `{"email": "dana@example.com", "name": "Dup", "password": "long enough!"}`, 400, "email")
		e.fails(e.rw, "POST", "/api/v1/team", `{"email": "e@example.com", "name": "E", "password": "long enough!"}`, 403, "")

		r := e.call(e.read, "GET", "/api/v1/team", nil, 200, nil)
		if !strings.Contains(string(r.Body), "dana@example.com") || strings.Contains(string(r.Body), "argon2") || strings.Contains(string(r.Body), "password") {
			t.Fatalf("team list %s", r.Body)
		}

		var k struct {
			ID     string   `json:"id"`
			Secret string   `json:"secret"`
			Scopes []string `json:"scopes"`
		}
		e.call(e.admin, "POST", "/api/v1/api-keys", `{"name": "pipeline", "scopes": ["write"]}`, 201, &k)
		if k.Secret == "" || len(k.Scopes) != 1 {
			t.Fatalf("key %+v", k)
		}
		e.call(k.Secret, "POST", "/api/v1/accounts", `{"name": "Via new key"}`, 201, nil)
		r = e.call(e.admin, "GET", "/api/v1/api-keys", nil, 200, nil)
		if strings.Contains(string(r.Body), k.Secret) || strings.Contains(string(r.Body), `"hash"`) {
			t.Fatalf("key list leaks secrets: %s", r.Body)
		}
		e.fails(e.admin, "POST", "/api/v1/api-keys", `{"name": "x", "scopes": ["root"]}`, 400, "scopes")
		e.fails(e.admin, "POST", "/api/v1/api-keys", `{"name": "", "scopes": ["read"]}`, 400, "name")
		e.call(e.admin, "DELETE", "/api/v1/api-keys/"+k.ID, nil, 204, nil)
		e.fails(k.Secret, "POST", "/api/v1/accounts", `{"name": "Revoked"}`, 401, "")
		e.fails(e.admin, "DELETE", "/api/v1/api-keys/ghost", nil, 404, "")
	})
}
