package api_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

// getCSV fetches path with key, which must answer 200 with CSV, and parses it.
func getCSV(t *testing.T, e *env, key, path string) [][]string {
	t.Helper()
	r := e.do(key, "GET", path, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatalf("%v in %s", err, r.Body)
	}
	return recs
}

// The exports: an important account named like a formula, never contacted, with no
// usage, scores (0×25 + 0×15 + 100×10) / 50 = 20 — usage weight 0.5, contact 0.3,
// support 0.2 with 20 points, the rest missing — and fires the cadence and red
// signals, each with a task. Each export is CSV with the account's name defused.
func TestHealthExportsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.newAccount(map[string]any{"name": "=Silent", "tier": "important"})
		if err := e.s.SyncHealth(context.Background(), e.s.Now()); err != nil {
			t.Fatal(err)
		}
		today := e.s.Now().UTC().Format(time.DateOnly)
		h := getCSV(t, e, e.read, "/api/v1/health/history?account_id="+a.ID+"&from="+today)
		if len(h) != 2 || len(h[0]) != 7+3*9 || h[0][6] != "weights_profile" || h[0][7] != "usage_score" {
			t.Fatalf("history: %q", h)
		}
		want := []string{a.ID, "'=Silent", today, "20", "red", "v1", "tier:default", "0", "0.5", "0", "", "", "", "", "", "", "0", "0.3", "0", "", "", "", "100", "0.2", "20", "", "", "", "", "", "", "", "", ""}
		if strings.Join(h[1], "|") != strings.Join(want, "|") {
			t.Fatalf("history row\n got %q\nwant %q", h[1], want)
		}
		if h := getCSV(t, e, e.read, "/api/v1/health/history?to=2000-01-01"); len(h) != 1 {
			t.Fatalf("nothing before 2000: %q", h)
		}
		tk := getCSV(t, e, e.read, "/api/v1/tasks?format=csv&status=open")
		if len(tk) != 3 || tk[0][0] != "id" || tk[1][2] != "'=Silent" || tk[1][4] != "cadence" || tk[1][6] != "never in touch, cadence is 7" || tk[2][4] != "health_red" || tk[1][8] != "open" {
			t.Fatalf("tasks: %q", tk)
		}
		sg := getCSV(t, e, e.read, "/api/v1/signals?format=csv&account_id="+a.ID)
		if len(sg) != 3 || sg[0][2] != "rule" || sg[1][0] != a.ID || sg[1][4] != today {
			t.Fatalf("signals: %q", sg)
		}
		e.fails(e.read, "GET", "/api/v1/tasks?format=csv&limit=5", nil, 400, "limit", "format=csv")
		e.fails(e.read, "GET", "/api/v1/signals?format=xml", nil, 400, "format")
		e.fails(e.read, "GET", "/api/v1/health/history?from=yesterday", nil, 400, "from")
		e.call(e.read, "GET", "/api/v1/health/history?account_id=nonesuch", nil, 404, nil)
		e.call(e.write, "GET", "/api/v1/health/history", nil, 403, nil)
	})
}
