package web_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestBrowserTriageKeyboardOnly triages an item in real Chromium with the keyboard
// alone: "t", type part of a tag, pick it with the arrows and Enter, confirm with
// Enter, and the next item appears. It also checks that a payload in feedback text
// does not run, and (on SQLite) saves screenshots of the inbox, the ranking and a
// request's evidence page.
func TestBrowserTriageKeyboardOnly(t *testing.T) {
	eachBrowser(t, func(t *testing.T, e *env) {
		e.member("ada@example.com", auth.RoleMember)
		tags := e.taxonomy()
		formulas := tags["Editor › Tables › Formulas"]
		acme := e.accountMRR("Acme Robotics", "strategic", 1250000)
		first := e.feedbackAt("Our finance team builds every report with formulas, and they break whenever someone renames a column. We lose a day each month.", acme.ID, 6)
		second := e.feedbackAt("Second item: exports should keep the filters.", acme.ID, 2)
		xss := e.feedbackAt(`Third item <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script>`, acme.ID, 1)

		b := openBrowser(t, e.s)
		ctx, step, waitFor, eval := b.Ctx, b.Step, b.WaitFor, b.Eval
		quoteStarts := func(prefix string) string {
			return `document.documentElement.dataset.js === "ready" && !!document.querySelector("#item-quote") && document.querySelector("#item-quote").textContent.startsWith(` + "`" + prefix + "`" + `)`
		}

		step("sign in",
			chromedp.Navigate(b.url+"/feedback/inbox"),
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword+kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("#inbox")),
		)
		waitFor("scripts", `document.documentElement.dataset.js === "ready"`)
		if q, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#item-quote"))); !strings.HasPrefix(q, "Our finance team") {
			t.Fatalf("inbox shows %q, want the oldest item", q)
		}

		// From here on: keyboard events only.
		step("press t", chromedp.KeyEvent("t"))
		if id := eval(`document.activeElement.id`); id != "tag-input" {
			t.Fatalf("t focused %q", id)
		}
		if v := eval(`document.activeElement.value`); v != "" {
			t.Fatalf("the shortcut typed %q into the field", v)
		}
		step("type formu",
			chromedp.KeyEvent("formu"),
			chromedp.WaitVisible(chromedp.CSS(`#tag-input-list [role="option"]`)),
		)
		// Each key asks the server again; the options for "form" may show before
		// those for "formu" arrive, so wait for the list to settle on the last query
		// (a stale answer overwriting the newer one still fails here).
		waitFor("options for formu", `(document.querySelector('#tag-input-list [aria-selected="true"]') || {}).textContent === "Editor › Tables › Formulas"`)
		step("arrow and pick", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
		if v := eval(`document.getElementById("tag-input").value`); v != "Editor › Tables › Formulas" {
			t.Fatalf("picked %q", v)
		}
		step("confirm",
			chromedp.KeyEvent(kb.Enter),
		)
		waitFor("confirm", quoteStarts("Second item"))
		got := mustItem(t, e.s, first.ID)
		if got.Status != feedback.Triaged || len(got.TagIDs) != 1 || got.TagIDs[0] != formulas.ID {
			t.Fatalf("after keyboard triage: %+v", got)
		}
		if mustItem(t, e.s, second.ID).Status != feedback.New {
			t.Fatal("the second item changed")
		}

		// "k" then "2" sets the kind (bug) and moves on to the payload item, which
		// must render as text and never run.
		step("kind by keys",
			chromedp.KeyEvent("k"),
			chromedp.KeyEvent("2"),
		)
		waitFor("kind by keys", quoteStarts("Third item"))
		if k := mustItem(t, e.s, second.ID).Kind; k != feedback.Bug {
			t.Errorf("kind by keys: %s", k)
		}
		step("settle", chromedp.Sleep(300*time.Millisecond))
		if v := eval(`String(window.__xss)`); v != "undefined" {
			t.Fatalf("payload ran: window.__xss = %s", v)
		}
		if n := eval(`String(document.querySelectorAll("#inbox img").length)`); n != "0" {
			t.Fatalf("payload made %s img elements", n)
		}
		if q, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#item-text"))); !strings.Contains(q, `<img src=x onerror="window.__xss=1">`) {
			t.Errorf("payload not shown as text: %q", q)
		}
		// "u" undoes the kind change: the second item is back.
		step("undo",
			chromedp.KeyEvent("u"),
		)
		waitFor("undo", quoteStarts("Second item"))
		if it := mustItem(t, e.s, second.ID); it.Status != feedback.New || it.Kind != feedback.Other {
			t.Errorf("after undo: %+v", it)
		}
		_ = xss

		if e.s.Dialect() != "sqlite" {
			return
		}
		// Screenshots for a person to look at: the inbox, the ranking, a request.
		rq := feedback.Request{Title: "Formula references survive column renames", Description: "Rename-safe references in formulas.", Status: feedback.Planned, Quarter: "2026-Q3", StrategicScore: 6}
		storetest.Must(t, e.s.CreateRequest(e.ctx, &rq))
		other := feedback.Request{Title: "Keep filters in exports", Status: feedback.UnderReview}
		storetest.Must(t, e.s.CreateRequest(e.ctx, &other))
		beta := e.accountMRR("Beta Logistics", "important", 430000)
		for i := 0; i < 8; i++ {
			acc := acme.ID
			if i%2 == 1 {
				acc = beta.ID
			}
			it := e.feedbackAt("Formulas break after a rename, again.", acc, 3+i*12)
			storetest.Must(t, e.s.LinkFeedback(e.ctx, rq.ID, it.ID, ""))
		}
		storetest.Must(t, e.s.LinkFeedback(e.ctx, rq.ID, first.ID, ""))
		storetest.Must(t, e.s.LinkFeedback(e.ctx, other.ID, second.ID, ""))
		shot := func(path, wait, file string) {
			t.Helper()
			step("open "+path, chromedp.Navigate(b.url+path), chromedp.WaitVisible(chromedp.CSS(wait)))
			waitFor("scripts", `document.documentElement.dataset.js === "ready"`)
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if err := os.WriteFile(os.TempDir()+"/"+file, png, 0o644); err != nil {
				t.Log(err)
			}
		}
		shot("/feedback/inbox", "#inbox", "closeloop-inbox.png")
		step("open the type-ahead", chromedp.KeyEvent("t"), chromedp.KeyEvent("fil"), chromedp.WaitVisible(chromedp.CSS(`#tag-input-list [role="option"]`)))
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(os.TempDir()+"/closeloop-inbox-typeahead.png", png, 0o644)
		}
		shot("/requests?sort=mrr", "#requests-table", "closeloop-requests.png")
		shot("/requests/"+rq.ID, "#evidence", "closeloop-request.png")
		shot("/roadmap", "#board", "closeloop-roadmap.png")
		shot("/tags", "#tag-tree", "closeloop-tags.png")

		// "f" opens the quick-add dialog from any page, focused on an empty text box.
		step("press f", chromedp.KeyEvent("f"), chromedp.WaitVisible(chromedp.CSS("#qa-text")))
		if id, v := eval(`document.activeElement.id`), eval(`document.getElementById("qa-text").value`); id != "qa-text" || v != "" {
			t.Errorf("f: focus %q, text %q", id, v)
		}
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(os.TempDir()+"/closeloop-quick-add.png", png, 0o644)
		}
	})
}
