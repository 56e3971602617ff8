package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
)

// requestVote: POST /requests/{id}/votes records a vote on a customer's behalf (a
// person picked by type-ahead; without JavaScript, by a typed email).
func (ui *Web) requestVote(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cur, err := ui.postedRequest(w, r, 8<<10)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(r.PostFormValue("person"))
	personID := r.PostFormValue("person_id")
	if personID == "" && text != "" {
		if hits, err := ui.Store.SearchPeople(ctx, text, 2); err != nil {
			return err
		} else if len(hits) == 1 {
			personID = hits[0].ID
		}
	}
	fail := func(msg string) error {
		return ui.requestRefused(w, r, cur, func(d *requestData) { d.VoteErr, d.VoteText = msg, text })
	}
	if personID == "" {
		return fail("Pick the person voting from the list (search by name, email or account).")
	}
	created, err := ui.Store.Vote(ctx, &feedback.Vote{RequestID: cur.ID, PersonID: personID, Source: feedback.VoteTeam, CastBy: router.From(r).Member.ID})
	if err != nil {
		if _, msg, ok := asFieldError(err); ok {
			return fail(sentence(msg))
		}
		return err
	}
	if created {
		ui.setFlash(w, "Vote recorded.")
	} else {
		ui.setFlash(w, "That person had already voted.")
	}
	return seeOther(w, r, "/requests/"+url.PathEscape(cur.ID)+"#votes")
}

// requestUnvote: POST /requests/{id}/votes/{person}/delete removes a vote.
func (ui *Web) requestUnvote(w http.ResponseWriter, r *http.Request) error {
	cur, err := ui.getRequest(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := ui.Store.Unvote(r.Context(), cur.ID, r.PathValue("person")); err != nil {
		return err
	}
	ui.setFlash(w, "Vote removed.")
	return seeOther(w, r, "/requests/"+url.PathEscape(cur.ID)+"#votes")
}
