package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// surveyInput is a create or PATCH body; nil leaves a field as it is.
type surveyInput struct {
	Kind     *string          `json:"kind"`
	Name     *string          `json:"name"`
	Question *string          `json:"question"`
	FollowUp *string          `json:"follow_up"`
	CSATMode *string          `json:"csat_mode"`
	Audience *survey.Audience `json:"audience"`
	Active   *bool            `json:"active"`
}

func (in surveyInput) apply(v *survey.Survey) {
	if in.Kind != nil {
		v.Kind = survey.Kind(*in.Kind)
	}
	set(&v.Name, in.Name)
	set(&v.Question, in.Question)
	set(&v.FollowUp, in.FollowUp)
	if in.CSATMode != nil {
		v.CSATMode = survey.CSATMode(*in.CSATMode)
	}
	set(&v.Audience, in.Audience)
	set(&v.Active, in.Active)
}

func (a *API) createSurvey(w http.ResponseWriter, r *http.Request) error {
	var in surveyInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.Kind == nil {
		return router.FieldErr("kind", "is required: nps, csat or ces")
	}
	v := survey.Survey{CreatedBy: memberOf(r)}
	in.apply(&v)
	if err := a.Store.CreateSurvey(r.Context(), &v); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, v)
}

func (a *API) getSurvey(w http.ResponseWriter, r *http.Request) error {
	v, err := a.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *API) patchSurvey(w http.ResponseWriter, r *http.Request) error {
	var in surveyInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	v, err := a.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	in.apply(&v)
	if err := a.Store.UpdateSurvey(r.Context(), &v); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *API) surveyResults(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	v, err := a.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	pts, err := a.Store.SurveyPoints(r.Context(), v.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, survey.Compute(v, pts))
}

func (a *API) listSurveyResponses(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "limit", "cursor")
	if err != nil {
		return err
	}
	v, err := a.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := store.ResponseFilter{SurveyID: v.ID, AccountID: p.str("account_id")}
	return pageOf(w, r, p, "survey_responses", 50, &f, &f.Limit, &f.Cursor, a.surveyResponses)
}

// surveyResponses is one page of a survey's responses and the next page's cursor.
func (a *API) surveyResponses(ctx context.Context, f store.ResponseFilter) ([]survey.Response, string, error) {
	page, err := a.Store.ListSurveyResponses(ctx, f)
	return page.Responses, page.Next, err
}

// responseInput is a response given through the API.
type responseInput struct {
	Score             *int    `json:"score"`
	Comment           string  `json:"comment"`
	Email             string  `json:"email"`
	Name              string  `json:"name"`
	PersonExternalID  string  `json:"person_external_id"`
	AccountID         string  `json:"account_id"`
	AccountExternalID string  `json:"account_external_id"`
	RespondedAt       *string `json:"responded_at"`
}

func (a *API) createSurveyResponse(w http.ResponseWriter, r *http.Request) error {
	var in responseInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.Score == nil {
		return router.FieldErr("score", "is required")
	}
	at, err := happenedAt("responded_at", in.RespondedAt)
	if err != nil {
		return err
	}
	si := survey.Input{Score: *in.Score, Comment: in.Comment, Email: in.Email, Name: in.Name, PersonExternalID: in.PersonExternalID,
		AccountID: in.AccountID, AccountExternalID: in.AccountExternalID, RespondedAt: at}
	rs, err := a.Store.AddSurveyResponses(r.Context(), r.PathValue("id"), survey.ChannelAPI, []survey.Input{si})
	if err != nil {
		return unwrapOne(err)
	}
	return writeJSON(w, http.StatusCreated, rs[0])
}

func (a *API) getSurveyResponse(w http.ResponseWriter, r *http.Request) error {
	resp, err := a.Store.GetSurveyResponse(r.Context(), r.PathValue("response_id"))
	if err != nil {
		return err
	}
	if resp.SurveyID != r.PathValue("id") {
		return store.ErrNotFound
	}
	return writeJSON(w, http.StatusOK, resp)
}

// unwrapOne turns the batch error of a one-item batch into the item's own error, so a
// single response's refusal names its field without an index.
func unwrapOne(err error) error {
	var ie *errs.ItemError
	if errors.As(err, &ie) {
		return ie.Err
	}
	return err
}
