// Package loop closes the feedback loop: when a feature request ships, everyone who
// asked for it or voted for it gets a personal email quoting their own words. Prepare
// makes one reviewable draft per person, the team skips or edits drafts, Send queues
// the rest in the notify outbox, and notify.Worker sends them and records a touchpoint
// on each person's account.
package loop

import (
	"context"
	"errors"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
)

// Service prepares and sends close-the-loop emails.
type Service struct {
	Store *store.Store
	// BaseURL is the public URL of this install (CLOSELOOP_BASE_URL), for the
	// unsubscribe links; emails cannot be prepared without it.
	BaseURL string
}

// New returns a Service.
func New(st *store.Store, baseURL string) *Service {
	return &Service{Store: st, BaseURL: strings.TrimRight(baseURL, "/")}
}

// ErrNotShipped refuses to prepare emails for a request that has not shipped.
var ErrNotShipped = errors.New("close the loop is for shipped requests: mark the request shipped first")

// ErrNoBaseURL says unsubscribe links cannot be made.
var ErrNoBaseURL = errors.New("set CLOSELOOP_BASE_URL (the public URL of closeloop) so emails can carry an unsubscribe link")

// UnsubscribeURL is the public link that unsubscribes a person.
func (l *Service) UnsubscribeURL(ctx context.Context, personID, email string) (string, error) {
	if l.BaseURL == "" {
		return "", ErrNoBaseURL
	}
	key, err := secret(ctx, l.Store)
	if err != nil {
		return "", err
	}
	return l.unsubscribeURL(key, personID, email), nil
}

// UnsubscribeLinks reads the key once and returns a function making unsubscribe
// links, for other customer email (surveys) built inside a store transaction, where
// the key must not be created.
func (l *Service) UnsubscribeLinks(ctx context.Context) (func(personID, email string) string, error) {
	if l.BaseURL == "" {
		return nil, ErrNoBaseURL
	}
	key, err := secret(ctx, l.Store)
	if err != nil {
		return nil, err
	}
	return func(personID, email string) string { return l.unsubscribeURL(key, personID, email) }, nil
}

func (l *Service) unsubscribeURL(key []byte, personID, email string) string {
	return strings.TrimRight(l.BaseURL, "/") + "/unsubscribe/" + Token(key, personID, email)
}

// Result is what Prepare made.
type Result struct {
	Request feedback.Request
	Drafts  []store.LoopEmail // every person, sendable first; Email "" means cannot be emailed
}

// Sendable are the drafts waiting for review.
func (r Result) Sendable() []store.LoopEmail {
	return filter(r.Drafts, func(d store.LoopEmail) bool { return d.Status == store.LoopDraft })
}

// CannotEmail are the people with no email address.
func (r Result) CannotEmail() []store.LoopEmail {
	return filter(r.Drafts, func(d store.LoopEmail) bool { return d.Email == "" })
}

// Unsubscribed are the people who asked for no more email.
func (r Result) Unsubscribed() []store.LoopEmail {
	return filter(r.Drafts, func(d store.LoopEmail) bool { return d.Unsubscribed })
}

