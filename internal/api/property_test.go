package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/money"
)

// Issue 13, the property: for random values at and beyond every documented limit,
// every API write either succeeds with the value within its limit or answers 4xx
// naming the field — never 5xx, never silently cut or replaced; no ranking
// overflows; and every page then renders within pageBudget bytes (and answers
// before pageDeadline, a hang guard only).

// fieldCase is one field of one write: the body around it and its documented limit.
type fieldCase struct {
	route string                        // "POST /api/v1/feedback"
	field string                        // the JSON field the value goes in
	limit int                           // maxLength in openapi.json, bytes
	body  func(v any) map[string]any    // a valid body with the field set to v
	value func(r *rand.Rand, n int) any // a value of about n bytes; nil: propString
}

// propString is exactly n bytes of UTF-8 mixing ASCII, 2-, 3- and 4-byte characters
// and markup, so byte and character counts differ.
func propString(r *rand.Rand, n int) any {
	pieces := []string{"a", "Z", " ", "é", "€", "😀", "<", "&", "\"", "ß"}
	var sb strings.Builder
	for sb.Len() < n {
		p := pieces[r.IntN(len(pieces))]
		if sb.Len()+len(p) > n {
			p = "x"
		}
		sb.WriteString(p)
	}
	return sb.String()
}

func propEmail(r *rand.Rand, n int) any {
	const at = "@example.com"
	if n <= len(at) {
		return "a" + at
	}
	return strings.Repeat(string(rune('a'+r.IntN(26))), n-len(at)) + at
}

// sizes are the lengths tried around a limit: inside, at, just beyond, far beyond.
func sizes(r *rand.Rand, limit int) []int {
	return []int{1 + r.IntN(limit), limit, limit + 1, limit + 1 + r.IntN(limit*2)}
}

