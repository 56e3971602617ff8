package notify

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one email to one person. Text is required; HTML, when set, is sent as the
// alternative part and must already be safe (render it with html/template).
type Message struct {
	ToName  string `json:"to_name"`
	ToEmail string `json:"to_email"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
	// ListUnsubscribe is a URL that unsubscribes the recipient with one POST (RFC
	// 8058); it adds List-Unsubscribe and List-Unsubscribe-Post, which mailbox
	// providers require of bulk senders and show as an "Unsubscribe" button.
	ListUnsubscribe string `json:"list_unsubscribe,omitempty"`
	// MessageID is "<…@…>"; the worker derives it from the outbox row so every retry
	// carries the same one and receivers can drop duplicates.
	MessageID string `json:"message_id,omitempty"`
}

// oneLine removes line breaks, which in a header would start a new header (header
// injection through a request title or a person's name).
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// cut shortens s to at most n runes; long subjects would overflow header line limits.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Bytes renders the message as RFC 5322 with a multipart/alternative body (text, then
// HTML, so clients prefer the HTML) in quoted-printable UTF-8.
func (m Message) Bytes(from mail.Address, date time.Time) ([]byte, error) {
	to, err := mail.ParseAddress(m.ToEmail)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.ToEmail, err)
	}
	to.Name = oneLine(m.ToName)
	from.Name = oneLine(from.Name)
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from.String())
	h("To", to.String())
	h("Subject", mime.QEncoding.Encode("utf-8", cut(oneLine(m.Subject), 200)))
	h("Date", date.Format(time.RFC1123Z))
	if id := oneLine(m.MessageID); id != "" {
		h("Message-ID", id)
	}
	if u := oneLine(m.ListUnsubscribe); u != "" && !strings.ContainsAny(u, "<> ") {
		h("List-Unsubscribe", "<"+u+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	h("MIME-Version", "1.0")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part := func(ctype, content string) error {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {ctype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(content)); err != nil {
			return err
		}
		return qp.Close()
	}
	if m.HTML == "" {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		qp := quotedprintable.NewWriter(&b)
		qp.Write([]byte(m.Text))
		qp.Close()
		return b.Bytes(), nil
	}
	if err := part("text/plain", m.Text); err != nil {
		return nil, err
	}
	if err := part("text/html", m.HTML); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	h("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}
