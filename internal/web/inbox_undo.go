package web

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
)

// inboxUndo reverses the last inbox action (POST /feedback/inbox/undo): the tag or
// link it added is removed and the item's kind and status are put back, so it is the
// next item in the inbox again. A request created from the quote stays; only the
// link goes.
func (ui *Web) inboxUndo(w http.ResponseWriter, r *http.Request) error {
	u := readUndo(r)
	if u == nil {
		ui.setFlash(w, "Nothing to undo.")
		return seeOther(w, r, inboxURL(""))
	}
	ctx := r.Context()
	if _, err := ui.getFeedback(r, u.Item); err != nil {
		ui.clearUndo(w)
		return err
	}
	if u.Tag != "" {
		if err := ui.Store.UntagFeedback(ctx, u.Item, u.Tag); err != nil {
			return err
		}
	}
	if u.Req != "" {
		if err := ui.Store.UnlinkFeedback(ctx, u.Req, u.Item); err != nil {
			return err
		}
	}
	k, st := feedback.Kind(u.Kind), feedback.Status(u.Status)
	var kp *feedback.Kind
	if k.Valid() {
		kp = &k
	}
	if !st.Valid() {
		st = feedback.New
	}
	if err := ui.Store.Triage(ctx, u.Item, kp, &st); err != nil {
		return err
	}
	ui.clearUndo(w)
	ui.setFlash(w, "Undone: "+u.Label+".")
	return seeOther(w, r, inboxURL(u.After))
}
