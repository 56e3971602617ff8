package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// loopDraftView is one row of the close-the-loop list.
type loopDraftView struct {
	store.LoopEmail
	ChannelLabel string
}

// Sendable says whether the draft can still be queued (checkbox in the list).
func (d loopDraftView) Sendable() bool {
	return d.Status == store.LoopDraft || d.Status == store.LoopFailed
}

// CanSkip, CanUnskip and CanEdit mirror what the store allows for the status.
func (d loopDraftView) CanSkip() bool {
	return d.Status == store.LoopDraft || d.Status == store.LoopFailed
}
func (d loopDraftView) CanUnskip() bool {
	return d.Status == store.LoopSkipped && d.Email != "" && !d.Unsubscribed
}
func (d loopDraftView) CanEdit() bool {
	return d.Email != "" && (d.Status == store.LoopDraft || d.Status == store.LoopSkipped || d.Status == store.LoopFailed)
}

// loopEditForm is one draft's subject and body as typed.
type loopEditForm struct {
	Subject, Body string
	Errors        map[string]string
}

type loopData struct {
	Req      feedback.Request
	Problem  string // why drafts cannot be prepared (not shipped, no base URL)
	Drafts   []loopDraftView
	Counts   map[string]int
	Sel      *loopDraftView // the draft previewed and edited
	Preview  loop.Rendered
	Edit     loopEditForm
	Statuses []string
}

var loopStatuses = []string{store.LoopDraft, store.LoopSkipped, store.LoopQueued, store.LoopSent, store.LoopFailed}

// loopPage: GET /requests/{id}/loop prepares (or refreshes) one draft per person
// behind a shipped request and lists them for review. ?draft= picks the one previewed.
func (ui *Web) loopPage(w http.ResponseWriter, r *http.Request) error {
	req, err := ui.getRequest(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := ui.loadLoop(r, req, r.URL.Query().Get("draft"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if d.Problem != "" {
		status = http.StatusConflict
	}
	return ui.render(w, r, status, "request_loop", "Close the loop: "+req.Title, "requests", d)
}

// loadLoop runs Prepare (safe to repeat) and builds the page; a request that cannot be
// prepared gets a Problem message instead of an error page.
func (ui *Web) loadLoop(r *http.Request, req feedback.Request, selID string) (*loopData, error) {
	ctx := r.Context()
	d := &loopData{Req: req, Counts: map[string]int{}, Statuses: loopStatuses}
	res, err := ui.Loop.Prepare(ctx, req.ID)
	switch {
	case errors.Is(err, loop.ErrNotShipped):
		d.Problem = "This request is not shipped yet. Close the loop once it ships: set its status to Shipped on the request page, then come back here."
		return d, nil
	case errors.Is(err, loop.ErrNoBaseURL):
		d.Problem = "Emails cannot be prepared: closeloop does not know its public address, which every email needs for its unsubscribe link. Set CLOSELOOP_BASE_URL (for example https://feedback.example.com) and restart."
		return d, nil
	case err != nil:
		return nil, err
	}
	for _, e := range res.Drafts {
		v := loopDraftView{LoopEmail: e}
		if e.Quote != "" {
			v.ChannelLabel = loop.ChannelLabel(e.Channel)
		}
		d.Drafts = append(d.Drafts, v)
		d.Counts[e.Status]++
	}
	for i := range d.Drafts {
		if d.Drafts[i].Email == "" {
			continue
		}
		if selID == d.Drafts[i].ID || (selID == "" && d.Sel == nil) {
			d.Sel = &d.Drafts[i]
		}
	}
	if d.Sel != nil {
		if d.Preview, err = ui.Loop.Preview(ctx, d.Sel.ID); err != nil {
			return nil, err
		}
		d.Edit = loopEditForm{Subject: d.Sel.Subject, Body: d.Sel.BodyText}
	}
	return d, nil
}

// loopDraft returns a draft of the request in the path, or 404.
func (ui *Web) loopDraft(r *http.Request) (store.LoopEmail, error) {
	e, err := ui.Store.GetLoopEmail(r.Context(), r.PathValue("draft"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.RequestID != r.PathValue("id")) {
		return e, router.NotFound("email draft")
	}
	return e, err
}

// loopStateErr turns the store's refusal of a change (the email was queued or sent
// meanwhile, or the person cannot be emailed) into a 409 the page explains.
func loopStateErr(err error) error {
	if errors.Is(err, store.ErrLoopState) {
		return &router.Error{Status: http.StatusConflict, Msg: "This email was queued or sent in the meantime, or the person cannot be emailed. Reload the list to see where it stands.", Err: err}
	}
	return err
}

func loopURL(requestID, draftID string) string {
	u := "/requests/" + requestID + "/loop"
	if draftID != "" {
		u += "?draft=" + draftID
	}
	return u
}
