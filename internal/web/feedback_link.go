package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// feedbackLink links an item to a feature request, or creates one from its quote
// (POST /feedback/{id}/link with new=1), and moves on to the next item.
func (ui *Web) feedbackLink(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	it, err := ui.inboxItem(w, r, 16<<10)
	if err != nil {
		return err
	}
	me := router.From(r).Member.ID
	after := r.PostFormValue("after")
	f := inboxForm{Request: r.PostFormValue("request"), Errors: map[string]string{}}
	var req *feedback.Request
	switch id := r.PostFormValue("request_id"); {
	case r.PostFormValue("new") != "":
		title := strings.TrimSpace(f.Request)
		if title == "" {
			title = clipRunes(it.Quote, 120)
		}
		nr := feedback.Request{Title: title, Description: it.Quote, CreatedBy: me}
		if err := ui.Store.CreateRequest(ctx, &nr); err != nil {
			if _, msg, ok := asFieldError(err); ok {
				f.Errors["request"] = fieldMsg("title", msg)
				return ui.renderInbox(w, r, http.StatusUnprocessableEntity, &it, after, f)
			}
			return err
		}
		req = &nr
	case id != "":
		rq, err := ui.Store.GetRequest(ctx, id)
		if err != nil {
			f.Errors["request"] = "That request no longer exists. Pick another."
			return ui.renderInbox(w, r, http.StatusUnprocessableEntity, &it, after, f)
		}
		req = &rq
	default:
		reqs, err := ui.Store.ListRequests(ctx, store.RequestFilter{})
		if err != nil {
			return err
		}
		var choices []feedback.Request
		req, choices = resolveRequest(reqs, f.Request)
		if req == nil {
			f.RequestChoices = choices
			switch {
			case strings.TrimSpace(f.Request) == "":
				f.Errors["request"] = "Type part of a request's title, or create a new request from the quote."
			case len(choices) == 0:
				f.Errors["request"] = fmt.Sprintf("No request matches “%s”. Create it as a new request?", strings.TrimSpace(f.Request))
			default:
				f.Errors["request"] = fmt.Sprintf("Several requests match “%s”: pick one.", strings.TrimSpace(f.Request))
			}
			return ui.renderInbox(w, r, http.StatusUnprocessableEntity, &it, after, f)
		}
	}
	had := false
	for _, id := range it.RequestIDs {
		had = had || id == req.ID
	}
	if err := ui.Store.LinkFeedback(ctx, req.ID, it.ID, me); err != nil {
		return err
	}
	u := undo{Op: "link", Label: "Linked to " + clipRunes(req.Title, 60)}
	if !had {
		u.Req = req.ID
	}
	return ui.actedOn(w, r, it, u, "Linked to “"+clipRunes(req.Title, 80)+"”.")
}
