package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The sentiment badge in the inbox and the list, the list's sentiment filter with the
// service/product split of negative feedback, and the breakdowns on the tag and
// request pages. Labels as worked by hand in internal/sentiment's tests.
func TestSentimentInTheUI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		vc := e.signedIn("vic@example.com", auth.RoleViewer)
		ctx := context.Background()
		tg := store.Tag{Name: "Exports"}
		storetest.Must(t, e.s.CreateTag(ctx, &tg))
		capture := func(text string, tags ...string) feedback.Item {
			it := storetest.Capture(t, e.s, feedback.Capture{Text: text, Source: feedback.SourceAPI, TagIDs: tags})
			return it
		}
		notGreat := capture("This is not great")                  // negative, product
		capture("Support was terrible and slow")                  // negative, service
		capture("This is great <script>alert(1)</script>", tg.ID) // positive
		capture("Please add an export to CSV", tg.ID)             // neutral
		capture("The export is terrible", tg.ID)                  // negative, product

		r := e.Get("/feedback/inbox", vc) // the oldest untriaged item: "This is not great"
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "This is not great", `<span class="badge sent-negative" title="Sentiment score -0.51 (−1 to 1)">negative</span>`)

		r = e.Get("/feedback", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `<select id="f-sentiment" name="sentiment">`, `>positive</span>`, `>neutral</span>`)
		wantNotIn(t, r, "<script>alert(1)</script>", `id="negative-aspects"`)

		r = e.Get("/feedback?sentiment=negative", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "This is not great", "Support was terrible", "The export is terrible", `<option value="negative" selected>`,
			"Of all 3 negative items, 33% are about the service")
		wantNotIn(t, r, "This is great", "Please add an export")

		r = e.Get("/feedback?sentiment=positive&tag_id="+tg.ID, vc)
		wantIn(t, r, "This is great &lt;script&gt;")
		wantNotIn(t, r, "This is not great", "The export is terrible")

		// A value that is no label filters nothing out.
		r = e.Get("/feedback?sentiment=angry", vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "This is not great", "This is great")

		r = e.Get("/tags/"+tg.ID, vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `href="/feedback?tag_id=`+tg.ID+`&amp;sentiment=negative">1 negative</a>`, ">1 neutral</a>", ">1 positive</a>")

		req := feedback.Request{Title: "Better exports"}
		storetest.Must(t, e.s.CreateRequest(ctx, &req))
		storetest.Must(t, e.s.LinkFeedback(ctx, req.ID, notGreat.ID, ""))
		r = e.Get("/requests/"+req.ID, vc)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, "Sentiment of the linked feedback", ">1 negative</span>", ">0 neutral</span>", ">0 positive</span>")
	})
}
