package router

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A handler that panics answers 500 through the route kind's renderer, the panic and
// its stack are logged, and the next request is served as usual.
func TestPanickingHandlerAnswers500AndServerGoesOn(t *testing.T) {
	var logs bytes.Buffer
	render := func(w http.ResponseWriter, r *http.Request, e *Error) {
		http.Error(w, e.Msg, e.Status)
	}
	rt := New(Authenticator{}, render, render, slog.New(slog.NewTextHandler(&logs, nil)))
	rt.Public("GET /boom", func(w http.ResponseWriter, r *http.Request) error {
		var m map[string]int
		m["x"] = 1 // nil map write: a real runtime panic
		return nil
	})
	rt.Public("GET /ok", func(w http.ResponseWriter, r *http.Request) error {
		_, err := w.Write([]byte("fine"))
		return err
	})
	srv := httptest.NewServer(rt)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatalf("panicking handler dropped the connection: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", res.StatusCode)
	}
	for _, want := range []string{"handler panicked", "assignment to entry in nil map", "router_test.go"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	res, err = http.Get(srv.URL + "/ok")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("server stopped serving after a panic: %v %v", res, err)
	}
	res.Body.Close()
}
