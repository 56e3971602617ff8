package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestIngestScopeOpensOnlyV1: the routes needing the ingest scope are exactly /v1/*
// (the route walk proves an ingest key is refused everywhere else), and the Segment
// ways of presenting a key — basic auth, writeKey in the body — count under /v1/ only.
func TestIngestScopeOpensOnlyV1(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := app.New(config.Default(), s, slog.New(slog.DiscardHandler))
		v1 := 0
		for _, rt := range a.Router.Routes() {
			under := strings.HasPrefix(rt.Path, "/v1/")
			ingest := rt.Kind == router.API && rt.Scope == auth.ScopeIngest
			if under != ingest {
				t.Errorf("%s %s: kind %d scope %q; /v1/* and only /v1/* need the ingest scope", rt.Method, rt.Path, rt.Kind, rt.Scope)
			}
			if under {
				v1++
			}
		}
		if v1 != 8 {
			t.Errorf("%d /v1/ routes, want 8 (track, identify, group, page, screen, alias, batch, import)", v1)
		}
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		_, key, err := s.CreateAPIKey(context.Background(), "ingest", []auth.Scope{auth.ScopeIngest}, "")
		if err != nil {
			t.Fatal(err)
		}
		_, admin, err := s.CreateAPIKey(context.Background(), "admin", []auth.Scope{auth.ScopeAdmin}, "")
		if err != nil {
			t.Fatal(err)
		}
		do := func(method, path, body string, basic string) int {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if basic != "" {
				req.SetBasicAuth(basic, "")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		for _, tc := range []struct {
			name, method, path, body, basic string
			want                            int
		}{
			{"basic auth on /v1", "POST", "/v1/track", `{"userId":"u","event":"E"}`, key, 200},
			{"writeKey on /v1", "POST", "/v1/track", `{"writeKey":"` + key + `","userId":"u","event":"E"}`, "", 200},
			{"basic auth elsewhere, even an admin key", "GET", "/api/v1/accounts", "", admin, 401},
			{"writeKey elsewhere", "POST", "/api/v1/accounts", `{"writeKey":"` + admin + `","name":"x"}`, "", 401},
		} {
			if got := do(tc.method, tc.path, tc.body, tc.basic); got != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
			}
		}
	})
}
