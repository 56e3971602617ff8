package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// requestOut is a request as the API shows it: shipped_at is null until it ships,
// instead of year 1, so clients need no sentinel check.
type requestOut struct {
	feedback.Request
	ShippedAt *time.Time `json:"shipped_at"`
}

func toRequest(r feedback.Request) requestOut {
	out := requestOut{Request: r}
	if !r.ShippedAt.IsZero() {
		t := r.ShippedAt.UTC()
		out.ShippedAt = &t
	}
	return out
}

func (a *API) listRequests(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "status", "include_merged")
	if err != nil {
		return err
	}
	var f store.RequestFilter
	if f.Status, err = oneOfKind(p, "status", feedback.RequestStatuses); err != nil {
		return err
	}
	if f.IncludeMerged, err = p.boolean("include_merged"); err != nil {
		return err
	}
	reqs, err := a.Store.ListRequests(r.Context(), f)
	if err != nil {
		return err
	}
	// Requests number in the hundreds (they are curated by the product team), so the
	// list is one page; next_cursor keeps the envelope every list has.
	return writeJSON(w, http.StatusOK, newList(mapAll(reqs, toRequest), ""))
}

// requestInput is a create or PATCH body; nil leaves a field as it is.
type requestInput struct {
	Title          *string `json:"title"`
	Description    *string `json:"description"`
	Status         *string `json:"status"`
	Public         *bool   `json:"public"`
	Quarter        *string `json:"quarter"`
	StrategicScore *int    `json:"strategic_score"`
	ReleaseNote    *string `json:"release_note"`
}

func (in requestInput) applyTo(rq *feedback.Request) {
	set(&rq.Title, in.Title)
	set(&rq.Description, in.Description)
	if in.Status != nil {
		rq.Status = feedback.RequestStatus(strings.TrimSpace(*in.Status))
	}
	set(&rq.Public, in.Public)
	set(&rq.Quarter, in.Quarter)
	set(&rq.StrategicScore, in.StrategicScore)
	if in.ReleaseNote != nil {
		rq.ReleaseNote = strings.TrimSpace(*in.ReleaseNote)
	}
}

func readRequestInput(w http.ResponseWriter, r *http.Request) (requestInput, error) {
	var in requestInput
	_, err := decodeBody(w, r, &in)
	return in, err
}

func (a *API) createRequest(w http.ResponseWriter, r *http.Request) error {
	in, err := readRequestInput(w, r)
	if err != nil {
		return err
	}
	// Public unless said otherwise, as the schema's default: the portal is where
	// customers vote, and a request they cannot see gets no votes.
	rq := feedback.Request{Public: true, CreatedBy: memberOf(r)}
	in.applyTo(&rq)
	if err := a.Store.CreateRequest(r.Context(), &rq); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/requests/"+rq.ID)
	return a.writeRequest(w, r, http.StatusCreated, rq.ID)
}

func (a *API) writeRequest(w http.ResponseWriter, r *http.Request, status int, id string) error {
	rq, err := a.Store.GetRequest(r.Context(), id)
	if err != nil {
		return notFound(err, "request")
	}
	return writeJSON(w, status, toRequest(rq))
}

func (a *API) getRequest(w http.ResponseWriter, r *http.Request) error {
	return a.writeRequest(w, r, http.StatusOK, r.PathValue("id"))
}

func (a *API) patchRequest(w http.ResponseWriter, r *http.Request) error {
	in, err := readRequestInput(w, r)
	if err != nil {
		return err
	}
	rq, err := a.Store.GetRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return notFound(err, "request")
	}
	in.applyTo(&rq)
	if _, err := a.Store.UpdateRequest(r.Context(), &rq); err != nil {
		return notFound(err, "request")
	}
	return a.writeRequest(w, r, http.StatusOK, rq.ID)
}

func (a *API) mergeRequest(w http.ResponseWriter, r *http.Request) error {
	from, into, err := mergeIDs(w, r, "request", a.Store.GetRequest)
	if err != nil {
		return err
	}
	err = a.Store.MergeRequest(r.Context(), from, into)
	if errors.Is(err, store.ErrMerge) {
		// Already merged, into itself, or into a request merged into it.
		return &router.Error{Status: http.StatusConflict, Field: "into", Msg: "into: " + store.ErrMerge.Error() + "; unmerge first", Err: err}
	}
	if err != nil {
		return notFound(err, "request")
	}
	return a.writeRequest(w, r, http.StatusOK, from)
}

func (a *API) unmergeRequest(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	err := a.Store.UnmergeRequest(r.Context(), id)
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		return &router.Error{Status: http.StatusConflict, Msg: "this request is not merged", Err: err}
	}
	if err != nil {
		return notFound(err, "request")
	}
	return a.writeRequest(w, r, http.StatusOK, id)
}

func (a *API) vote(w http.ResponseWriter, r *http.Request) error {
	personID, err := readID(w, r, "person_id")
	if err != nil {
		return err
	}
	// Votes through the API are cast by the team on a customer's behalf; portal votes
	// come through the portal's own signed identity, never through a key.
	v := feedback.Vote{RequestID: r.PathValue("id"), PersonID: personID, Source: feedback.VoteTeam, CastBy: memberOf(r)}
	created, err := a.Store.Vote(r.Context(), &v)
	if err != nil {
		return notFound(err, "request")
	}
	status := http.StatusOK // a repeat vote changes nothing
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, map[string]any{"request_id": v.RequestID, "person_id": v.PersonID, "account_id": v.AccountID,
		"source": v.Source, "created": created})
}

func (a *API) unvote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathExists(r, "request", a.Store.GetRequest)
	if err != nil {
		return err
	}
	return noContent(w, a.Store.Unvote(r.Context(), id, r.PathValue("person_id")))
}
