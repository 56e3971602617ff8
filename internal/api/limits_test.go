package api_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	accountpkg "github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/web"
)

// pageBudget is the most any page may weigh, whatever was written within the limits.
const pageBudget = 1 << 20

// pageDeadline only turns a page that never answers (an unbounded loop) into a
// failure instead of a hung test; it is not a performance assertion.
const pageDeadline = time.Minute

// pages drives the web UI of the env's app over real HTTP as a member, with a deadline
// on every request and a cap on what is read, so a regression fails instead of
// hanging or exhausting memory. It has its own server: a handler still spinning after
// its request timed out must not block the env's cleanup (httptest.Server.Close waits
// for outstanding requests), so this one is closed only when nothing timed out.
type pages struct {
	e      *env
	url    string
	cookie *http.Cookie
	hung   atomic.Bool
}

func newPages(t *testing.T, e *env) *pages {
	t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	m := auth.Member{Email: fmt.Sprintf("cs-%d@example.com", time.Now().UnixNano()), Name: "CS", Role: auth.RoleMember, PasswordHash: hash}
	if err := e.s.CreateMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	tok := auth.NewSessionToken()
	if _, err := e.s.CreateSession(ctx, auth.HashToken(tok), m.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.app.Handler())
	p := &pages{e: e, url: srv.URL, cookie: &http.Cookie{Name: web.SessionCookie, Value: tok}}
	t.Cleanup(func() {
		if p.hung.Load() {
			srv.CloseClientConnections() // leave the spinning handler behind; the test has failed
			return
		}
		srv.Close()
	})
	return p
}

// do sends a GET (form == nil) or a form POST and returns the status and the body,
// failing when the page does not answer within pageDeadline or exceeds pageBudget.
func (p *pages) do(t *testing.T, method, path string, form url.Values) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pageDeadline)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, p.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(p.cookie)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err == nil {
		defer res.Body.Close()
		var b []byte
		b, err = io.ReadAll(io.LimitReader(res.Body, pageBudget+1))
		if err == nil {
			if len(b) > pageBudget {
				t.Fatalf("%s %s: the page is larger than %d bytes", method, path, pageBudget)
			}
			return res.StatusCode, string(b)
		}
	}
	if ctx.Err() != nil {
		p.hung.Store(true)
		t.Fatalf("%s %s: no complete answer within %s: %v", method, path, pageDeadline, err)
	}
	t.Fatalf("%s %s: %v", method, path, err)
	return 0, ""
}

func (p *pages) get(t *testing.T, path string) string {
	t.Helper()
	status, body := p.do(t, "GET", path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.2000s", path, status, body)
	}
	return body
}

