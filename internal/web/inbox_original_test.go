package web_test

import (
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
)

// An item cut from a longer message keeps the whole of it, shown (escaped) in the
// inbox under the item; an item that is all its message shows nothing extra.
func TestInboxShowsTheWholeMessage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("mia@example.com", auth.RoleMember)
		whole := "Please add CSV export.\n\nOn Mon, Ann <ann@acme.com> wrote:\n> <script>alert(1)</script> our old reply"
		if _, _, err := e.s.Capture(e.ctx, feedback.Capture{Text: "Please add CSV export.", Original: whole, Source: feedback.SourceEmail, Email: "bo@acme.com"}); err != nil {
			t.Fatal(err)
		}
		r := e.Get("/feedback/inbox", c)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="item-original"`, "On Mon, Ann &lt;ann@acme.com&gt; wrote:", "&lt;script&gt;alert(1)&lt;/script&gt; our old reply")
		wantNotIn(t, r, "<script>alert(1)")
		if _, _, err := e.s.Capture(e.ctx, feedback.Capture{Text: "Dark mode", Original: "Dark mode", Source: feedback.SourceEmail, Email: "cy@acme.com"}); err != nil {
			t.Fatal(err)
		}
		if got, err := e.s.FeedbackOriginal(e.ctx, "nonesuch"); err != nil || got != "" {
			t.Fatalf("original of nothing: %q %v", got, err)
		}
	})
}
