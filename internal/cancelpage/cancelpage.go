// Package cancelpage serves the hosted cancellation survey: the public page the host
// product redirects a cancelling customer to, GET and POST /cancel/{token}. The
// signed token (internal/cancel) is the credential; the answer goes to the store,
// which makes it a churn-reason feedback item of the account.
package cancelpage

import (
	"errors"
	"html/template"
	"net/http"
	"slices"

	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/store"
)

// Allower is a rate limiter (auth.Limiter).
type Allower = pageset.Allower

// Service serves the page.
type Service struct {
	Store    *store.Store
	Limit    Allower                      // per client address; nil: none
	ClientIP func(r *http.Request) string // behind trusted proxies; nil: the peer
}

// URL is the hosted page's link for l.
func URL(baseURL string, key []byte, l cancel.Link) string {
	return baseURL + "/cancel/" + cancel.Token(key, l)
}

// The page is self-contained like the survey response page: no script, no inline
// style (the app's CSP applies unchanged), a plain form, everything through
// html/template. Cross-site posts are refused by the app's cross-origin protection
// before the handler runs, and the token in the path is the form's credential.
var page = template.Must(template.New("cancel").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main id="main" class="survey-page">
<h1>{{.Title}}</h1>
{{if .Msg}}<p{{if .Error}} class="error" role="alert"{{end}}>{{.Msg}}</p>{{end}}
{{if .Form}}
<form method="post">
<fieldset><legend>Why are you leaving?</legend>
{{- range .Reasons}}
<p><label><input type="radio" name="reason" value="{{.Code}}"{{if eq .Code $.Reason}} checked{{end}}> {{.Label}}</label></p>
{{- end}}
</fieldset>
<fieldset><legend>What did you like? <span class="muted">(any)</span></legend>
{{- range .Liked}}
<p><label><input type="checkbox" name="liked" value="{{.Code}}"{{if $.IsLiked .Code}} checked{{end}}> {{.Label}}</label></p>
{{- end}}
</fieldset>
<p><label for="text">Anything else you would like to tell us?</label><br>
<textarea id="text" name="text" rows="5" cols="60" maxlength="5000">{{.Text}}</textarea></p>
<p><button type="submit">Send</button></p>
</form>
{{else if .Done}}
<p>Your answer: <strong id="your-reason">{{.ReasonLabel}}</strong></p>
{{if .Text}}<blockquote id="your-text">{{.Text}}</blockquote>{{end}}
{{end}}
</main></body></html>
`))

type view struct {
	Title, Msg          string
	Error, Form, Done   bool
	Reasons, Liked      []cancel.Option
	Reason, ReasonLabel string
	Chosen              []string
	Text                string
}

// IsLiked lets the form keep the ticked boxes when it is shown again.
func (v view) IsLiked(code string) bool { return slices.Contains(v.Chosen, code) }

func render(w http.ResponseWriter, status int, v view) {
	pageset.WriteTokenPage(w, status, page, v)
}

// Handler serves GET and POST /cancel/{token}; register it as a PUBLIC route.
//
//   - A token that does not verify (tampered, cut, another install's) or has expired
//     is 400 and records nothing.
//   - GET shows the form; POST records the answer, after which the link shows it
//     read-only (GET 200, POST 409) and records nothing more.
//   - A POST missing the reason shows the form again with what was given (422).
//
// Both are rate limited per client address.
func (sv *Service) Handler(w http.ResponseWriter, r *http.Request) error {
	if pageset.Throttled(w, r, sv.Limit, sv.ClientIP, "cancel") {
		render(w, http.StatusTooManyRequests, view{Title: "Too many requests", Error: true, Msg: "Wait a few seconds and try again."})
		return nil
	}
	ctx := r.Context()
	key, err := sv.Store.SigningKey(ctx, cancel.SecretKey)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	link, err := cancel.ParseToken(key, token, sv.Store.Now())
	if err == nil {
		_, err = sv.Store.GetAccount(ctx, link.AccountID)
	}
	switch {
	case errors.Is(err, cancel.ErrExpiredToken):
		render(w, http.StatusBadRequest, view{Title: "Link expired", Error: true, Msg: "This link has expired. Open the cancellation page again from your account."})
		return nil
	case errors.Is(err, cancel.ErrBadToken) || errors.Is(err, store.ErrNotFound):
		render(w, http.StatusBadRequest, view{Title: "Link not valid", Error: true, Msg: "This link is not valid. Open the cancellation page again from your account."})
		return nil
	case err != nil:
		return err
	}
	set, err := sv.Store.CancellationSettings(ctx)
	if err != nil {
		return err
	}
	v := view{Title: "Sorry to see you go", Reasons: set.Reasons, Liked: set.Liked}
	hash := cancel.TokenHash(token)
	answered := func(status int) error {
		c, err := sv.Store.CancellationByLink(ctx, hash)
		if err != nil {
			return err
		}
		v.Done, v.ReasonLabel, v.Text = true, cancel.Label(set.Reasons, c.Reason), c.Text
		v.Title, v.Msg = "Thank you", "You have already answered; thank you. Your answer is below."
		render(w, status, v)
		return nil
	}
	switch r.Method {
	case http.MethodHead:
		render(w, http.StatusOK, view{Title: "Cancellation survey"})
		return nil
	case http.MethodGet:
		if _, err := sv.Store.CancellationByLink(ctx, hash); err == nil {
			return answered(http.StatusOK)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		v.Form, v.Msg = true, "Before you go, would you tell us why? It takes a few seconds."
		render(w, http.StatusOK, v)
		return nil
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			render(w, http.StatusRequestEntityTooLarge, view{Title: "Too long", Error: true, Msg: "Keep the text under 5,000 characters."})
			return nil
		}
		v.Reason, v.Chosen, v.Text = r.PostFormValue("reason"), r.PostForm["liked"], r.PostFormValue("text")
		in := cancel.Input{Reason: v.Reason, Liked: v.Chosen, Text: v.Text}
		c, err := sv.Store.AddCancellation(ctx, store.CancelWho{AccountID: link.AccountID, PersonID: link.PersonID}, cancel.ChannelPage, hash, in)
		var fe *errs.FieldError
		switch {
		case errors.Is(err, store.ErrLinkAnswered):
			return answered(http.StatusConflict)
		case errors.As(err, &fe):
			v.Form, v.Error, v.Title, v.Msg = true, true, "Please check your answer", "Please check the "+fe.Field+": "+fe.Msg+"."
			if fe.Field == "reason" {
				v.Msg = "Choose why you are leaving."
			}
			render(w, http.StatusUnprocessableEntity, v)
			return nil
		case err != nil:
			return err
		}
		v.Done, v.ReasonLabel, v.Text = true, cancel.Label(set.Reasons, c.Reason), c.Text
		v.Title, v.Msg = "Thank you", "Thank you for telling us. We read every answer."
		render(w, http.StatusOK, v)
		return nil
	}
	return errors.New("cancelpage: handler registered for " + r.Method)
}
