package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// env is a running app over HTTP with one key per scope.
type env struct {
	t     *testing.T
	s     *store.Store
	app   *app.App
	url   string
	read  string // read-only key
	write string // write-only key
	admin string
	rw    string // read and write: what a typical integration has
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	return newEnvWith(t, s, config.Default())
}

// newEnvWith is newEnv with cfg as the app's configuration.
func newEnvWith(t *testing.T, s *store.Store, cfg config.Config) *env {
	t.Helper()
	a := app.New(cfg, s, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, s: s, app: a, url: srv.URL}
	e.read = e.key(auth.ScopeRead)
	e.write = e.key(auth.ScopeWrite)
	e.admin = e.key(auth.ScopeAdmin)
	e.rw = e.key(auth.ScopeRead, auth.ScopeWrite)
	return e
}

// each runs fn on a fresh app over each dialect.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, s *store.Store) { fn(t, newEnv(t, s)) })
}

func (e *env) key(scopes ...auth.Scope) string {
	e.t.Helper()
	_, secret, err := e.s.CreateAPIKey(context.Background(), "test", scopes, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// resp is a response with its body read.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends body (a string is sent as is, anything else as JSON) with key.
func (e *env) do(key, method, path string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// call sends a request, fails the test unless the status is want, and decodes the
// body into out (when not nil).
func (e *env) call(key, method, path string, body any, want int, out any) resp {
	e.t.Helper()
	r := e.do(key, method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.Status, want, r.Body)
	}
	if want != http.StatusNoContent {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			e.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, r.Body, err)
		}
	}
	return r
}

type apiError struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

// fails sends a request that must be refused with status, naming field, with a
// message containing each of msgs.
func (e *env) fails(key, method, path string, body any, status int, field string, msgs ...string) apiError {
	e.t.Helper()
	var ae apiError
	e.call(key, method, path, body, status, &ae)
	if ae.Field != field {
		e.t.Errorf("%s %s: field %q, want %q (error %q)", method, path, ae.Field, field, ae.Error)
	}
	for _, m := range msgs {
		if !strings.Contains(ae.Error, m) {
			e.t.Errorf("%s %s: error %q does not mention %q", method, path, ae.Error, m)
		}
	}
	return ae
}

type account struct {
	ID          string          `json:"id"`
	ExternalID  string          `json:"external_id"`
	Name        string          `json:"name"`
	Domain      string          `json:"domain"`
	Plan        string          `json:"plan"`
	Seats       int             `json:"seats"`
	Tier        string          `json:"tier"`
	ICPFit      *int            `json:"icp_fit"`
	Stage       string          `json:"stage"`
	OwnerID     string          `json:"owner_id"`
	Goal        string          `json:"goal"`
	Traits      json.RawMessage `json:"traits"`
	MRR         int64           `json:"mrr"`
	Currency    string          `json:"currency"`
	RenewalDate string          `json:"renewal_date"`
}

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
	Total      int    `json:"total"`
}

type upsert struct{ Created, Updated, Unchanged int }

type movement struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Kind      string `json:"kind"`
	Delta     int64  `json:"delta"`
	MRRAfter  int64  `json:"mrr_after"`
	Currency  string `json:"currency"`
}

// walk follows next_cursor from path (which has a query string) and returns every
// item, failing on a repeated id.
func walk[T any](e *env, key, path string, id func(T) string) []T {
	e.t.Helper()
	var all []T
	seen := map[string]bool{}
	url := path
	for pages := 0; ; pages++ {
		if pages > 1000 {
			e.t.Fatalf("%s: pagination does not end", path)
		}
		var p page[T]
		e.call(key, "GET", url, nil, http.StatusOK, &p)
		for _, it := range p.Items {
			if seen[id(it)] {
				e.t.Fatalf("%s: %s repeated across pages", path, id(it))
			}
			seen[id(it)] = true
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all
		}
		url = path + "&cursor=" + p.NextCursor
	}
}

func ptr[T any](v T) *T { return &v }

// newAccount creates an account from body (JSON, or a value sent as JSON) with the
// read-write key, failing the test unless it is created.
func (e *env) newAccount(body any) account {
	e.t.Helper()
	var a account
	e.call(e.rw, "POST", "/api/v1/accounts", body, http.StatusCreated, &a)
	return a
}
