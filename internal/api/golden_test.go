package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var (
	idRE   = regexp.MustCompile(`"([0-9a-z]{26})"`)
	timeRE = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)
)

// golden compares an API payload with testdata/name, after replacing what changes
// from run to run (ids, timestamps) with placeholders. Run with -update to accept.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("%s: not JSON: %s", name, body)
	}
	got := idRE.ReplaceAll(buf.Bytes(), []byte(`"<id>"`))
	got = timeRE.ReplaceAll(got, []byte(`"<time>"`))
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}

func TestGoldenPayloads(t *testing.T) {
	// The payload is the same on both dialects; comparing both to one file proves it.
	each(t, func(t *testing.T, e *env) {
		a := e.newAccount(`{"external_id": "acme-1", "name": "Acme", "domain": "acme.com", "plan": "pro",
			"seats": 25, "company_size": 200, "tier": "important", "icp_fit": 70, "stage": "onboarding", "signup_date": "2025-01-15",
			"goal": "cut churn by a third", "traits": {"region": "eu", "segment": "mid-market"}, "cab": true,
			"mrr": 129900, "currency": "EUR", "mrr_effective_at": "2025-01-15T00:00:00Z"}`)
		e.call(e.rw, "POST", "/api/v1/contracts", map[string]any{"account_id": a.ID, "start_date": "2025-01-15", "term_months": 12, "value": 1558800, "currency": "EUR"}, 201, nil)
		r := e.call(e.read, "GET", "/api/v1/accounts/"+a.ID, nil, 200, nil)
		golden(t, "account.json", r.Body)

		r = e.do(e.rw, "POST", "/api/v1/accounts/bulk", `{"accounts": [{"external_id": "x1", "name": "Ok"}, {"external_id": "x2", "name": "Bad", "seats": -3}]}`)
		if r.Status != 400 {
			t.Fatalf("bad batch: %d", r.Status)
		}
		golden(t, "error_bulk_item.json", r.Body)
	})
}

// TestOpenAPIMatchesRoutes keeps the description truthful: every registered API route
// (/api/v1 and the Segment API under /v1) is documented with the scope it really needs, and nothing undocumented or imaginary.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	e := newEnv(t, s)
	r := e.call("", "GET", "/api/v1/openapi.json", nil, 200, nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]string{} // "GET /api/v1/x" → scope
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Scope     string `json:"x-scope"`
				Responses map[string]json.RawMessage
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if len(op.Responses) == 0 {
				t.Errorf("%s %s documents no responses", method, path)
			}
			documented[strings.ToUpper(method)+" "+path] = op.Scope
		}
	}
	registered := map[string]bool{}
	for _, rt := range e.app.Router.Routes() {
		key := rt.Method + " " + rt.Path
		if !strings.HasPrefix(rt.Path, "/api/v1/") && !strings.HasPrefix(rt.Path, "/v1/") { // the JSON API and Segment ingestion
			continue
		}
		registered[key] = true
		want := string(rt.Scope)
		if rt.Kind == router.Public {
			want = "public"
		}
		scope, ok := documented[key]
		switch {
		case !ok:
			t.Errorf("%s is registered but not in openapi.json", key)
		case scope != want:
			t.Errorf("%s: openapi.json says scope %q, the route needs %q", key, scope, want)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("%s is in openapi.json but not registered", key)
		}
	}
	// Every schema reference resolves.
	var full struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	json.Unmarshal(r.Body, &full)
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(r.Body), -1) {
		if _, ok := full.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling schema reference %s", m[1])
		}
	}
	if n := len(registered); n < 20 {
		t.Errorf("only %d API routes registered", n)
	}
}
