package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
)

// browser is a real Chromium on the whole app over one store, for UI tests.
type browser struct {
	*browsertest.Page
	url string // the server's base URL
}

// openBrowser starts the app over s and Chromium for one test (60 s in all).
func openBrowser(t *testing.T, s *store.Store) *browser {
	t.Helper()
	return serveBrowser(t, app.New(config.Default(), s, slog.New(slog.DiscardHandler)).Handler())
}

// openBrowserSelf is openBrowser with the app's base URL set to its server's own
// address, so the links it mails are real; cfg is what the app runs with.
func openBrowserSelf(t *testing.T, s *store.Store) (b *browser, cfg config.Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg = config.Default()
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = app.New(cfg, s, slog.New(slog.DiscardHandler)).Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &browser{Page: browsertest.Open(t, 60*time.Second), url: srv.URL}, cfg
}

// serveBrowser serves h and starts Chromium for one test (60 s in all).
func serveBrowser(t *testing.T, h http.Handler) *browser {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &browser{Page: browsertest.Open(t, 60*time.Second), url: srv.URL}
}

// signIn opens path, signs in as email (testPassword) and waits for ready.
func (b *browser) signIn(path, email, ready string) {
	b.T.Helper()
	b.Step("sign in",
		chromedp.Navigate(b.url+path),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)
}

// eachBrowser runs a UI test on both dialects, each with the app over its own fresh
// store; without Chromium it is skipped, or fails in CI (browsertest.Require).
func eachBrowser(t *testing.T, test func(t *testing.T, e *env)) {
	t.Helper()
	browsertest.Require(t)
	eachEnv(t, test)
}

// browserAs adds a member with role and opens the app in Chromium signed in as them,
// at path once ready is shown.
func (e *env) browserAs(email string, role auth.Role, path, ready string) *browser {
	e.t.Helper()
	e.member(email, role)
	b := openBrowser(e.t, e.s)
	b.signIn(path, email, ready)
	return b
}
