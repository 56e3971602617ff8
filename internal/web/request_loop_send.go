package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/router"
)

// loopSend: POST /requests/{id}/loop/send queues the checked drafts ("Send selected")
// or, with all=1, every draft still waiting ("Send all"). The outbox worker sends
// them; the delivery log shows how each went.
func (ui *Web) loopSend(w http.ResponseWriter, r *http.Request) error {
	req, err := ui.getRequest(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	ctx := r.Context()
	var res loop.SendResult
	if r.PostFormValue("all") != "" {
		res, err = ui.Loop.SendAll(ctx, req.ID)
	} else {
		// Only drafts of this request: an id from elsewhere is ignored, not sent.
		mine, lerr := ui.Store.ListLoopEmails(ctx, req.ID)
		if lerr != nil {
			return lerr
		}
		ok := map[string]bool{}
		for _, d := range mine {
			ok[d.ID] = true
		}
		var ids []string
		for _, id := range r.PostForm["draft"] {
			if ok[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			ui.setFlash(w, "Nothing sent: tick the people to email first, or use Send all.")
			return seeOther(w, r, loopURL(req.ID, ""))
		}
		res, err = ui.Loop.Send(ctx, ids)
	}
	if errors.Is(err, loop.ErrNoBaseURL) {
		return &router.Error{Status: http.StatusConflict, Msg: "Set CLOSELOOP_BASE_URL so emails can carry an unsubscribe link, then try again.", Err: err}
	}
	if err != nil {
		return err
	}
	msg := plural(res.Queued, "email") + " queued."
	if res.Queued == 0 {
		msg = "No email queued: there was no draft waiting."
	}
	if res.Skipped > 0 {
		msg += " " + strconv.Itoa(res.Skipped) + " left out (skipped, unsubscribed, no email or already queued)."
	}
	ui.setFlash(w, msg)
	return seeOther(w, r, loopURL(req.ID, ""))
}
