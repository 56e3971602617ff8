package loop

import (
	"errors"
	"html/template"
	"net/http"
)

// The pages are self-contained (no scripts, no inline styles) so the app's strict CSP
// applies unchanged.
var unsubPage = template.Must(template.New("unsub").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title></head>
<body><main>
<h1>{{.Title}}</h1>
<p>{{.Msg}}</p>
{{if .Confirm}}<form method="post"><button type="submit">Unsubscribe {{.Email}}</button></form>{{end}}
</main></body></html>
`))

type unsubView struct {
	Title, Msg, Email string
	Confirm           bool
}

func render(w http.ResponseWriter, status int, v unsubView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	w.WriteHeader(status)
	unsubPage.Execute(w, v)
}

// UnsubscribeHandler serves GET and POST /unsubscribe/{token}; register it as a PUBLIC
// route (the recipient is not signed in). Its signature matches router.Handler.
//
// GET shows a confirmation button and changes nothing, because mail scanners and link
// previewers fetch every link in an email. POST records the unsubscribe: both the
// button and the one-click POST a mailbox provider sends for List-Unsubscribe-Post
// (RFC 8058, body "List-Unsubscribe=One-Click", no cookies, no Origin) land here,
// and it is idempotent. A token that does not verify is a 400 and records nothing.
func (l *Service) UnsubscribeHandler(w http.ResponseWriter, r *http.Request) error {
	key, err := secret(r.Context(), l.Store)
	if err != nil {
		return err
	}
	personID, email, err := ParseToken(key, r.PathValue("token"))
	if err != nil {
		render(w, http.StatusBadRequest, unsubView{Title: "Link not valid",
			Msg: "This unsubscribe link is not valid. Copy the whole link from the email, or reply to the email and ask us to stop."})
		return nil
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		render(w, http.StatusOK, unsubView{Title: "Unsubscribe", Confirm: true, Email: email,
			Msg: "Stop receiving our emails to you: news of the features you asked for, and surveys?"})
		return nil
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := l.Store.Unsubscribe(r.Context(), personID, email); err != nil {
			return err
		}
		render(w, http.StatusOK, unsubView{Title: "You are unsubscribed", Email: email,
			Msg: "You will not receive these emails any more. Thank you for your feedback."})
		return nil
	}
	return errors.New("loop: unsubscribe handler registered for " + r.Method)
}

// Unsubscribe is UnsubscribeHandler as a plain http.Handler, for tests and for
// mounting outside the router.
func (l *Service) Unsubscribe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := l.UnsubscribeHandler(w, r); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}