func TestWritesAtAndBeyondEveryLimit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// A fixed seed keeps failures reproducible; CLOSELOOP_PROPERTY_SEED tries others.
		seed := uint64(13)
		if v, err := strconv.ParseUint(os.Getenv("CLOSELOOP_PROPERTY_SEED"), 10, 64); err == nil {
			seed = v
		}
		t.Logf("seed %d", seed)
		r := rand.New(rand.NewPCG(seed, seed))
		base := e.newAccount(`{"external_id": "base", "name": "Base", "domain": "base.example"}`)
		var req request
		e.call(e.rw, "POST", "/api/v1/requests", `{"title": "Bounded everything"}`, 201, &req)
		seq := 0
		uniq := func() string { seq++; return strconv.Itoa(seq) }

		cases := []fieldCase{}
		add := func(route, field string, limit int, body func(v any) map[string]any, value func(*rand.Rand, int) any) {
			cases = append(cases, fieldCase{route, field, limit, body, value})
		}
		capture := func(field string) func(v any) map[string]any {
			return func(v any) map[string]any {
				b := map[string]any{"text": "base text", "account_id": base.ID, "request_ids": []string{req.ID}}
				b[field] = v
				return b
			}
		}
		for _, f := range []struct {
			name  string
			limit int
		}{{"text", 50000}, {"quote", 2000}, {"name", 200}, {"external_id", 200}, {"idempotency_key", 200}, {"person_external_id", 200}} {
			add("POST /api/v1/feedback", f.name, f.limit, capture(f.name), nil)
		}
		add("POST /api/v1/feedback", "email", 254, func(v any) map[string]any {
			return map[string]any{"text": "from someone", "email": v}
		}, propEmail)
		accountBody := func(field string) func(v any) map[string]any {
			return func(v any) map[string]any {
				b := map[string]any{"external_id": "acct-" + uniq(), "name": "Acct"}
				b[field] = v
				return b
			}
		}
		for _, f := range []struct {
			name  string
			limit int
		}{{"name", 200}, {"external_id", 200}, {"plan", 200}, {"goal", 2000}} {
			add("POST /api/v1/accounts", f.name, f.limit, accountBody(f.name), nil)
		}
		for _, f := range []struct {
			name  string
			limit int
		}{{"name", 200}, {"title", 300}, {"external_id", 200}} {
			add("POST /api/v1/people", f.name, f.limit, func(v any) map[string]any {
				return map[string]any{"email": "p" + uniq() + "@base.example", "account_id": base.ID, f.name: v}
			}, nil)
		}
		add("POST /api/v1/people", "email", 254, func(v any) map[string]any { return map[string]any{"email": v} }, propEmail)
		for _, f := range []struct {
			name  string
			limit int
		}{{"title", 300}, {"description", 5000}, {"release_note", 10000}} {
			add("POST /api/v1/requests", f.name, f.limit, func(v any) map[string]any {
				b := map[string]any{"title": "Req " + uniq()}
				b[f.name] = v
				return b
			}, nil)
		}
		for _, f := range []struct {
			name  string
			limit int
		}{{"name", 200}, {"description", 5000}} {
			add("POST /api/v1/tags", f.name, f.limit, func(v any) map[string]any {
				b := map[string]any{"name": "Tag " + uniq()}
				b[f.name] = v
				return b
			}, nil)
		}
		add("POST /api/v1/touchpoints", "summary", 10000, func(v any) map[string]any {
			return map[string]any{"account_id": base.ID, "kind": "call", "direction": "outbound", "summary": v}
		}, nil)
		add("POST /api/v1/mrr-movements", "note", 2000, func(v any) map[string]any {
			return map[string]any{"account_id": base.ID, "mrr": 100 + seq, "currency": "USD", "note": v}
		}, nil)

		writes := 0
		for _, c := range cases {
			for _, n := range sizes(r, c.limit) {
				gen := c.value
				if gen == nil {
					gen = propString
				}
				v := gen(r, n)
				s, _ := v.(string)
				method, path, _ := strings.Cut(c.route, " ")
				res := e.do(e.rw, method, path, c.body(v))
				writes++
				checkWrite(t, c.route, c.field, len(s) > c.limit, res)
				if res.Status < 300 && len(s) <= c.limit {
					var out map[string]any
					json.Unmarshal(res.Body, &out)
					if got, ok := out[c.field].(string); ok && got != strings.TrimSpace(s) && got != s {
						t.Errorf("%s %s (%d bytes): stored %d bytes, not what was sent", c.route, c.field, len(s), len(got))
					}
				}
			}
		}

		// Money: random amounts at and beyond the bound. Every accepted account's MRR
		// counts toward one request, whose ranking must be the exact sum.
		var sum int64
		for i := range 12 {
			amounts := []int64{money.MaxAmount, money.MaxAmount + 1, math.MaxInt64, r.Int64N(money.MaxAmount + 1), -1 - r.Int64N(1000)}
			v := amounts[i%len(amounts)]
			res := e.do(e.rw, "POST", "/api/v1/accounts", map[string]any{"external_id": "m" + strconv.Itoa(i), "name": "M", "domain": fmt.Sprintf("m%d.example", i),
				"mrr": v, "currency": "USD"})
			checkWrite(t, "POST /api/v1/accounts", "mrr", v > money.MaxAmount || v < 0, res)
			if res.Status != http.StatusCreated {
				continue
			}
			var a account
			json.Unmarshal(res.Body, &a)
			if a.MRR != v {
				t.Fatalf("mrr %d stored as %d", v, a.MRR)
			}
			e.call(e.rw, "POST", "/api/v1/feedback", map[string]any{"text": "money", "account_id": a.ID, "request_ids": []string{req.ID}}, 201, nil)
			sum += v
		}
		// The base account's MRR (set by the movements above) counts too.
		e.call(e.read, "GET", "/api/v1/accounts/"+base.ID, nil, 200, &base)
		sum += base.MRR
		rr, _ := e.requestRanking("")
		got := ""
		for _, it := range rr.Items {
			if it.Request.ID == req.ID {
				got = string(it.Rank["mrr"])
			}
		}
		if got != strconv.FormatInt(sum, 10) {
			t.Fatalf("ranking mrr %s, want the exact sum %d", got, sum)
		}

		// Every page the team and customers see, within the byte budget.
		p := newPages(t, e)
		var accounts page[account]
		e.call(e.read, "GET", "/api/v1/accounts?limit=500", nil, 200, &accounts)
		paths := []string{"/accounts", "/feedback", "/feedback/inbox", "/feedback/new", "/requests", "/requests/" + req.ID,
			"/roadmap", "/tags", "/accounts/search?q=a", "/people/search?q=a", "/requests/search?q=b", "/tags/search?q=t",
			"/portal", "/portal/requests/" + req.ID, "/portal/roadmap", "/portal/changelog"}
		for _, a := range accounts.Items {
			paths = append(paths, "/accounts/"+a.ID, "/accounts/"+a.ID+"/edit")
		}
		for _, path := range paths {
			status, pg := p.do(t, "GET", path, nil)
			if status != http.StatusOK {
				t.Errorf("GET %s: status %d: %.500s", path, status, pg)
			}
			if !utf8.ValidString(pg) {
				t.Errorf("GET %s: not valid UTF-8", path)
			}
		}
		t.Logf("%d writes, %d pages", writes, len(paths))
	})
}

// checkWrite: 2xx only when the value was within its limit; otherwise a 4xx naming
// the field. Never a 5xx.
func checkWrite(t *testing.T, route, field string, over bool, res resp) {
	t.Helper()
	if res.Status >= 500 {
		t.Fatalf("%s %s: %d %s", route, field, res.Status, res.Body)
	}
	if res.Status < 300 {
		if over {
			t.Errorf("%s %s: a value beyond the limit was accepted (%d)", route, field, res.Status)
		}
		return
	}
	var ae apiError
	json.Unmarshal(res.Body, &ae)
	if res.Status >= 400 && res.Status < 500 && ae.Field == field {
		return
	}
	t.Errorf("%s %s: status %d field %q (%s), want 2xx or a 4xx naming %s", route, field, res.Status, ae.Field, ae.Error, field)
}
