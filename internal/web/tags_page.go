package web

import (
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type tagRow struct {
	*tagNode
	Rank      feedback.Rank
	Suggested store.SuggestionRate // how often the team took this tag when it was suggested
	Match     bool                 // matched the search (ancestors of matches are shown for context)
	Indent    int                  // depth, capped for the CSS classes
}

type tagsData struct {
	Q        string
	Rows     []tagRow
	Currency string
	Matches  int
	Form     tagForm
	Empty    bool
}

type tagForm struct {
	Name, Parent, Into string
	Errors             map[string]string
}

// renderTags: GET /tags, the taxonomy as an indented tree with rolled-up figures per
// tag; ?q= narrows it to matching tags and their ancestors.
func (ui *Web) renderTags(w http.ResponseWriter, r *http.Request, status int, f tagForm) error {
	ctx := r.Context()
	tree, err := ui.loadTagTree(ctx)
	if err != nil {
		return err
	}
	ranks, err := ui.tagRanks(r)
	if err != nil {
		return err
	}
	settings, err := ui.Store.RankSettings(ctx)
	if err != nil {
		return err
	}
	rates, err := ui.Store.SuggestionRates(ctx)
	if err != nil {
		return err
	}
	d := tagsData{Q: strings.TrimSpace(r.URL.Query().Get("q")), Currency: settings.Currency, Form: f, Empty: len(tree.order) == 0}
	var show map[string]bool
	matched := map[string]bool{}
	if d.Q != "" {
		show = map[string]bool{}
		for _, n := range tree.search(d.Q, 0, true) {
			matched[n.ID] = true
			for p := n; p != nil; p = tree.byID[p.ParentID] {
				show[p.ID] = true
				if p.ParentID == "" {
					break
				}
			}
		}
		d.Matches = len(matched)
	}
	for _, n := range tree.order {
		if show != nil && !show[n.ID] {
			continue
		}
		d.Rows = append(d.Rows, tagRow{tagNode: n, Rank: ranks[n.ID], Suggested: rates[n.ID], Match: matched[n.ID], Indent: min(n.Depth, 6)})
	}
	return ui.render(w, r, status, "tags", "Tags", "tags", d)
}

func (ui *Web) tagRanks(r *http.Request) (map[string]feedback.Rank, error) {
	rs, err := ui.Store.RankTags(r.Context(), store.RankFilter{}, ui.now())
	if err != nil {
		return nil, err
	}
	out := make(map[string]feedback.Rank, len(rs))
	for _, t := range rs {
		out[t.TagID] = t.Rank
	}
	return out, nil
}

type tagPageData struct {
	Tag       *tagNode
	Parent    *tagNode
	Rank      feedback.Rank
	Currency  string
	Children  []tagRow
	Form      tagForm
	Sentiment store.SentimentCounts // this tag's and its descendants' items
}

// tagPage: GET /tags/{id}, one tag's figures and children, and (for members) the
// forms that add a child, rename, move, merge and archive it.
func (ui *Web) tagPage(w http.ResponseWriter, r *http.Request) error {
	return ui.renderTag(w, r, http.StatusOK, r.PathValue("id"), tagForm{})
}

func (ui *Web) renderTag(w http.ResponseWriter, r *http.Request, status int, id string, f tagForm) error {
	tree, err := ui.loadTagTree(r.Context())
	if err != nil {
		return err
	}
	n := tree.byID[id]
	if n == nil {
		return router.NotFound("tag")
	}
	ranks, err := ui.tagRanks(r)
	if err != nil {
		return err
	}
	settings, err := ui.Store.RankSettings(r.Context())
	if err != nil {
		return err
	}
	d := tagPageData{Tag: n, Parent: tree.byID[n.ParentID], Rank: ranks[n.ID], Currency: settings.Currency, Form: f}
	if d.Sentiment, err = ui.Store.TagSentiment(r.Context(), n.ID); err != nil {
		return err
	}
	for _, c := range n.Children {
		d.Children = append(d.Children, tagRow{tagNode: c, Rank: ranks[c.ID]})
	}
	return ui.render(w, r, status, "tag", n.Path, "tags", d)
}
