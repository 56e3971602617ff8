// Package webtest drives an http.Handler in-process for the HTML tests of the team
// UI, the portal and the pages reached by a signed link: one way to send a request,
// record its answer and check status and body, instead of a copy per package.
package webtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Resp is a recorded answer with its body read once into Text.
type Resp struct {
	*httptest.ResponseRecorder
	Text string
}

// Send serves r with h and records the answer.
func Send(h http.Handler, r *http.Request) Resp {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return Resp{w, w.Body.String()}
}

// Do sends a request to h; form, when not nil, is posted urlencoded; c, when not nil,
// goes as a cookie. Extra headers come as "Name: value" strings.
func Do(h http.Handler, method, path string, form url.Values, c *http.Cookie, headers ...string) Resp {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c != nil {
		r.AddCookie(c)
	}
	SetHeaders(r, headers...)
	return Send(h, r)
}

// Client sends requests to H in-process; a test's wrapper of the app embeds it.
type Client struct{ H http.Handler }

// Do sends a request as Do does.
func (c Client) Do(method, path string, form url.Values, ck *http.Cookie, headers ...string) Resp {
	return Do(c.H, method, path, form, ck, headers...)
}

// Get sends a GET with the cookie ck, when not nil.
func (c Client) Get(path string, ck *http.Cookie) Resp { return Do(c.H, "GET", path, nil, ck) }

// Post posts form urlencoded with the cookie ck, when not nil.
func (c Client) Post(path string, form url.Values, ck *http.Cookie) Resp {
	return Do(c.H, "POST", path, form, ck)
}

// SetHeaders sets each "Name: value" header on r.
func SetHeaders(r *http.Request, headers ...string) {
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
}

// WantStatus stops the test unless r has the status code, showing where it redirected
// and the start of its body.
func WantStatus(t testing.TB, r Resp, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d; location %q; body:\n%s", r.Code, code, r.Header().Get("Location"), Clip(r.Text))
	}
}

// WantIn fails the test for each of subs the body lacks.
func WantIn(t testing.TB, r Resp, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.Text, s) {
			t.Errorf("body lacks %q:\n%s", s, Clip(r.Text))
		}
	}
}

// WantNotIn fails the test for each of subs the body has.
func WantNotIn(t testing.TB, r Resp, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.Text, s) {
			t.Errorf("body has %q", s)
		}
	}
}

// Clip cuts a body to what is worth reading in a failure message.
func Clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

// Cookie is the cookie named name the answer sets with a value, or nil.
func (r Resp) Cookie(name string) *http.Cookie {
	for _, c := range r.Result().Cookies() {
		if c.Name == name && c.Value != "" {
			return c
		}
	}
	return nil
}

// Markup a page must show as text, never run: a script, and a break out of an
// attribute into an element with a handler.
const (
	XSSScript = `<script>alert(1)</script>`
	XSSAttr   = `"><img src=x onerror=alert(1)>`
)
