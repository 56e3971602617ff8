package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/sentiment"
	"github.com/closeloop/closeloop/internal/store"
)

// memberOf is the team member behind the calling key ("" for keys made from the CLI):
// what submitted_by, cast_by and added_by record. It is never read from a body, so a
// key cannot attribute work to someone else.
func memberOf(r *http.Request) string {
	if k := router.From(r).Key; k != nil {
		return k.CreatedBy
	}
	return ""
}

// item is a feedback item as the API shows it: tags and requests are always arrays.
func item(it feedback.Item) feedback.Item {
	if it.TagIDs == nil {
		it.TagIDs = []string{}
	}
	if it.RequestIDs == nil {
		it.RequestIDs = []string{}
	}
	return it
}

// captureInput is the body of a capture, spelled out rather than decoding into
// feedback.Capture so that a field added there is not accepted from clients by
// accident (submitted_by, for one, must come from the key).
type captureInput struct {
	Text              string   `json:"text"`
	Quote             string   `json:"quote"`
	Source            string   `json:"source"` // default api
	Kind              string   `json:"kind"`   // default other
	ExternalURL       string   `json:"external_url"`
	ExternalID        string   `json:"external_id"`
	OccurredAt        *string  `json:"occurred_at"` // default now
	Email             string   `json:"email"`
	Name              string   `json:"name"`
	PersonExternalID  string   `json:"person_external_id"`
	AccountExternalID string   `json:"account_external_id"`
	AccountID         string   `json:"account_id"`
	TagIDs            []string `json:"tag_ids"`
	RequestIDs        []string `json:"request_ids"`
	IdempotencyKey    string   `json:"idempotency_key"`
}

// decodeCapture reads one capture: a POST /feedback body or one batch item.
func decodeCapture(o object) (feedback.Capture, error) {
	var c feedback.Capture
	if err := o.rejectNulls(); err != nil {
		return c, err
	}
	var in captureInput
	if err := o.decode(&in); err != nil {
		return c, err
	}
	c = feedback.Capture{Text: in.Text, Quote: in.Quote, Source: feedback.Source(strings.TrimSpace(in.Source)),
		Kind: feedback.Kind(strings.TrimSpace(in.Kind)), ExternalURL: strings.TrimSpace(in.ExternalURL),
		ExternalID: strings.TrimSpace(in.ExternalID), Email: in.Email, Name: in.Name,
		PersonExternalID: strings.TrimSpace(in.PersonExternalID), AccountExternalID: strings.TrimSpace(in.AccountExternalID),
		AccountID: strings.TrimSpace(in.AccountID), TagIDs: in.TagIDs, RequestIDs: in.RequestIDs,
		IdempotencyKey: strings.TrimSpace(in.IdempotencyKey)}
	if c.Source == "" {
		c.Source = feedback.SourceAPI
	}
	if in.OccurredAt != nil {
		t, err := parseTime(*in.OccurredAt)
		if err != nil {
			return c, router.FieldErr("occurred_at", fmt.Sprintf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", *in.OccurredAt))
		}
		if err := eventTime("occurred_at", t, captureMaxAhead); err != nil {
			return c, err
		}
		c.OccurredAt = t
	}
	if c.AccountID != "" && c.AccountExternalID != "" {
		return c, router.FieldErr("account_external_id", "cannot be combined with account_id: name the account one way")
	}
	for _, list := range []struct {
		name string
		ids  []string
	}{{"tag_ids", c.TagIDs}, {"request_ids", c.RequestIDs}} {
		for i, v := range list.ids {
			if strings.TrimSpace(v) == "" {
				return c, router.FieldErr(list.name, fmt.Sprintf("holds an empty id at position %d", i+1))
			}
		}
	}
	return c, nil
}

func (a *API) captureFeedback(w http.ResponseWriter, r *http.Request) error {
	b, err := readBody(w, r, maxBody)
	if err != nil {
		return err
	}
	o, err := parseObject(b)
	if err != nil {
		return err
	}
	c, err := decodeCapture(o)
	if err != nil {
		return err
	}
	// The header is the usual HTTP idiom; the field is there for clients that cannot
	// set headers. Two different keys would make "is this a retry?" unanswerable.
	if h := strings.TrimSpace(r.Header.Get("Idempotency-Key")); h != "" {
		if c.IdempotencyKey != "" && c.IdempotencyKey != h {
			return router.FieldErr("idempotency_key", "differs from the Idempotency-Key header: send one or the other")
		}
		c.IdempotencyKey = h
	}
	c.SubmittedBy = memberOf(r)
	it, created, err := a.Store.Capture(r.Context(), c)
	if errors.Is(err, store.ErrBusy) {
		// The group commit queue is full: nothing was stored, and a retry with the same
		// idempotency key is safe.
		w.Header().Set("Retry-After", "1")
		return &router.Error{Status: http.StatusTooManyRequests, Msg: "feedback capture is busy: retry after 1 s", Err: err}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/feedback/"+it.ID)
	status := http.StatusOK // a retry gets the item it already made
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, item(it))
}

// batchResult is the answer to a batch: every item in input order (new or existing)
// and how many were new.
type batchResult struct {
	Items   []feedback.Item `json:"items"`
	Created int             `json:"created"`
}

func (a *API) captureBatch(w http.ResponseWriter, r *http.Request) error {
	cs, err := readBulk(w, r, "items", decodeCapture)
	if err != nil {
		return err
	}
	member := memberOf(r)
	for i := range cs {
		cs[i].SubmittedBy = member
	}
	items, created, err := a.Store.CaptureBatch(r.Context(), cs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, batchResult{Items: mapAll(items, item), Created: created})
}

func (a *API) listFeedback(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "status", "kind", "source", "sentiment", "account_id", "tag_id", "q", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.FeedbackFilter{AccountID: p.str("account_id"), TagID: p.str("tag_id"), Q: p.str("q")}
	if f.Status, err = oneOfKind(p, "status", feedback.Statuses); err != nil {
		return err
	}
	if f.Kind, err = oneOfKind(p, "kind", feedback.Kinds); err != nil {
		return err
	}
	if f.Source, err = oneOfKind(p, "source", feedback.Sources); err != nil {
		return err
	}
	sent, err := p.oneOf("sentiment", "negative", "neutral", "positive")
	if err != nil {
		return err
	}
	f.Sentiment = sentiment.Label(sent)
	if f.Limit, f.Before, err = p.page(50, "feedback"); err != nil {
		return err
	}
	items, next, err := a.Store.ListFeedback(r.Context(), f)
	if err != nil {
		return err
	}
	// The store's list leaves links out; one batched lookup puts them back, so an item
	// reads the same in a list as on its own.
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	tags, reqs, err := a.Store.FeedbackLinks(r.Context(), ids)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].TagIDs, items[i].RequestIDs = tags[items[i].ID], reqs[items[i].ID]
		items[i] = item(items[i])
	}
	return writeJSON(w, http.StatusOK, newList(items, encodeCursor("feedback", next)))
}

