package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// registerSurveys: the Surveys pages (results for everyone, changes for members, the
// throttle for admins).
func (ui *Web) registerSurveys(rt *router.Router) {
	rt.Web("GET /surveys", auth.RoleViewer, ui.surveysPage)
	rt.Web("POST /surveys", auth.RoleMember, ui.surveyCreate)
	rt.Web("POST /surveys/settings", auth.RoleAdmin, ui.surveySettingsSave)
	rt.Web("GET /surveys/{id}", auth.RoleViewer, ui.surveyPage)
	rt.Web("POST /surveys/{id}", auth.RoleMember, ui.surveyEdit)
	rt.Web("GET /surveys/{id}/responses.csv", auth.RoleViewer, ui.surveyExport)
	rt.Web("POST /surveys/{id}/responses/import", auth.RoleMember, ui.surveyImport)
}

// surveyForm is the create/edit form as typed, with its errors.
type surveyForm struct {
	Kind, Name, Question, FollowUp, CSATMode string
	Tiers, Plans, Stages, AfterSignupDays    string
	Active                                   bool
	Errors                                   map[string]string
}

func formOf(v survey.Survey) surveyForm {
	f := surveyForm{Kind: string(v.Kind), Name: v.Name, Question: v.Question, FollowUp: v.FollowUp, CSATMode: string(v.CSATMode),
		Tiers: strings.Join(v.Audience.Tiers, ", "), Plans: strings.Join(v.Audience.Plans, ", "), Stages: strings.Join(v.Audience.Stages, ", "),
		Active: v.Active, Errors: map[string]string{}}
	if v.Audience.AfterSignupDays > 0 {
		f.AfterSignupDays = strconv.Itoa(v.Audience.AfterSignupDays)
	}
	return f
}

func readSurveyForm(r *http.Request) surveyForm {
	v := r.PostFormValue
	return surveyForm{Kind: v("kind"), Name: v("name"), Question: v("question"), FollowUp: v("follow_up"), CSATMode: v("csat_mode"),
		Tiers: v("tiers"), Plans: v("plans"), Stages: v("stages"), AfterSignupDays: strings.TrimSpace(v("after_signup_days")),
		Active: v("active") == "on", Errors: map[string]string{}}
}

// apply puts the form on v; a field error is kept in f.Errors.
func (f *surveyForm) apply(v *survey.Survey) bool {
	list := func(s string) []string { return strings.Split(s, ",") }
	v.Name, v.Question, v.FollowUp, v.CSATMode, v.Active = f.Name, f.Question, f.FollowUp, survey.CSATMode(f.CSATMode), f.Active
	if f.Kind != "" {
		v.Kind = survey.Kind(f.Kind)
	}
	v.Audience = survey.Audience{Tiers: list(f.Tiers), Plans: list(f.Plans), Stages: list(f.Stages)}
	if f.AfterSignupDays != "" {
		n, err := strconv.Atoi(f.AfterSignupDays)
		if err != nil {
			f.Errors["after_signup_days"] = "Days after signup must be a whole number."
			return false
		}
		v.Audience.AfterSignupDays = n
	}
	return true
}

// refused shows the store's refusal next to its field (the audience's fields are
// named as the form names them).
func (f *surveyForm) refused(fe *errs.FieldError) {
	field := strings.TrimPrefix(fe.Field, "audience.")
	f.Errors[field] = fieldMsg(field, fe.Msg)
}

type surveyRow struct {
	survey.Survey
	Results survey.Summary
}

type surveysData struct {
	Surveys  []surveyRow
	Form     surveyForm
	Settings survey.Settings
	Kinds    []survey.Kind
	SetErr   string
}

// surveysPage: GET /surveys, every survey with its headline figure.
func (ui *Web) surveysPage(w http.ResponseWriter, r *http.Request) error {
	return ui.renderSurveys(w, r, http.StatusOK, surveyForm{Kind: string(survey.NPS), CSATMode: string(survey.CSATShare), Errors: map[string]string{}}, "")
}

func (ui *Web) renderSurveys(w http.ResponseWriter, r *http.Request, status int, f surveyForm, setErr string) error {
	ctx := r.Context()
	list, err := ui.Store.ListSurveys(ctx)
	if err != nil {
		return err
	}
	d := surveysData{Form: f, Kinds: survey.Kinds, SetErr: setErr}
	for _, v := range list {
		pts, err := ui.Store.SurveyPoints(ctx, v.ID)
		if err != nil {
			return err
		}
		d.Surveys = append(d.Surveys, surveyRow{v, survey.Compute(v, pts).Overall})
	}
	if d.Settings, err = ui.Store.SurveySettings(ctx); err != nil {
		return err
	}
	return ui.render(w, r, status, "surveys", "Surveys", "surveys", d)
}

// surveyCreate: POST /surveys.
func (ui *Web) surveyCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	f := readSurveyForm(r)
	v := survey.Survey{CreatedBy: router.From(r).Member.ID}
	if f.apply(&v) {
		err := ui.Store.CreateSurvey(r.Context(), &v)
		if done, err := ui.saved(w, r, err, "Survey created.", "/surveys/"+url.PathEscape(v.ID), f.refused); done {
			return err
		}
	}
	return ui.renderSurveys(w, r, http.StatusUnprocessableEntity, f, "")
}

