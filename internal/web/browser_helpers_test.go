package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
)

// browser is a real Chromium on the whole app over one store, for UI tests.
type browser struct {
	t   *testing.T
	ctx context.Context
	url string // the server's base URL
}

// openBrowser starts the app over s and Chromium for one test (60 s in all).
func openBrowser(t *testing.T, s *store.Store) *browser {
	t.Helper()
	srv := httptest.NewServer(app.New(config.Default(), s, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	return &browser{t: t, ctx: browsertest.New(t, 60*time.Second), url: srv.URL}
}

// step runs actions, failing the test with what was being done.
func (b *browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// signIn opens path, signs in as email (testPassword) and waits for ready.
func (b *browser) signIn(path, email, ready string) {
	b.t.Helper()
	b.step("sign in",
		chromedp.Navigate(b.url+path),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)
}

// text is the element's text with its white space collapsed.
func (b *browser) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v", sel, err)
	}
	return strings.Join(strings.Fields(v), " ")
}
