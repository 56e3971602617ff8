package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestStaticAssets(t *testing.T) {
	e := newEnv(t, storetest.Open(t, "sqlite"))
	for path, wantType := range map[string]string{
		"/static/app.css":                   "text/css",
		"/static/app.js":                    "text/javascript",
		"/static/vendor/htmx-2.0.11.min.js": "text/javascript",
	} {
		r := e.Get(path, nil) // public: the sign-in page needs them
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
	}
	if cc := e.Get("/static/vendor/htmx-2.0.11.min.js", nil).Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned vendor file not cached long: %q", cc)
	}
	wantStatus(t, e.Get("/static/", nil), http.StatusNotFound)
	wantStatus(t, e.Get("/static/nope.css", nil), http.StatusNotFound)
}

// TestVendoredHTMXChecksum keeps the vendored file and its README in step, so a
// changed or swapped file cannot slip in unnoticed.
func TestVendoredHTMXChecksum(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("static", "vendor", "htmx-2.0.11.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	readme, err := os.ReadFile(filepath.Join("static", "vendor", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), hex.EncodeToString(sum[:])) {
		t.Fatalf("static/vendor/README.md does not list sha256 %x of htmx-2.0.11.min.js", sum)
	}
	if _, err := os.Stat(filepath.Join("static", "vendor", "htmx-LICENSE")); err != nil {
		t.Fatal("htmx licence missing")
	}
}

var (
	inlineScriptRE  = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	styleAttrRE     = regexp.MustCompile(`\sstyle\s*=`)
	handlerAttrRE   = regexp.MustCompile(`\son[a-z]+\s*=\s*["']`)
	externalRefsRE  = regexp.MustCompile(`(?:src|href)="(https?:)?//`)
	styleElementRE  = regexp.MustCompile(`<style[\s>]`)
	javascriptURLRE = regexp.MustCompile(`(?i)href="javascript:`)
)

// TestPagesFitTheCSP renders every page and checks it uses nothing the app's
// Content-Security-Policy blocks: inline scripts, style attributes or elements, on*
// handlers, or assets from other origins.
func TestPagesFitTheCSP(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	e := newEnv(t, s)
	admin := e.member("root@example.com", auth.RoleAdmin)
	a := seedAccount(t, e, admin)
	c := e.session(admin)
	type page struct {
		method, path string
		form         url.Values
	}
	pages := []page{
		{"GET", "/signin", nil},
		{"POST", "/signin", url.Values{"email": {"x@example.com"}, "password": {"nope nope nope"}}},
		{"GET", "/accounts", nil},
		{"GET", "/accounts/" + a.ID, nil},
		{"GET", "/accounts/" + a.ID + "/edit", nil},
		{"POST", "/accounts/" + a.ID + "/touchpoints", url.Values{"summary": {""}, "kind": {"call"}}},
		{"GET", "/settings/team", nil},
		{"POST", "/settings/api-keys", url.Values{"name": {"k"}, "scope": {"read"}}},
		{"GET", "/accounts/missing", nil},
	}
	for _, p := range pages {
		cookie := c
		if strings.HasPrefix(p.path, "/signin") {
			cookie = nil
		}
		r := e.Do(p.method, p.path, p.form, cookie)
		if !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: %d %q", p.method, p.path, r.Code, r.Header().Get("Content-Type"))
			continue
		}
		for _, tag := range inlineScriptRE.FindAllString(r.Text, -1) {
			if !strings.Contains(tag, ` src="/static/`) {
				t.Errorf("%s %s: inline or foreign script %s", p.method, p.path, tag)
			}
		}
		for name, re := range map[string]*regexp.Regexp{"style attribute": styleAttrRE, "event handler": handlerAttrRE,
			"external asset": externalRefsRE, "style element": styleElementRE, "javascript: URL": javascriptURLRE} {
			if m := re.FindString(r.Text); m != "" {
				t.Errorf("%s %s: %s %q", p.method, p.path, name, m)
			}
		}
	}
}
