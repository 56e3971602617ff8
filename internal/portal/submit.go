package portal

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Idea limits, in characters.
const (
	maxIdeaTitle   = 200
	maxIdeaDetails = 5000
)

type submitData struct {
	Title, Details string
	Nonce          string
	Error, Field   string
	Sent           bool
}

// nonceRE matches the form's one-time value.
var nonceRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

func newNonce() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// submitPage shows the idea form (or, to anonymous visitors, how to sign in):
// GET /portal/submit.
func (p *Portal) submitPage(w http.ResponseWriter, r *http.Request) error {
	me, err := p.viewer(r)
	if err != nil {
		return err
	}
	d := submitData{Nonce: newNonce(), Sent: r.URL.Query().Get("sent") == "1"}
	return p.render(w, r, http.StatusOK, "submit", "Share an idea", "submit", me, d)
}

// submit turns an idea into a feedback item from the signed-in customer:
// POST /portal/submit. It does not create a public request: the team triages every
// idea, links it to an existing request or makes a new one.
func (p *Portal) submit(w http.ResponseWriter, r *http.Request) error {
	if !p.postIP.AllowCtx(r.Context(), p.clientIP(r)) {
		return tooMany
	}
	me, err := p.viewer(r)
	if err != nil {
		return err
	}
	if me == nil {
		return seeOther(w, r, "/portal/signin?return="+url.QueryEscape("/portal/submit"))
	}
	if !p.ideaPerson.AllowCtx(r.Context(), me.ID) {
		return tooMany
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		d := submitData{Nonce: newNonce(), Error: "Your idea is too long to send. Please shorten it and try again."}
		return p.render(w, r, http.StatusBadRequest, "submit", "Share an idea", "submit", me, d)
	}
	d := submitData{
		Title:   strings.TrimSpace(r.PostFormValue("title")),
		Details: strings.TrimSpace(r.PostFormValue("details")),
		Nonce:   r.PostFormValue("nonce"),
	}
	if !nonceRE.MatchString(d.Nonce) {
		d.Nonce = newNonce()
	}
	switch {
	case d.Title == "":
		d.Error, d.Field = "Give your idea a short title.", "title"
	case utf8.RuneCountInString(d.Title) > maxIdeaTitle:
		d.Error, d.Field = "Keep the title under 200 characters; put the rest in the details.", "title"
	case utf8.RuneCountInString(d.Details) > maxIdeaDetails:
		d.Error, d.Field = "Keep the details under 5000 characters.", "details"
	}
	if d.Error != "" {
		return p.render(w, r, http.StatusBadRequest, "submit", "Share an idea", "submit", me, d)
	}
	text := d.Title
	if d.Details != "" {
		text += "\n\n" + d.Details
	}
	// The person is named by the ids Capture resolves by, so the item lands on this
	// very person and their account. The form's nonce makes a double-click or a
	// resubmitted form one item, not two.
	_, _, err = p.Store.Capture(r.Context(), feedback.Capture{
		Text:             text,
		Quote:            d.Title,
		Source:           feedback.SourcePortal,
		Kind:             feedback.FeatureRequest,
		Email:            me.Email,
		Name:             me.Name,
		PersonExternalID: me.ExternalID,
		AccountID:        me.AccountID,
		IdempotencyKey:   "portal:" + me.ID + ":" + d.Nonce,
	})
	if err != nil {
		return err
	}
	return seeOther(w, r, "/portal/submit?sent=1")
}
