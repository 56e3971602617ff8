package surveymail

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// The response page is self-contained: no script, no inline style (the app's CSP
// applies unchanged), a plain form that works without JavaScript, and every piece of
// text through html/template.
var page = template.Must(template.New("survey").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main id="main" class="survey-page">
<h1>{{.Title}}</h1>
{{if .Msg}}<p{{if .Error}} class="error" role="alert"{{end}}>{{.Msg}}</p>{{end}}
{{if .Form}}
<form method="post">
<fieldset><legend>{{.Question}}</legend>
<p class="survey-scale">
{{- range .Scores}}<label class="survey-score"><input type="radio" name="score" value="{{.}}"{{if eq . $.Score}} checked{{end}}> {{.}}</label> {{end -}}
</p>
<p class="muted">{{.Lo}} … {{.Hi}}</p>
</fieldset>
<p><label for="comment">{{.FollowUp}}</label><br>
<textarea id="comment" name="comment" rows="5" cols="60" maxlength="5000">{{.Comment}}</textarea></p>
<p><button type="submit">Send</button></p>
</form>
{{else if .Done}}
<p>Your answer: <strong id="your-score">{{.Score}}</strong> — {{.Question}}</p>
{{if .Comment}}<blockquote id="your-comment">{{.Comment}}</blockquote>{{end}}
{{end}}
</main></body></html>
`))

type pageView struct {
	Title, Msg                 string
	Error, Form, Done          bool
	Question, FollowUp, Lo, Hi string
	Scores                     []int
	Score                      int
	Comment                    string
}

func render(w http.ResponseWriter, status int, v pageView) {
	pageset.WriteTokenPage(w, status, page, v)
}

// ResponseHandler serves GET and POST /survey/{token}; register it as a PUBLIC route
// (the recipient is not signed in: the signed token is the credential).
//
//   - A token that does not verify (tampered, cut, another install's) is 400 and
//     records nothing.
//   - GET records the link's score (a click from the email is the answer, even if
//     the page is closed at once) and shows the form to change it and comment.
//   - POST records the form's score and comment; the response is then final.
//   - Once final, GET of any of the email's links shows the answer read-only and
//     changes nothing; POST is refused (409) with the same read-only view.
//
// HEAD changes nothing (link checkers). Both are rate limited per client address.
func (sv *Service) ResponseHandler(w http.ResponseWriter, r *http.Request) error {
	if pageset.Throttled(w, r, sv.Limit, sv.ClientIP, "survey") {
		render(w, http.StatusTooManyRequests, pageView{Title: "Too many requests", Error: true, Msg: "Wait a few seconds and try again."})
		return nil
	}
	key, err := sv.Store.SigningKey(r.Context(), survey.SecretKey)
	if err != nil {
		return err
	}
	sendID, score, err := survey.ParseToken(key, r.PathValue("token"))
	var send store.SurveySend
	if err == nil {
		send, err = sv.Store.GetSurveySend(r.Context(), sendID)
	}
	if err != nil {
		if errors.Is(err, survey.ErrBadToken) || errors.Is(err, store.ErrNotFound) {
			render(w, http.StatusBadRequest, pageView{Title: "Link not valid", Error: true,
				Msg: "This survey link is not valid. Click a number in the email again, or reply to the email with your answer."})
			return nil
		}
		return err
	}
	v, err := sv.Store.GetSurvey(r.Context(), send.SurveyID)
	if err != nil {
		return err
	}
	lo, hi := v.Kind.Ends()
	view := pageView{Title: "Thank you", Question: v.Question, FollowUp: v.FollowUp, Lo: lo, Hi: hi, Scores: v.Kind.Scores(), Score: score}
	final := func(resp survey.Response, status int) error {
		view.Done, view.Score, view.Comment = true, resp.Score, resp.Comment
		view.Msg = "You have already answered this survey; thank you. Your answer is below."
		render(w, status, view)
		return nil
	}
	var resp survey.Response
	switch r.Method {
	case http.MethodHead:
		render(w, http.StatusOK, pageView{Title: "Survey"})
		return nil
	case http.MethodGet:
		resp, err = sv.Store.RecordLinkScore(r.Context(), send, score)
		if errors.Is(err, store.ErrResponseFinal) {
			return final(resp, http.StatusOK)
		}
		if err != nil {
			return err
		}
		view.Form, view.Score, view.Comment = true, resp.Score, resp.Comment
		view.Msg = "We recorded your answer. You can change it, and tell us more:"
		render(w, http.StatusOK, view)
		return nil
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			render(w, http.StatusRequestEntityTooLarge, pageView{Title: "Too long", Error: true, Msg: "Keep the comment under 5,000 characters."})
			return nil
		}
		view.Comment = r.PostFormValue("comment")
		if s, err := strconv.Atoi(r.PostFormValue("score")); err == nil {
			view.Score = s
		}
		resp, err = sv.Store.SubmitLinkResponse(r.Context(), send, view.Score, view.Comment)
		var fe *errs.FieldError
		switch {
		case errors.Is(err, store.ErrResponseFinal):
			return final(resp, http.StatusConflict)
		case errors.As(err, &fe):
			view.Form, view.Error, view.Title, view.Msg = true, true, "Please check your answer", fe.Error()
			render(w, http.StatusUnprocessableEntity, view)
			return nil
		case err != nil:
			return err
		}
		view.Done, view.Score, view.Comment = true, resp.Score, resp.Comment
		view.Msg = "Thank you for your answer."
		render(w, http.StatusOK, view)
		return nil
	}
	return errors.New("surveymail: response handler registered for " + r.Method)
}
