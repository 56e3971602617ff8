package integration

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Inbound email: a mail relay (Postmark, Mailgun, SendGrid, CloudMailin, a Postfix
// pipe to curl…) posts each message to /hooks/email, authenticated by the shared
// secret in X-Closeloop-Secret or, for relays that cannot set headers, ?token=. The
// body is the raw RFC 5322 message (Content-Type: message/rfc822 or anything not a
// form), or a form (multipart/form-data or urlencoded) with the raw message in a field
// or file named "email", "message" or "body-mime" (Mailgun's name for it).
//
// The same parser reads mbox imports (mbox.go).

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
	raw, err := rawMessage(q.r.Header.Get("Content-Type"), q.body)
	if err != nil {
		return nil, badPayload("no message in the request: post the raw message, or a form field named email", err)
	}
	c, err := ParseEmail(raw)
	if errors.Is(err, ErrNoText) {
		return &outcome{ignored: "message has no text", replayID: "email:" + sha256hex(raw), ttl: replayTTLUnwindowed}, nil
	}
	if err != nil {
		return nil, badPayload("unreadable email message", err)
	}
	// The shared secret is the same on every request, so the message itself is what
	// identifies a replay.
	return &outcome{capture: &c, replayID: "email:" + sha256hex(raw), ttl: replayTTLUnwindowed}, nil
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

// ParseEmail turns one RFC 5322 message into a capture: From → Email/Name, Subject and
// the plain-text body (text/plain preferred, HTML reduced to text otherwise) → Text,
// the new part of the body (quoted history and signature removed) → Quote,
// Message-ID → ExternalID (a hash of the message when it has none), Date → OccurredAt.
func ParseEmail(raw []byte) (feedback.Capture, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return feedback.Capture{}, fmt.Errorf("reading headers: %w", err)
	}
	h := msg.Header
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	c := feedback.Capture{Source: feedback.SourceEmail}

	if from := h.Get("From"); from != "" {
		ap := mail.AddressParser{WordDecoder: dec}
		if a, err := ap.Parse(from); err == nil {
			c.Email, c.Name = a.Address, a.Name
		} else if list, err := ap.ParseList(from); err == nil && len(list) > 0 {
			c.Email, c.Name = list[0].Address, list[0].Name
		}
	}
	// Encoded words may carry bytes that are not UTF-8 in the charset they claim.
	c.Email = strings.ToValidUTF8(c.Email, "")
	c.Name = strings.TrimSpace(strings.ToValidUTF8(c.Name, ""))
	subject := h.Get("Subject")
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	subject = strings.Join(strings.Fields(strings.ToValidUTF8(subject, "")), " ")
	if d, err := h.Date(); err == nil {
		c.OccurredAt = d.UTC()
	}
	c.ExternalID = strings.TrimSpace(strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"))
	if c.ExternalID == "" {
		c.ExternalID = "sha256:" + sha256hex(raw)
	}

	parts := 0
	text, html := bodyText(textproto.MIMEHeader(h), msg.Body, 0, &parts)
	body := tidy(text)
	if body == "" && html != "" {
		body = htmlToText(html)
	}
	reply := stripQuoted(body)
	if reply == "" {
		reply = body // all of it was quotation: better the quotation than nothing
	}
	c.Text = withSubject(subject, reply)
	c.Quote = reply
	if strings.TrimSpace(c.Text) == "" {
		return c, ErrNoText
	}
	return c, nil
}

// bodyText walks a MIME entity and returns the first text/plain and the first
// text/html content that are not attachments, decoded to UTF-8. Damage deep in a
// message (a bad boundary, a broken part) ends the walk with what was found so far:
// a customer's words are worth more than strictness.
func bodyText(h textproto.MIMEHeader, r io.Reader, depth int, parts *int) (text, html string) {
	*parts++
	if depth > maxMIMEDepth || *parts > maxMIMEParts {
		return "", ""
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil && mt == "" {
		mt, params = "text/plain", map[string]string{} // RFC 2045 default
	}
	if d, _, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && d == "attachment" {
		return "", ""
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" {
			return "", ""
		}
		mr := multipart.NewReader(r, boundary)
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return text, html
			}
			t, hh := bodyText(p.Header, p, depth+1, parts)
			if text == "" {
				text = t
			}
			if html == "" {
				html = hh
			}
			if *parts > maxMIMEParts {
				return text, html
			}
		}
	case mt == "text/plain", mt == "text/html":
		b := decodeTransfer(h.Get("Content-Transfer-Encoding"), r)
		s := decodeCharset(b, params["charset"])
		if mt == "text/plain" {
			return s, ""
		}
		return "", s
	}
	return "", ""
}

