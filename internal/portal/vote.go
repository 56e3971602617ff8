package portal

import (
	"net/http"
	"net/url"

	"github.com/closeloop/closeloop/internal/feedback"
)

// vote casts the signed-in customer's vote: POST /portal/requests/{id}/vote.
func (p *Portal) vote(w http.ResponseWriter, r *http.Request) error { return p.castVote(w, r, true) }

// unvote takes it back: POST /portal/requests/{id}/unvote.
func (p *Portal) unvote(w http.ResponseWriter, r *http.Request) error { return p.castVote(w, r, false) }

func (p *Portal) castVote(w http.ResponseWriter, r *http.Request, up bool) error {
	if !p.postIP.AllowCtx(r.Context(), p.clientIP(r)) {
		return tooMany
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	r.ParseForm() // a broken body just loses the return path
	back := safeReturn(r.PostFormValue("return"))
	if back == "/portal" {
		back = "/portal/requests/" + url.PathEscape(r.PathValue("id"))
	}
	me, err := p.viewer(r)
	if err != nil {
		return err
	}
	if me == nil {
		// Nothing to vote as: explain how to sign in, then come back here.
		return seeOther(w, r, "/portal/signin?return="+url.QueryEscape(back))
	}
	if !p.votePerson.AllowCtx(r.Context(), me.ID) {
		return tooMany
	}
	pr, _, err := p.publicRequest(r, me.ID)
	if err != nil {
		return err
	}
	// Votes go to the request the idea lives in now, so a vote through an old link
	// to a merged request still counts once.
	switch {
	case up && !pr.Voted:
		if _, err := p.Store.Vote(r.Context(), &feedback.Vote{RequestID: pr.ID, PersonID: me.ID, Source: feedback.VotePortal}); err != nil {
			return err
		}
	case !up && pr.Voted:
		if err := p.Store.UnvotePortal(r.Context(), pr.ID, me.ID); err != nil {
			return err
		}
	}
	return seeOther(w, r, back)
}
