package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

type requestEditForm struct {
	Title, Description, Status, Quarter, Strategic, ReleaseNote string
	Public                                                      bool
	Errors                                                      map[string]string
}

func editFormFrom(r feedback.Request) requestEditForm {
	return requestEditForm{Title: r.Title, Description: r.Description, Status: string(r.Status), Quarter: r.Quarter,
		Strategic: strconv.Itoa(r.StrategicScore), ReleaseNote: r.ReleaseNote, Public: r.Public}
}

type tagCountView struct {
	ID, Path string
	Items    int
}

type requestData struct {
	Req        feedback.Request
	Rank       *feedback.Rank
	Currency   string
	MergedInto *feedback.Request
	Merged     []feedback.Request // requests merged into this one
	Evidence   []store.EvidenceRow
	Votes      []store.VoteRow
	Tags       []tagCountView
	Chart      barChart
	Form       requestEditForm
	Statuses   []feedback.RequestStatus
	MergeErr   string
	VoteErr    string
	MergeText  string
	VoteText   string
	Sentiment  store.SentimentCounts // of the evidence
}

// requestPage: GET /requests/{id}, the evidence for one request and what the team
// can do with it.
func (ui *Web) requestPage(w http.ResponseWriter, r *http.Request) error {
	req, err := ui.getRequest(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := ui.loadRequest(r, req)
	if err != nil {
		return err
	}
	d.Form = editFormFrom(req)
	return ui.render(w, r, http.StatusOK, "request", req.Title, "requests", d)
}

func (ui *Web) loadRequest(r *http.Request, req feedback.Request) (*requestData, error) {
	ctx := r.Context()
	d := &requestData{Req: req, Statuses: feedback.RequestStatuses}
	settings, err := ui.Store.RankSettings(ctx)
	if err != nil {
		return nil, err
	}
	d.Currency = settings.Currency
	// A merged request counts toward the one it was merged into; its own page shows
	// only its own evidence.
	withMerged := req.MergedInto == ""
	if req.MergedInto != "" {
		if into, err := ui.Store.GetRequest(ctx, req.MergedInto); err == nil {
			d.MergedInto = &into
		}
	} else {
		ranks, err := ui.Store.RankRequests(ctx, store.RankFilter{}, ui.now())
		if err != nil {
			return nil, err
		}
		for _, rr := range ranks {
			if rr.ID == req.ID {
				rk := rr.Rank
				d.Rank = &rk
			}
		}
	}
	all, err := ui.Store.ListRequests(ctx, store.RequestFilter{IncludeMerged: true})
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.MergedInto == req.ID {
			d.Merged = append(d.Merged, o)
		}
	}
	if d.Evidence, err = ui.Store.RequestEvidence(ctx, req.ID, withMerged); err != nil {
		return nil, err
	}
	if d.Votes, err = ui.Store.RequestVotes(ctx, req.ID, withMerged); err != nil {
		return nil, err
	}
	if d.Sentiment, err = ui.Store.RequestSentiment(ctx, req.ID, withMerged); err != nil {
		return nil, err
	}
	counts, err := ui.Store.RequestTagCounts(ctx, req.ID, withMerged)
	if err != nil {
		return nil, err
	}
	if len(counts) > 0 {
		tree, err := ui.loadTagTree(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range counts {
			if p := tree.path(c.TagID); p != "" {
				d.Tags = append(d.Tags, tagCountView{ID: c.TagID, Path: p, Items: c.Items})
			}
		}
	}
	var times []time.Time
	for _, e := range d.Evidence {
		times = append(times, e.OccurredAt)
	}
	for _, v := range d.Votes {
		times = append(times, v.CreatedAt)
	}
	d.Chart = weeklyChart(times, ui.now())
	return d, nil
}
