package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Page is one test's browser whose actions fail the test with what was being done,
// so a UI test reads as its steps instead of an error check after each.
type Page struct {
	T   testing.TB
	Ctx context.Context
}

// Open starts a browser for t, as New does.
func Open(t testing.TB, timeout time.Duration) *Page {
	t.Helper()
	return &Page{T: t, Ctx: New(t, timeout)}
}

// Step runs actions, failing the test with what was being done.
func (p *Page) Step(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.T.Helper()
	if err := chromedp.Do(p.Ctx, actions...); err != nil {
		p.T.Fatalf("%s: %v", what, err)
	}
}

// Text is the element's text with its white space collapsed.
func (p *Page) Text(sel string) string {
	p.T.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.T.Fatalf("%s: %v", sel, err)
	}
	return strings.Join(strings.Fields(v), " ")
}

// Eval is the string a script evaluates to.
func (p *Page) Eval(js string) string {
	p.T.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.T.Fatalf("%s: %v", js, err)
	}
	return v
}

// Poll reports whether js becomes true within 10 s, asking from Go: a form submit
// replaces the page, and a poll running inside the old page dies with it.
func (p *Page) Poll(js string) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(p.Ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// WaitFor fails the test unless js becomes true within 10 s.
func (p *Page) WaitFor(what, js string) {
	p.T.Helper()
	if !p.Poll(js) {
		p.T.Fatalf("%s: timed out waiting for %s", what, js)
	}
}