// Issue 13, defect 1: an amount near math.MaxInt64 was accepted and then made the
// account page's axis loop overflow and spin forever, ranking sums wrap negative, and
// an overflowing expansion read as "MRR cannot be negative". Every amount is now
// bounded by money.MaxAmount, refused beyond it with 400 naming the field, and pages
// and rankings at the bound answer in bounded size.
func TestMoneyIsBoundedAtEveryEntryPoint(t *testing.T) {
	const maxA = money.MaxAmount
	each(t, func(t *testing.T, e *env) {
		// Accounts: create, patch, bulk.
		top := e.newAccount(map[string]any{"external_id": "top", "name": "Top", "domain": "top.com",
			"mrr": maxA, "currency": "USD", "mrr_effective_at": "2025-01-01T00:00:00Z"})
		if top.MRR != maxA {
			t.Fatalf("MRR at the bound: %d", top.MRR)
		}
		for _, v := range []int64{maxA + 1, math.MaxInt64} {
			e.fails(e.rw, "POST", "/api/v1/accounts", map[string]any{"name": "Huge", "mrr": v, "currency": "USD"}, 400, "mrr", "too large", "9999999999999.99")
			e.fails(e.rw, "PATCH", "/api/v1/accounts/"+top.ID, map[string]any{"mrr": v}, 400, "mrr", "too large")
			e.fails(e.rw, "POST", "/api/v1/accounts/bulk", map[string]any{"accounts": []map[string]any{{"external_id": "huge", "name": "Huge", "mrr": v, "currency": "USD"}}},
				400, "mrr", "item 1", "too large")
			e.fails(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": top.ID, "mrr": v}, 400, "mrr", "too large")
		}

		// Explicit movements: the delta and the MRR it leads to are bounded, and an
		// overflow is "too large", never "cannot be negative".
		a := e.newAccount(`{"external_id": "a", "name": "A", "domain": "a.com"}`)
		move := func(kind string, delta int64, day string) map[string]any {
			return map[string]any{"account_id": a.ID, "kind": kind, "delta": delta, "currency": "USD", "effective_at": day}
		}
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", move("new", math.MaxInt64, "2025-02-01"), 400, "delta", "too large")
		e.call(e.rw, "POST", "/api/v1/mrr-movements", move("new", 100, "2025-02-01"), 201, nil)
		for _, d := range []int64{math.MaxInt64, maxA, maxA - 99} {
			ae := e.fails(e.rw, "POST", "/api/v1/mrr-movements", move("expansion", d, "2025-03-01"), 400, "delta", "too large")
			if strings.Contains(ae.Error, "negative") {
				t.Errorf("expansion of %d refused as %q", d, ae.Error)
			}
		}
		e.fails(e.rw, "POST", "/api/v1/mrr-movements", move("contraction", math.MinInt64, "2025-03-01"), 400, "delta", "too large")
		var m movement
		e.call(e.rw, "POST", "/api/v1/mrr-movements", move("expansion", maxA-100, "2025-03-01"), 201, &m)
		if m.MRRAfter != maxA {
			t.Fatalf("expansion to the bound: %+v", m)
		}

		// Contracts.
		contract := func(v int64) map[string]any {
			return map[string]any{"account_id": top.ID, "start_date": "2025-01-01", "term_months": 12, "value": v, "currency": "USD"}
		}
		e.fails(e.rw, "POST", "/api/v1/contracts", contract(maxA+1), 400, "value", "9999999999999.99")
		e.fails(e.rw, "POST", "/api/v1/contracts", contract(math.MaxInt64), 400, "value")
		var c struct {
			ID    string `json:"id"`
			Value int64  `json:"value"`
		}
		e.call(e.rw, "POST", "/api/v1/contracts", contract(maxA), 201, &c)
		e.fails(e.rw, "PATCH", "/api/v1/contracts/"+c.ID, map[string]any{"value": maxA + 1}, 400, "value")

		// Rankings add two accounts at the bound exactly (this wrapped negative at 5e18).
		var req request
		e.call(e.rw, "POST", "/api/v1/requests", `{"title": "Bigger numbers"}`, 201, &req)
		for _, email := range []string{"ann@top.com", "bo@a.com"} {
			e.call(e.rw, "POST", "/api/v1/feedback", map[string]any{"text": "we need this", "email": email,
				"request_ids": []string{req.ID}, "kind": "feature_request"}, 201, nil)
		}
		rr, body := e.requestRanking("")
		if len(rr.Items) != 1 || string(rr.Items[0].Rank["mrr"]) != strconv.FormatInt(2*maxA, 10) {
			t.Fatalf("ranking of two accounts at the bound: %s", body)
		}

		// Pages at the bound answer, within the budget.
		p := newPages(t, e)
		page := p.get(t, "/accounts/"+top.ID)
		if !strings.Contains(page, "$9,999,999,999,999.99") {
			t.Errorf("account page lacks the amount at the bound: %.3000s", page)
		}
		p.get(t, "/accounts/"+a.ID)
		p.get(t, "/accounts")
		p.get(t, "/requests")
		p.get(t, "/requests/"+req.ID)
	})
}

// nested is a traits object depth levels deep (the object itself is level 1).
func nested(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + "{}" + strings.Repeat("}", depth-1)
}

// widest is a traits object at both limits at once, built to make pretty-printing
// as large as it gets: the deepest level holds an array of one-digit numbers (each
// on its own indented line when printed), filling the object to MaxJSONBytes.
func widest() string {
	head := strings.Repeat(`{"a":`, accountpkg.MaxJSONDepth-1) + "["
	tail := "]" + strings.Repeat("}", accountpkg.MaxJSONDepth-1)
	free := accountpkg.MaxJSONBytes - len(head) - len(tail)
	first := "0" // "0,0,…,0" is odd in length; "10,0,…,0" even
	if free%2 == 0 {
		first = "10"
	}
	s := head + first + strings.Repeat(",0", (free-len(first))/2) + tail
	if len(s) != accountpkg.MaxJSONBytes {
		panic(fmt.Sprintf("widest is %d bytes", len(s)))
	}
	return s
}

// Issue 13, defect 2: a 20 KB traits value nested 10,000 levels made the edit page
// render 200 MB. (A body nested deeper than 10,000 is refused by encoding/json as
// invalid JSON, so the deepest traits the API can be sent are just under that; 9,000
// here.) Account and person traits (the JSON fields closeloop stores) are
// limited in depth and size by one check that every entry point goes through: the
// API, bulk upserts, the web form (and CSV, through the same store rules). Pages of a
// record at both limits stay within the budget.
func TestJSONFieldsAreBoundedAtEveryEntryPoint(t *testing.T) {
	depth, size := accountpkg.MaxJSONDepth, accountpkg.MaxJSONBytes
	tooBig := `{"k":"` + strings.Repeat("x", size) + `"}`
	deepMsg := strconv.Itoa(depth) + " levels"
	each(t, func(t *testing.T, e *env) {
		body := func(traits string) string { return `{"name": "Deep", "traits": ` + traits + `}` }
		for _, bad := range []struct{ traits, msg string }{{nested(depth + 1), deepMsg}, {nested(9000), deepMsg}, {tooBig, strconv.Itoa(size)}} {
			e.fails(e.rw, "POST", "/api/v1/accounts", body(bad.traits), 400, "traits", bad.msg)
			e.fails(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "d", "name": "Deep", "traits": `+bad.traits+`}]}`, 400, "traits", "item 1", bad.msg)
			e.fails(e.rw, "POST", "/api/v1/people", `{"email": "deep@example.com", "traits": `+bad.traits+`}`, 400, "traits", bad.msg)
			e.fails(e.rw, "POST", "/api/v1/people/bulk", `{"people": [{"email": "deep@example.com", "traits": `+bad.traits+`}]}`, 400, "traits", "item 1", bad.msg)
		}

		// At both limits: accepted everywhere, and pretty-printing stays bounded.
		a := e.newAccount(body(nested(depth)))
		e.fails(e.rw, "PATCH", "/api/v1/accounts/"+a.ID, `{"traits": `+nested(depth+1)+`}`, 400, "traits", deepMsg)
		// Whitespace is not counted, and is not stored.
		spaced := strings.ReplaceAll(widest(), ",", ",   ")
		e.call(e.rw, "PATCH", "/api/v1/accounts/"+a.ID, `{"traits": `+spaced+`}`, 200, &a)
		if string(a.Traits) != widest() {
			t.Fatalf("traits not stored compactly: %d bytes", len(a.Traits))
		}
		e.call(e.rw, "POST", "/api/v1/people", `{"email": "wide@example.com", "account_id": "`+a.ID+`", "traits": `+widest()+`}`, 201, nil)

		p := newPages(t, e)
		p.get(t, "/accounts/"+a.ID)
		edit := p.get(t, "/accounts/"+a.ID+"/edit")
		if !strings.Contains(edit, "at most "+strconv.Itoa(depth)+" levels deep") {
			t.Errorf("the edit form does not state the traits limits")
		}

		// The web form refuses what the API refuses (3,000 levels took it to 200 MB),
		// and saves a value at the limits.
		form := url.Values{"name": {"Deep"}, "tier": {"standard"}, "stage": {"active"}, "traits": {nested(3000)}}
		status, page := p.do(t, "POST", "/accounts/"+a.ID+"/edit", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Traits nests objects and arrays more than "+deepMsg+" deep") {
			t.Fatalf("web form with traits 3,000 deep: status %d: %.3000s", status, page)
		}
		form.Set("traits", tooBig)
		if status, page = p.do(t, "POST", "/accounts/"+a.ID+"/edit", form); status != http.StatusUnprocessableEntity || !strings.Contains(page, strconv.Itoa(size)) {
			t.Fatalf("web form with traits over %d bytes: status %d", size, status)
		}
		form.Set("traits", widest())
		if status, _ = p.do(t, "POST", "/accounts/"+a.ID+"/edit", form); status != http.StatusSeeOther {
			t.Fatalf("web form with traits at the limits: status %d", status)
		}
		p.get(t, "/accounts/"+a.ID+"/edit")
	})
}