// decodeTransfer undoes Content-Transfer-Encoding. Broken encodings yield what decoded
// cleanly; if nothing did, the raw bytes (a mislabelled part is usually plain text).
func decodeTransfer(cte string, r io.Reader) []byte {
	raw, _ := io.ReadAll(io.LimitReader(r, maxPartBytes))
	var dec io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		dec = quotedprintable.NewReader(bytes.NewReader(raw))
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(func(r rune) rune {
			if r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, raw)))
	default:
		return raw
	}
	b, err := io.ReadAll(dec)
	if err != nil && len(b) == 0 {
		return raw
	}
	return b
}

// decodeCharset converts to UTF-8 what the standard library can: UTF-8 and ASCII as
// they are, ISO-8859-1 and Windows-1252 byte by byte. Other charsets are kept where
// they happen to be valid UTF-8 and replaced where not.
func decodeCharset(b []byte, charset string) string {
	switch strings.ToLower(strings.Trim(charset, `" `)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819":
		return latin1(b, false)
	case "windows-1252", "cp1252", "x-cp1252":
		return latin1(b, true)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// cp1252 is what Windows-1252 puts in 0x80–0x9F, where ISO-8859-1 has controls.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8d, 'Ž', 0x8f,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9d, 'ž', 'Ÿ',
}

func latin1(b []byte, windows bool) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		r := rune(c)
		if windows && c >= 0x80 && c <= 0x9f {
			r = cp1252[c-0x80]
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// charsetReader lets mime.WordDecoder read the extra charsets decodeCharset knows.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "windows-1252", "cp1252", "x-cp1252", "latin1", "latin-1", "iso8859-1":
		b, err := io.ReadAll(io.LimitReader(input, maxPartBytes))
		if err != nil {
			return nil, err
		}
		return strings.NewReader(decodeCharset(b, charset)), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", charset)
}

var (
	// "On Tue, 3 Mar 2026 at 10:00, Ann <ann@example.com> wrote:" — possibly wrapped
	// over two or three lines by the mail client — and its German and French forms.
	replyHeaderStart = regexp.MustCompile(`^(On|Am|Le|El|Il|Op) .{3,}`)
	replyHeaderEnd   = regexp.MustCompile(`((wrote|a écrit|escribió|ha scritto|schreef)\s*:|schrieb .*:)\s*$`)
	outlookSeparator = regexp.MustCompile(`^(-{3,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht)\s*-{3,}|_{10,})\s*$`)
	mobileSignature  = regexp.MustCompile(`^Sent from my \w+`)
)

// stripQuoted returns the new part of a reply: everything before the quoted history
// ("On … wrote:", an Outlook separator) or the signature ("-- "), without lines quoted
// with ">". Quoted history repeats earlier messages — often our own — and would skew
// search and tag suggestions; the signature is noise.
func stripQuoted(body string) string {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	var keep []string
scan:
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case l == "-- " || t == "--":
			break scan
		case outlookSeparator.MatchString(t), mobileSignature.MatchString(t):
			break scan
		case replyHeaderStart.MatchString(t):
			// The header may wrap: look for its end on this line or the next two.
			for j := i; j < len(lines) && j <= i+2; j++ {
				if replyHeaderEnd.MatchString(strings.TrimSpace(lines[j])) {
					break scan
				}
			}
		case strings.HasPrefix(t, ">"):
			continue
		}
		keep = append(keep, l)
	}
	return tidy(strings.Join(keep, "\n"))
}

// validUTF8 is for tests and fuzzing: every text we produce must be valid UTF-8.
func validUTF8(c feedback.Capture) bool {
	return utf8.ValidString(c.Text) && utf8.ValidString(c.Quote) && utf8.ValidString(c.Name) && utf8.ValidString(c.Email)
}
