package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// requestMerge: POST /requests/{id}/merge folds this request into another (picked by
// type-ahead, or by typed title without JavaScript) and opens the one it went into.
func (ui *Web) requestMerge(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cur, err := ui.postedRequest(w, r, 16<<10)
	if err != nil {
		return err
	}
	text := r.PostFormValue("into")
	var into *feedback.Request
	if id := r.PostFormValue("into_id"); id != "" {
		if rq, err := ui.Store.GetRequest(ctx, id); err == nil {
			into = &rq
		}
	} else {
		reqs, err := ui.Store.ListRequests(ctx, store.RequestFilter{})
		if err != nil {
			return err
		}
		others := reqs[:0:0]
		for _, o := range reqs {
			if o.ID != cur.ID {
				others = append(others, o)
			}
		}
		into, _ = resolveRequest(others, text)
	}
	fail := func(msg string) error {
		return ui.requestRefused(w, r, cur, func(d *requestData) { d.MergeErr, d.MergeText = msg, text })
	}
	if into == nil {
		if strings.TrimSpace(text) == "" {
			return fail("Pick the request to merge into.")
		}
		return fail("No single request matches “" + strings.TrimSpace(text) + "”. Pick one from the list.")
	}
	err = ui.Store.MergeRequest(ctx, cur.ID, into.ID)
	switch {
	case errors.Is(err, store.ErrMerge):
		return fail("These two cannot be merged: a request merges once, never into itself or into a request already merged into it.")
	case err != nil:
		return err
	}
	ui.setFlash(w, "Merged “"+clipRunes(cur.Title, 60)+"” into this request.")
	return seeOther(w, r, "/requests/"+url.PathEscape(into.ID))
}

// requestUnmerge: POST /requests/{id}/unmerge separates a merged request again and
// returns to the page it was sent from (the request it had been merged into).
func (ui *Web) requestUnmerge(w http.ResponseWriter, r *http.Request) error {
	cur, err := ui.postedRequest(w, r, 4<<10)
	if err != nil {
		return err
	}
	parent := cur.MergedInto
	if err := ui.Store.UnmergeRequest(r.Context(), cur.ID); err != nil {
		if _, msg, ok := asFieldError(err); ok {
			ui.setFlash(w, sentence(msg))
			return seeOther(w, r, "/requests/"+url.PathEscape(cur.ID))
		}
		return err
	}
	ui.setFlash(w, "Unmerged “"+clipRunes(cur.Title, 60)+"”: it counts on its own again.")
	if parent == "" {
		parent = cur.ID
	}
	return seeOther(w, r, backOr(r, "/requests/"+url.PathEscape(parent)))
}