func filter(ds []store.LoopEmail, keep func(store.LoopEmail) bool) []store.LoopEmail {
	var out []store.LoopEmail
	for _, d := range ds {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// Prepare makes (or refreshes) one draft per person behind a shipped request: the
// people whose feedback is linked to it or to a request merged into it, and its
// voters, each once, quoting their most recent linked feedback. People without an email
// are kept as skipped rows ("cannot be emailed"); people who unsubscribed are marked.
// Running it again re-renders drafts not yet sent (after a template change) and adds
// people who asked since; it never touches queued or sent emails.
func (l *Service) Prepare(ctx context.Context, requestID string) (Result, error) {
	req, err := l.Store.GetRequest(ctx, requestID)
	if err != nil {
		return Result{}, err
	}
	if req.Status != feedback.Shipped {
		return Result{}, ErrNotShipped
	}
	if l.BaseURL == "" {
		return Result{}, ErrNoBaseURL
	}
	tmpl, err := LoadTemplate(ctx, l.Store)
	if err != nil {
		return Result{}, err
	}
	key, err := secret(ctx, l.Store)
	if err != nil {
		return Result{}, err
	}
	recips, err := l.Store.LoopRecipients(ctx, requestID)
	if err != nil {
		return Result{}, err
	}
	drafts := make([]store.LoopEmail, 0, len(recips))
	for _, r := range recips {
		d := store.LoopEmail{PersonID: r.PersonID, Email: r.Email, Name: r.Name, Quote: oneLine(r.Quote), Channel: r.Channel,
			QuotedAt: r.QuotedAt, Voted: r.Voted, Unsubscribed: r.Unsubscribed, Status: store.LoopDraft}
		if d.Email == "" || d.Unsubscribed {
			d.Status = store.LoopSkipped
		}
		if d.Email != "" {
			f := l.fields(key, req, d)
			if d.Subject, d.BodyText, err = tmpl.Render(f); err != nil {
				return Result{}, err
			}
		}
		drafts = append(drafts, d)
	}
	saved, err := l.Store.SaveLoopDrafts(ctx, requestID, drafts)
	return Result{Request: req, Drafts: saved}, err
}

func (l *Service) fields(key []byte, req feedback.Request, d store.LoopEmail) Fields {
	u := l.unsubscribeURL(key, d.PersonID, d.Email)
	f := Fields{FirstName: firstName(d.Name), Name: d.Name, Quote: d.Quote, RequestTitle: req.Title,
		ReleaseNote: strings.TrimSpace(req.ReleaseNote), UnsubscribeURL: u}
	if d.Quote != "" {
		f.Channel = ChannelLabel(d.Channel)
		f.Date = d.QuotedAt.Format("January 2, 2006")
	}
	return f
}

// oneLine keeps a quote on the "> " line the template puts it on.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Rendered is a draft as the recipient will see it.
type Rendered struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"` // safe to show in a sandboxed iframe (srcdoc)
}

// Preview renders one draft.
func (l *Service) Preview(ctx context.Context, draftID string) (Rendered, error) {
	d, err := l.Store.GetLoopEmail(ctx, draftID)
	if err != nil {
		return Rendered{}, err
	}
	html, err := HTMLBody(d.Subject, d.BodyText)
	if err != nil {
		return Rendered{}, err
	}
	to := d.Email
	if d.Name != "" && to != "" {
		to = d.Name + " <" + d.Email + ">"
	}
	return Rendered{To: to, Subject: d.Subject, Text: d.BodyText, HTML: html}, nil
}

// Skip marks a draft not to be sent; Unskip undoes it.
func (l *Service) Skip(ctx context.Context, draftID string) error {
	return l.Store.SkipLoopEmail(ctx, draftID)
}

// Unskip makes a skipped draft sendable again (not for people who cannot be emailed or
// unsubscribed).
func (l *Service) Unskip(ctx context.Context, draftID string) error {
	return l.Store.UnskipLoopEmail(ctx, draftID)
}

// Edit replaces one draft's subject and body text before sending.
func (l *Service) Edit(ctx context.Context, draftID, subject, body string) error {
	subject = oneLine(subject)
	if subject == "" || strings.TrimSpace(body) == "" {
		return errs.Invalid("subject", "subject and body are required")
	}
	return l.Store.EditLoopEmail(ctx, draftID, subject, strings.ReplaceAll(body, "\r\n", "\n"))
}

// SendResult counts what Send did.
type SendResult struct {
	Queued  int `json:"queued"`
	Skipped int `json:"skipped"` // not a draft any more, skipped, unsubscribed or no email
}

// Send queues the given drafts in the outbox (draftIDs of one or several requests;
// nil sends nothing). Drafts of people who unsubscribed — even a moment ago — are
// never queued, and the worker checks again right before sending.
func (l *Service) Send(ctx context.Context, draftIDs []string) (SendResult, error) {
	var res SendResult
	if len(draftIDs) == 0 {
		return res, nil
	}
	if l.BaseURL == "" {
		return res, ErrNoBaseURL
	}
	// Read the key before the queueing transactions: on SQLite the builder below runs
	// while the single write connection is held, so it must not write.
	key, err := secret(ctx, l.Store)
	if err != nil {
		return res, err
	}
	titles := map[string]string{}
	for _, did := range draftIDs {
		queued, err := l.Store.QueueLoopEmail(ctx, did, func(d store.LoopEmail) ([]byte, error) {
			title, ok := titles[d.RequestID]
			if !ok {
				req, err := l.Store.GetRequest(ctx, d.RequestID)
				if err != nil {
					return nil, err
				}
				title, titles[d.RequestID] = req.Title, req.Title
			}
			html, err := HTMLBody(d.Subject, d.BodyText)
			if err != nil {
				return nil, err
			}
			u := l.unsubscribeURL(key, d.PersonID, d.Email)
			return notify.EmailPayload{
				Message:            notify.Message{ToName: d.Name, ToEmail: d.Email, Subject: d.Subject, Text: d.BodyText, HTML: html, ListUnsubscribe: u},
				PersonID:           d.PersonID,
				RespectUnsubscribe: true,
				Touchpoint:         "Told about shipped: " + title,
			}.Marshal()
		})
		if err != nil {
			return res, err
		}
		if queued {
			res.Queued++
		} else {
			res.Skipped++
		}
	}
	return res, nil
}

// SendAll queues every draft of a request still waiting for review.
func (l *Service) SendAll(ctx context.Context, requestID string) (SendResult, error) {
	ds, err := l.Store.ListLoopEmails(ctx, requestID)
	if err != nil {
		return SendResult{}, err
	}
	var ids []string
	for _, d := range ds {
		if d.Status == store.LoopDraft {
			ids = append(ids, d.ID)
		}
	}
	return l.Send(ctx, ids)
}
