package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// maxBulk bounds one bulk action: a page of the list is 50 items.
const maxBulk = 200

// feedbackBulk applies one action to the items ticked on the feedback list
// (POST /feedback/bulk): action=tag with a tag, action=archive, or action=link with a
// request. It is all or nothing: one stale id changes no item. It returns to the list
// it came from.
func (ui *Web) feedbackBulk(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	ctx := r.Context()
	me := router.From(r).Member.ID
	back := safeNext(r.PostFormValue("back"))
	if !strings.HasPrefix(back, "/feedback") {
		back = "/feedback"
	}
	ids := r.PostForm["ids"]
	f := bulkForm{Tag: r.PostFormValue("tag"), Request: r.PostFormValue("request"), Errors: map[string]string{}, Selected: map[string]bool{}}
	for _, id := range ids {
		f.Selected[id] = true
	}
	// Re-render the list the form came from, with the selection and typed text kept.
	fail := func(field, msg string) error {
		f.Errors[field] = msg
		r2 := r.Clone(ctx)
		r2.URL.RawQuery = ""
		if i := strings.IndexByte(back, '?'); i >= 0 {
			r2.URL.RawQuery = back[i+1:]
		}
		return ui.renderFeedbackList(w, r2, http.StatusUnprocessableEntity, f)
	}
	if len(ids) == 0 {
		return fail("ids", "Tick at least one item first.")
	}
	if len(ids) > maxBulk {
		return fail("ids", fmt.Sprintf("At most %d items at a time.", maxBulk))
	}
	var done string
	switch r.PostFormValue("action") {
	case "tag":
		tree, err := ui.loadTagTree(ctx)
		if err != nil {
			return err
		}
		var tag *tagNode
		if id := r.PostFormValue("tag_id"); id != "" {
			tag = tree.byID[id]
		} else {
			tag, _ = tree.resolve(f.Tag)
		}
		if tag == nil || tag.Hidden {
			return fail("tag", "Pick one tag from the list.")
		}
		if err := ui.Store.BulkFeedback(ctx, ids, store.Bulk{TagID: tag.ID}, me); err != nil {
			return bulkErr(err)
		}
		done = "Tagged " + strconv.Itoa(len(ids)) + " with “" + tag.Path + "”."
	case "archive":
		st := feedback.Archived
		if err := ui.Store.BulkFeedback(ctx, ids, store.Bulk{Status: &st}, me); err != nil {
			return bulkErr(err)
		}
		done = "Archived " + strconv.Itoa(len(ids)) + "."
	case "link":
		var req *feedback.Request
		if id := r.PostFormValue("request_id"); id != "" {
			rq, err := ui.Store.GetRequest(ctx, id)
			if err == nil {
				req = &rq
			}
		} else {
			reqs, err := ui.Store.ListRequests(ctx, store.RequestFilter{})
			if err != nil {
				return err
			}
			req, _ = resolveRequest(reqs, f.Request)
		}
		if req == nil {
			return fail("request", "Pick one request from the list.")
		}
		if err := ui.Store.BulkFeedback(ctx, ids, store.Bulk{RequestID: req.ID}, me); err != nil {
			return bulkErr(err)
		}
		done = "Linked " + strconv.Itoa(len(ids)) + " to “" + clipRunes(req.Title, 80) + "”."
	default:
		return router.Errorf(http.StatusBadRequest, "unknown bulk action")
	}
	ui.setFlash(w, done)
	return seeOther(w, r, back)
}

// bulkErr keeps a refused field's message; an item that vanished is already a 404
// naming it (store.BulkFeedback), and nothing was changed either way.
func bulkErr(err error) error {
	if _, msg, ok := asFieldError(err); ok {
		return router.Errorf(http.StatusBadRequest, "%s", msg)
	}
	return err
}
