package web_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestBrowserCloseTheLoop drives the close-the-loop page in real Chromium: a shipped
// request asked for by Ann and Bob; skip Bob, rewrite Ann's email, send all. The
// outbox worker then delivers to a real SMTP server: Ann gets exactly the text typed
// in the browser, Bob gets nothing.
func TestBrowserCloseTheLoop(t *testing.T) {
	browsertest.Require(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		mail := smtptest.Start(t)
		// The server's own address is the base URL, so unsubscribe links are real.
		b, cfg := openBrowserSelf(t, s)
		e := newEnvConfig(t, s, cfg)
		e.member("pm@example.com", auth.RoleMember)
		if _, err := notify.SaveSMTP(e.ctx, s, mail.Settings()); err != nil {
			t.Fatal(err)
		}
		acme := e.account(account.Account{Name: "Acme", Domain: "acme.com"})
		req := e.request("Dark mode")
		at := time.Now().UTC().AddDate(0, 0, -4)
		for _, c := range []feedback.Capture{
			{Text: "Night shift staff", Quote: "Our night shift squints at the white screens", Source: feedback.SourceCall, Email: "ann@acme.com", Name: "Ann Archer", AccountID: acme.ID, OccurredAt: at},
			{Text: "Dark mode please, my eyes", Source: feedback.SourceIntercom, Email: "bob@acme.com", Name: "Bob Baker", AccountID: acme.ID, OccurredAt: at},
		} {
			c.RequestIDs = []string{req.ID}
			if _, _, err := s.Capture(e.ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		req.Status = feedback.Shipped
		if _, err := s.UpdateRequest(e.ctx, &req); err != nil {
			t.Fatal(err)
		}

		ctx, step := b.Ctx, b.Step
		// A form submit replaces the page: poll from Go until the next page says so.
		flashHas := func(what, text string) {
			t.Helper()
			if b.Poll(`(() => { const f = document.querySelector("p.flash"); return !!f && f.textContent.includes(` + "`" + text + "`" + `) })()`) {
				return
			}
			f, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("p.flash") ? document.querySelector("p.flash").textContent : document.body.innerText.slice(0, 500)`))
			t.Fatalf("%s: no flash with %q; page says %q", what, text, f)
		}
		drafts := func() map[string]store.LoopEmail {
			t.Helper()
			ds, err := s.ListLoopEmails(e.ctx, req.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]store.LoopEmail{}
			for _, d := range ds {
				out[d.Email] = d
			}
			return out
		}

		loopPath := "/requests/" + req.ID + "/loop"
		step("sign in to the loop page",
			chromedp.Navigate(b.url+loopPath),
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), "pm@example.com"),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword+kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("#loop-drafts")),
		)
		ds := drafts()
		ann, bob := ds["ann@acme.com"], ds["bob@acme.com"]
		if len(ds) != 2 || ann.Status != store.LoopDraft || bob.Status != store.LoopDraft {
			t.Fatalf("drafts prepared on opening the page: %+v", ds)
		}
		if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#draft-"+ann.ID+" .loop-quote"))); !strings.Contains(txt, "Our night shift squints at the white screens") {
			t.Fatalf("Ann's row shows %q", txt)
		}

		step("skip Bob", chromedp.Click(chromedp.CSS("#draft-"+bob.ID+` form[action$="/skip"] button`)))
		flashHas("skip Bob", "Bob Baker will not be emailed")
		if got := drafts()["bob@acme.com"].Status; got != store.LoopSkipped {
			t.Fatalf("Bob after skip: %s", got)
		}

		step("open Ann's email",
			chromedp.Click(chromedp.CSS("#draft-"+ann.ID+` a[href*="draft=`+ann.ID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#draft-`+ann.ID+`[aria-current="true"]`)),
			chromedp.WaitVisible(chromedp.CSS("#le-body")),
		)
		body, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#le-body")))
		if err != nil || !strings.HasPrefix(body, "Hi Ann,") || !strings.Contains(body, "Our night shift squints") {
			t.Fatalf("Ann's draft in the form: %q %v", body, err)
		}
		// Keep the unsubscribe line, replace everything above it.
		unsub := strings.Index(body, cfg.BaseURL+"/unsubscribe/")
		if unsub < 0 {
			t.Fatalf("no unsubscribe link in %q", body)
		}
		if nl := strings.LastIndex(body[:unsub], "\n"); nl >= 0 {
			unsub = nl + 1
		}
		const subject = "Ann, dark mode is live"
		edited := "Hi Ann,\n\nYou told us the night shift squints at white screens. Dark mode is on for everyone at Acme since this morning: Settings → Appearance.\n\nThanks for pushing us,\nPriya\n\n" + body[unsub:]
		step("edit Ann's email",
			// Replace most of the subject, type the rest.
			chromedp.SetValue(chromedp.CSS("#le-subject"), subject[:len(subject)-4]),
			chromedp.SendKeys(chromedp.CSS("#le-subject"), subject[len(subject)-4:]),
			chromedp.SetValue(chromedp.CSS("#le-body"), edited),
			chromedp.Click(chromedp.CSS(`#loop-edit button[type="submit"]`)),
		)
		flashHas("save Ann's email", "Email to Ann Archer saved")
		if got := drafts()["ann@acme.com"]; got.Subject != subject || got.BodyText != edited {
			t.Fatalf("Ann's draft after the edit: %q\n%q", got.Subject, got.BodyText)
		}
		if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#preview-text"))); !strings.Contains(txt, "Dark mode is on for everyone at Acme") {
			t.Fatalf("preview after the edit: %q", txt)
		}

		label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`button[name="all"]`)))
		if err != nil || label != "Send all 1 drafts" {
			t.Fatalf("send-all button %q %v", label, err)
		}
		step("send all", chromedp.Click(chromedp.CSS(`button[name="all"]`)))
		flashHas("send all", "1 email queued")
		ds = drafts()
		if ds["ann@acme.com"].Status != store.LoopQueued || ds["bob@acme.com"].Status != store.LoopSkipped {
			t.Fatalf("after send: Ann %s, Bob %s", ds["ann@acme.com"].Status, ds["bob@acme.com"].Status)
		}

		// The outbox worker (what serve runs in the background) delivers.
		w := &notify.Worker{Store: s, Log: slog.New(slog.DiscardHandler)}
		if n, err := w.Tick(e.ctx); n != 1 || err != nil {
			t.Fatalf("worker tick: %d %v", n, err)
		}
		msgs := mail.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ann@acme.com" {
			var to [][]string
			for _, m := range msgs {
				to = append(to, m.To)
			}
			t.Fatalf("the SMTP server received mail for %v, want Ann only (Bob was skipped)", to)
		}
		m, err := smtptest.Parse(msgs[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("Subject") != subject {
			t.Errorf("subject %q", m.Header.Get("Subject"))
		}
		// Line endings aside, the text part is exactly what was typed.
		if got := strings.TrimRight(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n"); got != strings.TrimRight(edited, "\n") {
			t.Errorf("sent text differs from the edit:\n%q\nwant\n%q", got, edited)
		}
		if strings.Contains(m.Text, "We listened") {
			t.Error("the template's text was sent instead of the edit")
		}
		if !strings.Contains(m.HTML, "Dark mode is on for everyone at Acme") {
			t.Errorf("HTML part lacks the edit:\n%s", m.HTML)
		}
		if ds := drafts(); ds["ann@acme.com"].Status != store.LoopSent || ds["bob@acme.com"].Status != store.LoopSkipped {
			t.Fatalf("after delivery: Ann %s, Bob %s", ds["ann@acme.com"].Status, ds["bob@acme.com"].Status)
		}

		step("reload", chromedp.Navigate(b.url+loopPath), chromedp.WaitVisible(chromedp.CSS("#loop-counts")))
		counts, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#loop-counts")))
		if !strings.Contains(counts, "1 skipped") || !strings.Contains(counts, "1 sent") {
			t.Errorf("counts after delivery: %q", counts)
		}
	})
}
