package web

import (
	"context"
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
)

// SimilarFinder finds open requests and earlier feedback like a piece of text, so the
// inbox can propose linking instead of creating a duplicate request. Optional: nil
// hides the section.
type SimilarFinder interface {
	Similar(ctx context.Context, text, excludeID string, k int) (requests, items []SimilarMatch)
}

// SimilarMatch is a similar request (ID = RequestID) or feedback item (RequestID = the
// request it is linked to, or "").
type SimilarMatch struct {
	ID, RequestID string
	Score         float64
}

type similarRequestView struct {
	Request feedback.Request
	Score   float64
	Via     string // the similar feedback's text, when the match came through an item
}

// similarRequests merges direct request matches with the requests that similar
// feedback items are linked to, best score first, skipping ones the item already has.
func (ui *Web) similarRequests(r *http.Request, it feedback.Item, k int) []similarRequestView {
	if ui.Similar == nil {
		return nil
	}
	ctx := r.Context()
	reqs, items := ui.Similar.Similar(ctx, it.Text, it.ID, k)
	has := map[string]bool{}
	for _, id := range it.RequestIDs {
		has[id] = true
	}
	var out []similarRequestView
	add := func(id string, score float64, via string) {
		if id == "" || has[id] || len(out) >= k {
			return
		}
		rq, err := ui.Store.GetRequest(ctx, id)
		if err != nil || rq.MergedInto != "" {
			return
		}
		has[id] = true
		out = append(out, similarRequestView{Request: rq, Score: score, Via: via})
	}
	i, j := 0, 0
	for i < len(reqs) || j < len(items) {
		if j >= len(items) || (i < len(reqs) && reqs[i].Score >= items[j].Score) {
			add(reqs[i].RequestID, reqs[i].Score, "")
			i++
			continue
		}
		if items[j].RequestID != "" {
			if fi, err := ui.Store.GetFeedback(ctx, items[j].ID); err == nil {
				add(items[j].RequestID, items[j].Score, fi.Quote)
			}
		}
		j++
	}
	return out
}
