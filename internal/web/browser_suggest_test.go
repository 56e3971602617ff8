package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestBrowserAcceptSuggestionWithOneKey: the real app trains its suggestion model on
// the team's earlier tagging; in Chromium, the inbox shows the suggestion for a new
// item and Alt+1 alone applies it; the item then carries the tag and the acceptance
// is recorded.
func TestBrowserAcceptSuggestionWithOneKey(t *testing.T) {
	browsertest.Require(t)
	s := storetest.Open(t, "sqlite")
	e := newEnv(t, s)
	e.member("ada@example.com", auth.RoleMember)
	tags := e.taxonomy()
	formulas := tags["Editor › Tables › Formulas"].ID
	var other string
	for path, tg := range tags {
		if path != "Editor › Tables › Formulas" && tg.ParentID != "" {
			other = tg.ID
			break
		}
	}
	ctx := context.Background()
	// The team's past tagging: formula complaints → Formulas, anything else → another tag.
	for i := 0; i < 15; i++ {
		for _, c := range []struct{ text, tag string }{
			{fmt.Sprintf("formula breaks when a column is renamed (%d)", i), formulas},
			{fmt.Sprintf("spreadsheet formulas show #REF errors after import (%d)", i), formulas},
			{fmt.Sprintf("the mobile app logs me out every morning (%d)", i), other},
		} {
			storetest.Capture(t, s, feedback.Capture{Text: c.text, Source: feedback.SourceEmail, TagIDs: []string{c.tag}})
		}
	}
	item := storetest.Capture(t, s, feedback.Capture{Text: "Our formulas break whenever someone renames a column.", Source: feedback.SourceEmail})
	a := trainedApp(t, s)
	if err := a.Tagging.Wait(); err != nil {
		t.Fatal(err)
	}
	b := serveBrowser(t, a.Handler())
	bctx := b.Ctx
	b.Step("open inbox with suggestions",
		chromedp.Navigate(b.url+"/feedback/inbox"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`form[data-suggestion="1"]`)),
	)
	first, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('form[data-suggestion="1"] input[name="tag_id"]').value`))
	if err != nil || first != formulas {
		t.Fatalf("first suggestion is %q (%v), want Formulas %q", first, err, formulas)
	}
	// Wait for the page script, then press Alt+1 and nothing else.
	if !b.Poll(`document.documentElement.dataset.js === "ready"`) {
		t.Fatal("page script never became ready")
	}
	if err := chromedp.Do(bctx, chromedp.KeyEvent("1", chromedp.KeyModifiers(chromedp.ModifierAlt))); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, err := s.GetFeedback(ctx, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.TagIDs) == 1 && got.TagIDs[0] == formulas && got.Status == feedback.Triaged {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Alt+1 the item has tags %v, status %s", got.TagIDs, got.Status)
		}
	}
	rates, err := s.SuggestionRates(ctx)
	if err != nil || rates[formulas].Accepted != 1 || rates[formulas].Shown != 1 {
		t.Fatalf("acceptance not recorded: %+v %v", rates, err)
	}
	// The tags page shows the acceptance rate per tag.
	page := e.Get("/tags", e.signedIn("viewer@example.com", auth.RoleViewer))
	if !strings.Contains(page.Text, "1 of 1 (100%)") {
		t.Fatalf("tags page does not show the acceptance rate")
	}
}