// surveySettingsSave: POST /surveys/settings, the throttle (admin).
func (ui *Web) surveySettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 8<<10); err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("throttle_days")))
	if err == nil {
		err = ui.Store.PutSurveySettings(r.Context(), survey.Settings{ThrottleDays: n})
	} else {
		err = survey.Settings{}.Validate()
	}
	if err != nil {
		_, msg, ok := asFieldError(err)
		if !ok {
			return err
		}
		return ui.renderSurveys(w, r, http.StatusUnprocessableEntity, surveyForm{Kind: string(survey.NPS), Errors: map[string]string{}}, "The throttle "+msg+".")
	}
	ui.setFlash(w, "Survey throttle saved.")
	return seeOther(w, r, "/surveys")
}

type surveyData struct {
	Survey    survey.Survey
	Results   survey.Results
	Sends     int
	Responses store.ResponsePage
	Cursor    string
	Form      surveyForm
	ImportErr string
	ScaleMin  int
	ScaleMax  int
	NPS       bool
}

// surveyPage: GET /surveys/{id}, results (overall, per month, per tier, per account)
// and the responses, newest first, a page at a time (?cursor=).
func (ui *Web) surveyPage(w http.ResponseWriter, r *http.Request) error {
	v, err := ui.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ui.renderSurvey(w, r, http.StatusOK, v, formOf(v), "")
}

func (ui *Web) renderSurvey(w http.ResponseWriter, r *http.Request, status int, v survey.Survey, f surveyForm, importErr string) error {
	ctx := r.Context()
	pts, err := ui.Store.SurveyPoints(ctx, v.ID)
	if err != nil {
		return err
	}
	d := surveyData{Survey: v, Results: survey.Compute(v, pts), Form: f, ImportErr: importErr, Cursor: r.URL.Query().Get("cursor"), NPS: v.Kind == survey.NPS}
	d.ScaleMin, d.ScaleMax = v.Kind.Scale()
	if d.Sends, err = ui.Store.CountSurveySends(ctx, v.ID); err != nil {
		return err
	}
	d.Responses, err = ui.Store.ListSurveyResponses(ctx, store.ResponseFilter{SurveyID: v.ID, Limit: 50, Cursor: d.Cursor})
	if errors.Is(err, store.ErrBadCursor) {
		return router.Errorf(http.StatusBadRequest, "that page link is not valid; start from the first page")
	}
	if err != nil {
		return err
	}
	return ui.render(w, r, status, "survey", v.Name, "surveys", d)
}

// surveyEdit: POST /surveys/{id}, the text, audience and whether it sends.
func (ui *Web) surveyEdit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	v, err := ui.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := readSurveyForm(r)
	f.Kind = string(v.Kind)
	if f.apply(&v) {
		err := ui.Store.UpdateSurvey(r.Context(), &v)
		if done, err := ui.saved(w, r, err, "Survey saved.", "/surveys/"+url.PathEscape(v.ID), f.refused); done {
			return err
		}
	}
	old, err := ui.Store.GetSurvey(r.Context(), v.ID)
	if err != nil {
		return err
	}
	return ui.renderSurvey(w, r, http.StatusUnprocessableEntity, old, f, "")
}

// surveyExport: GET /surveys/{id}/responses.csv.
func (ui *Web) surveyExport(w http.ResponseWriter, r *http.Request) error {
	v, err := ui.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer // a survey's responses fit in memory; a failure is then a clean error
	if _, err := csvio.ExportResponses(r.Context(), ui.Store, v.ID, &buf); err != nil {
		return err
	}
	csvHeaders(w, "survey-"+v.ID+"-responses.csv")
	_, err = w.Write(buf.Bytes())
	return err
}

// maxImport bounds an uploaded response file.
const maxImport = 20 << 20

// surveyImport: POST /surveys/{id}/responses/import, a CSV upload (multipart, field
// "file"): all rows or none, a problem shown with its line and column.
func (ui *Web) surveyImport(w http.ResponseWriter, r *http.Request) error {
	v, err := ui.Store.GetSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImport)
	file, _, err := r.FormFile("file")
	if err != nil {
		return ui.renderSurvey(w, r, http.StatusUnprocessableEntity, v, formOf(v), "Choose a CSV file (at most 20 MB) to import.")
	}
	defer file.Close()
	n, err := csvio.ImportResponses(r.Context(), ui.Store, v.ID, io.LimitReader(file, maxImport))
	var ce *csvio.Error
	if errors.As(err, &ce) {
		return ui.renderSurvey(w, r, http.StatusUnprocessableEntity, v, formOf(v), "Nothing was imported: "+ce.Error()+".")
	}
	if err != nil {
		return err
	}
	ui.setFlash(w, "Imported "+plural(n, "response")+".")
	return seeOther(w, r, "/surveys/"+url.PathEscape(v.ID))
}
