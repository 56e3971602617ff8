package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/sentiment"
	"github.com/closeloop/closeloop/internal/store"
)

// feedbackQuery is the feedback list's state, all in the URL.
type feedbackQuery struct {
	Status, Kind, Source, Q string
	Sentiment               string
	TagID, Tag              string // the tag filter: its id, or text to resolve
	Before                  string
}

func parseFeedbackQuery(v url.Values) feedbackQuery {
	return feedbackQuery{Status: v.Get("status"), Kind: v.Get("kind"), Source: v.Get("source"), Q: strings.TrimSpace(v.Get("q")),
		Sentiment: v.Get("sentiment"), TagID: v.Get("tag_id"), Tag: strings.TrimSpace(v.Get("tag")), Before: v.Get("before")}
}

func (q feedbackQuery) url() string {
	v := url.Values{}
	for k, val := range map[string]string{"status": q.Status, "kind": q.Kind, "source": q.Source, "q": q.Q, "tag_id": q.TagID, "before": q.Before, "sentiment": q.Sentiment} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if e := v.Encode(); e != "" {
		return "/feedback?" + e
	}
	return "/feedback"
}

func (q feedbackQuery) Filtered() bool {
	return q.Status != "" || q.Kind != "" || q.Source != "" || q.Q != "" || q.TagID != "" || q.Tag != "" || q.Sentiment != ""
}

type feedbackRow struct {
	feedback.Item
	Account *store.AccountBrief
	Tags    []string
	Survey  string // "NPS 3" for a survey comment
}

type bulkForm struct {
	Tag, Request string
	Errors       map[string]string
	Selected     map[string]bool
}

type feedbackListData struct {
	Q         feedbackQuery
	TagPath   string
	TagErr    string
	Rows      []feedbackRow
	NextHref  string
	FirstHref string
	Statuses  []feedback.Status
	Kinds     []kindOption
	Sources   []option
	// Sentiments are the filter's choices; Aspects, shown while filtering on negative,
	// splits all negative feedback into service and product.
	Sentiments []sentiment.Label
	Aspects    *store.NegativeAspects
	Self       string // this page's URL, where bulk actions return
	Bulk       bulkForm
	AnyAtAll   bool
}

// renderFeedbackList: GET /feedback, every item newest first with filters, and bulk
// tag, archive and link on a selection (bulk is a refused bulk action's form).
func (ui *Web) renderFeedbackList(w http.ResponseWriter, r *http.Request, status int, bulk bulkForm) error {
	ctx := r.Context()
	q := parseFeedbackQuery(r.URL.Query())
	d := feedbackListData{Q: q, Statuses: feedback.Statuses, Kinds: kindOptions(feedback.Kind(q.Kind)), Sources: sourceOptions(), Bulk: bulk,
		Sentiments: []sentiment.Label{sentiment.Negative, sentiment.Neutral, sentiment.Positive}}
	if !sentiment.Label(q.Sentiment).Valid() {
		d.Q.Sentiment = "" // a hand-edited URL: show everything rather than nothing
	}
	if d.Q.Sentiment == string(sentiment.Negative) {
		a, err := ui.Store.NegativeAspects(ctx, time.Time{})
		if err != nil {
			return err
		}
		d.Aspects = &a
	}
	tree, err := ui.loadTagTree(ctx)
	if err != nil {
		return err
	}
	if q.TagID == "" && q.Tag != "" {
		// The filter form sends typed text without JavaScript: resolve it here.
		n, choices := tree.resolve(q.Tag)
		switch {
		case n != nil:
			d.Q.TagID = n.ID
		case len(choices) == 0:
			d.TagErr = fmt.Sprintf("No tag matches “%s”.", q.Tag)
		default:
			d.TagErr = fmt.Sprintf("“%s” matches %d tags; showing all tags. Pick one from the list.", q.Tag, len(choices))
		}
	}
	d.TagPath = tree.path(d.Q.TagID)
	if d.Q.TagID != "" && d.TagPath == "" {
		d.TagErr = "That tag no longer exists."
		d.Q.TagID = ""
	}
	d.Q.Tag = ""
	items, next, err := ui.Store.ListFeedback(ctx, store.FeedbackFilter{Status: feedback.Status(q.Status), Kind: feedback.Kind(q.Kind),
		Source: feedback.Source(q.Source), Sentiment: sentiment.Label(d.Q.Sentiment), TagID: d.Q.TagID, Q: q.Q, Before: q.Before, Limit: 50})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(items))
	accIDs := []string{}
	for _, it := range items {
		ids = append(ids, it.ID)
		if it.AccountID != "" {
			accIDs = append(accIDs, it.AccountID)
		}
	}
	tags, err := ui.Store.FeedbackTagIDs(ctx, ids)
	if err != nil {
		return err
	}
	accs, err := ui.Store.AccountBriefs(ctx, accIDs)
	if err != nil {
		return err
	}
	scores, err := ui.surveyScores(ctx, items)
	if err != nil {
		return err
	}
	for _, it := range items {
		row := feedbackRow{Item: it, Survey: scores[it.ID]}
		if a, ok := accs[it.AccountID]; ok {
			row.Account = &a
		}
		for _, t := range tags[it.ID] {
			row.Tags = append(row.Tags, tree.path(t))
		}
		d.Rows = append(d.Rows, row)
	}
	if next != "" {
		nq := d.Q
		nq.Before = next
		d.NextHref = nq.url()
	}
	if q.Before != "" {
		fq := d.Q
		fq.Before = ""
		d.FirstHref = fq.url()
	}
	d.Self = d.Q.url()
	d.AnyAtAll = len(items) > 0
	if !d.AnyAtAll {
		n, err := ui.Store.CountFeedback(ctx, "")
		if err != nil {
			return err
		}
		d.AnyAtAll = n > 0
	}
	return ui.render(w, r, status, "feedback_list", "Feedback", "inbox", d)
}