func (a *API) getFeedback(w http.ResponseWriter, r *http.Request) error {
	it, err := a.Store.GetFeedback(r.Context(), r.PathValue("id"))
	if err != nil {
		return notFound(err, "feedback item")
	}
	return writeJSON(w, http.StatusOK, item(it))
}

type triageInput struct {
	Kind   *string `json:"kind"`
	Status *string `json:"status"`
}

func (a *API) triageFeedback(w http.ResponseWriter, r *http.Request) error {
	var in triageInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	var kind *feedback.Kind
	var status *feedback.Status
	if in.Kind != nil {
		k := feedback.Kind(strings.TrimSpace(*in.Kind))
		if !k.Valid() {
			return router.FieldErr("kind", fmt.Sprintf("must be one of %s", strings.Join(names(feedback.Kinds), ", ")))
		}
		kind = &k
	}
	if in.Status != nil {
		s := feedback.Status(strings.TrimSpace(*in.Status))
		if !s.Valid() {
			return router.FieldErr("status", fmt.Sprintf("must be one of %s", strings.Join(names(feedback.Statuses), ", ")))
		}
		status = &s
	}
	id := r.PathValue("id")
	if err := a.Store.Triage(r.Context(), id, kind, status); err != nil {
		return notFound(err, "feedback item")
	}
	return a.getFeedback(w, r)
}

// readID reads a body {"<field>": "<id>"} holding exactly one non-empty id.
func readID(w http.ResponseWriter, r *http.Request, field string) (string, error) {
	var m map[string]string
	if _, err := decodeBody(w, r, &m); err != nil {
		return "", err
	}
	for k := range m {
		if k != field {
			return "", router.FieldErr(k, fmt.Sprintf("is not a known field (send {%q: \"…\"})", field))
		}
	}
	v := strings.TrimSpace(m[field])
	if v == "" {
		return "", router.FieldErr(field, "is required")
	}
	return v, nil
}

// fieldAlias renames the field of a 400 when the store names its own input (tag_ids)
// and the client sent another (tag_id).
func fieldAlias(err error, from, to string) error {
	if err == nil || from == "" {
		return err
	}
	if e := router.Classify(err); e.Field == from {
		return &router.Error{Status: e.Status, Field: to, Msg: to + strings.TrimPrefix(e.Msg, from), Err: err}
	}
	return err
}

// feedbackAnd reads a body naming one id (field) for a write on the URL's feedback
// item, and gives a 404 when there is no such item: without it the write would trip a
// foreign key (a 500) or silently do nothing.
func (a *API) feedbackAnd(w http.ResponseWriter, r *http.Request, field string) (id, other string, err error) {
	if other, err = readID(w, r, field); err != nil {
		return "", "", err
	}
	id, err = pathExists(r, "feedback item", a.Store.GetFeedback)
	return id, other, err
}

func (a *API) tagFeedback(w http.ResponseWriter, r *http.Request) error {
	id, tagID, err := a.feedbackAnd(w, r, "tag_id")
	if err != nil {
		return err
	}
	if err := a.Store.TagFeedback(r.Context(), id, tagID, memberOf(r)); err != nil {
		return fieldAlias(err, "tag_ids", "tag_id")
	}
	return a.getFeedback(w, r)
}

func (a *API) untagFeedback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathExists(r, "feedback item", a.Store.GetFeedback)
	if err != nil {
		return err
	}
	// Removing a tag the item does not have is a success: the item ends up untagged,
	// which is what the client asked for, and a retry must not fail.
	return noContent(w, a.Store.UntagFeedback(r.Context(), id, r.PathValue("tag_id")))
}

func (a *API) linkFeedback(w http.ResponseWriter, r *http.Request) error {
	id, reqID, err := a.feedbackAnd(w, r, "request_id")
	if err != nil {
		return err
	}
	if err := a.Store.LinkFeedback(r.Context(), reqID, id, memberOf(r)); err != nil {
		return notFound(fieldAlias(err, "request_ids", "request_id"), "feedback item")
	}
	return a.getFeedback(w, r)
}

func (a *API) unlinkFeedback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathExists(r, "feedback item", a.Store.GetFeedback)
	if err != nil {
		return err
	}
	return noContent(w, a.Store.UnlinkFeedback(r.Context(), r.PathValue("request_id"), id))
}
