package app_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestCSPForbidsBase: without base-uri a <base> tag injected into a page would re-root
// every relative script and form URL on another origin (issue 13, defect 11).
func TestCSPForbidsBase(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	h := app.New(config.Default(), s, slog.New(slog.DiscardHandler)).Handler()
	for _, path := range []string{"/signin", "/portal", "/healthz"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "base-uri 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s (%d): CSP %q", path, w.Code, csp)
		}
	}
}
