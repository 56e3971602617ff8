package integration

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
)

// Inbound email: a mail relay (Postmark, Mailgun, SendGrid, CloudMailin, a Postfix
// pipe to curl…) posts each message to /hooks/email, authenticated by the shared
// secret in X-Closeloop-Secret or, for relays that cannot set headers, ?token=. The
// body is the raw RFC 5322 message (Content-Type: message/rfc822 or anything not a
// form), or a form (multipart/form-data or urlencoded) with the raw message in a field
// or file named "email", "message" or "body-mime" (Mailgun's name for it).
//
// The answer is 200 in every case the relay should not retry: "created", "duplicate"
// (the same Message-ID again, e.g. a relay resending after losing our answer), or
// "ignored" with the reason for mail no person wrote (bounces, spam complaints, read
// receipts, auto-replies: mail_auto.go) and for mail with no text. A request with no
// message in it, or bytes that are not a message at all, is 400.
//
// How a message is read, as mail clients read it: mail_parse.go (MIME, leniently),
// mail_header.go (headers, addresses, RFC 2047), mail_charset.go (every charset),
// mail_quote.go (quoted history and signatures), mail_forward.go (forwards, captured
// as the original sender's words). The same parser reads mbox imports (mbox.go).

// ErrNoText is returned for a message with neither subject nor body text.
var ErrNoText = errors.New("message has no text")

// Limits that keep a hostile message (deeply nested or thousands of parts) cheap.
const (
	maxMIMEDepth = 8
	maxMIMEParts = 200
	maxPartBytes = 10 << 20
)

func (in *Integration) email(q *request) (*outcome, error) {
	token := q.r.Header.Get("X-Closeloop-Secret")
	if token == "" {
		token = q.r.URL.Query().Get("token")
	}
	if !sameSecret(token, q.secret) {
		return nil, unauthorized("missing or wrong X-Closeloop-Secret (or ?token=)", errBadSignature)
	}
	return parseEmailDelivery(q.r.Context(), q.r.Header.Get("Content-Type"), q.body, in.d.Members)
}

// MemberLookup finds the team member with an email address; the store provides it.
type MemberLookup func(ctx context.Context, email string) (memberID string, ok bool)

// parseEmailDelivery makes an outcome of a relay's request body (the raw message, or
// a form holding it). It is the email counterpart of parseIntercom & co., for
// re-parsing a kept delivery.
//
// No replay key: the shared secret is the same on every request, so a replay cache
// proves nothing about who sent it, and a relay that resends a message after losing
// our answer must hear 200 "duplicate" (the store dedupes on Message-ID), not 401, or
// it logs an authentication failure and may stop delivering.
//
// A forward by a team member is the original sender's words, logged by that member
// (SubmittedBy); a forward by anyone else is the forwarder's own message. Without
// members (nil) every forward is credited to the original sender.
func parseEmailDelivery(ctx context.Context, contentType string, body []byte, members MemberLookup) (*outcome, error) {
	raw, err := rawMessage(contentType, body)
	if err != nil {
		return nil, badPayload("no message in the request: post the raw message, or a form field named email", err)
	}
	m, err := ParseMail(raw)
	switch {
	case errors.Is(err, ErrAutomated):
		return &outcome{ignored: m.Automated, detail: mailDetail(m)}, nil
	case errors.Is(err, ErrNoText):
		return &outcome{ignored: "message has no text", detail: mailDetail(m)}, nil
	case err != nil:
		return nil, badPayload("unreadable email message", err)
	}
	c := &m.Capture
	if m.ForwardedBy != nil && members != nil {
		if id, ok := members(ctx, m.ForwardedBy.Address); ok {
			c.SubmittedBy = id
		} else if m.AsForwarder != nil {
			c = m.AsForwarder
		}
	}
	c.Original = m.Original // the whole body, quoted history included, kept beside the item
	return &outcome{capture: c}, nil
}

// rawMessage finds the RFC 5322 message in a relay's request body.
func rawMessage(contentType string, body []byte) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for _, name := range []string{"email", "message", "body-mime"} {
			if v := form.Get(name); v != "" {
				return []byte(v), nil
			}
		}
		return nil, errors.New("no email or message field")
	}
	if err != nil || mt != "multipart/form-data" {
		return body, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, errors.New("no email or message field")
		}
		if err != nil {
			return nil, err
		}
		switch p.FormName() {
		case "email", "message", "body-mime":
			b, err := io.ReadAll(io.LimitReader(p, maxEmailBody))
			if err != nil {
				return nil, err
			}
			return b, nil
		}
	}
}

// mailDetail is a message's sender for the ignored log.
func mailDetail(m Mail) string {
	if m.Capture.Name != "" && m.Capture.Email != "" {
		return m.Capture.Name + " <" + m.Capture.Email + ">"
	}
	return m.Capture.Email
}
