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
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/feedback"
)

// ErrAutomated is returned for mail no person wrote (a bounce, a spam complaint, a
// read receipt, an auto-reply); Mail.Automated says which.
var ErrAutomated = errors.New("automated message")

// Mail is one inbound message as closeloop reads it.
type Mail struct {
	// Capture is the feedback: the author (for a forward, the original sender), the
	// subject and the new words of the message.
	Capture feedback.Capture
	// Automated is why the message is not a person's ("" when it is).
	Automated string
	// ForwardedBy is who forwarded the original message to us, nil when nobody did.
	ForwardedBy *mail.Address
	// Original is the whole decoded body (quoted history and signature included), for
	// whoever needs the context the quote-stripping removed.
	Original string
	// AsForwarder, for a forward, is the message read as its forwarder's own words
	// (their note and what they forwarded): the capture to use when the forwarder is
	// not a team member — a customer forwarding our mail with "this is wrong!" is the
	// author, not our mail.
	AsForwarder *feedback.Capture
}

// ParseEmail turns one RFC 5322 message into a capture; see ParseMail.
func ParseEmail(raw []byte) (feedback.Capture, error) {
	m, err := ParseMail(raw)
	return m.Capture, err
}

// ParseMail reads a message as mail clients show it: From → Email/Name (RFC 2047 in
// any charset, or raw 8-bit), Subject and the plain-text body (text/plain preferred,
// HTML reduced to text otherwise) → Text, the new part of the body (quoted history and
// signature removed) → Quote, Message-ID → ExternalID (a hash of the message when it
// has none), Date → OccurredAt. A forwarded message (attached as message/rfc822, or
// inline after a "Forwarded message" line) is captured as the original sender's
// words, with the forwarder in ForwardedBy. Automated mail returns ErrAutomated.
func ParseMail(raw []byte) (Mail, error) {
	return parseMail(raw, 0)
}

// maxForwardDepth bounds forwards of forwards.
const maxForwardDepth = 3

func parseMail(raw []byte, depth int) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(repairMessage(raw)))
	if err != nil {
		return Mail{}, fmt.Errorf("reading headers: %w", err)
	}
	h := msg.Header
	topType, topParams := mediaType(h.Get("Content-Type"))
	charset := topParams["charset"]
	var m Mail
	c := &m.Capture
	c.Source = feedback.SourceEmail
	if a := parseFrom(h.Get("From"), charset); a != nil {
		c.Email, c.Name = strings.ToValidUTF8(a.Address, ""), strings.TrimSpace(strings.ToValidUTF8(a.Name, ""))
	}
	subject := decodeSubject(h.Get("Subject"), charset)
	if d, err := h.Date(); err == nil {
		c.OccurredAt = d.UTC()
	}
	c.ExternalID = strings.TrimSpace(strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"))
	if c.ExternalID == "" {
		c.ExternalID = "sha256:" + sha256hex(raw)
	}
	if m.Automated = automatedReason(h, topType, topParams); m.Automated != "" {
		return m, ErrAutomated
	}

	var b mailBody
	b.walk(textproto.MIMEHeader(h), msg.Body, 0, false)
	body := tidy(b.text)
	fromHTML := false
	if body == "" && b.html != "" {
		body, fromHTML = htmlToText(b.html), true
	}
	if body == "" && b.opaque != "" {
		// Signed or encrypted S/MIME we cannot open: keep who wrote and what about,
		// rather than lose the message.
		body = "(" + b.opaque + ": the body could not be read; see the original in the mailbox)"
	}
	m.Original = body
	body = stripGatewayBanners(body)
	reply := stripQuoted(body)
	if fromHTML {
		if r := stripGatewayBanners(htmlReply(b.html)); r != "" {
			reply = r
		}
	}
	if reply == "" {
		reply = body // all of it was quotation: better the quotation than nothing
	}

	if depth < maxForwardDepth {
		if fm, ok := forwarded(&m, subject, reply, body, b.message, depth); ok {
			return fm, nil
		}
	}
	c.Text = withSubject(subject, reply)
	c.Quote = reply
	if strings.TrimSpace(c.Text) == "" {
		return m, ErrNoText
	}
	return m, nil
}

// htmlReply is the new part of an HTML-only message. HTML quotes are marked up, not
// ">"-prefixed: cut at the quote's container first (Gmail's gmail_quote, Apple's
// blockquote type=cite, Outlook's divRplyFwdMsg…), convert, then strip what the text
// still shows (Outlook 2003 has no container, only its From:/Sent: block).
func htmlReply(html string) string {
	return stripQuoted(htmlToText(cutHTMLQuote(html)))
}

// mediaType parses a Content-Type leniently: a value mime.ParseMediaType refuses (an
// unquoted boundary with "=" or "/" in it, a duplicate parameter) still yields its
// type and boundary and charset.
func mediaType(v string) (string, map[string]string) {
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mt, params
	}
	if mt == "" {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
	}
	params = map[string]string{}
	for _, m := range looseParam.FindAllStringSubmatch(v, -1) {
		name := strings.ToLower(m[1])
		if _, dup := params[name]; dup {
			continue
		}
		val := m[2]
		if strings.HasPrefix(val, `"`) {
			val = strings.TrimSuffix(strings.TrimPrefix(val, `"`), `"`)
		}
		params[name] = val
	}
	return mt, params
}

var looseParam = regexp.MustCompile(`(?i);\s*([a-z0-9*_-]+)\s*=\s*("[^"]*"?|[^;\s]+)`)

// mailBody collects, from one MIME tree, the first text/plain and text/html that are
// not attachments, the first attached message (a forward), and whether the body is
// S/MIME we cannot open.
type mailBody struct {
	text, html string
	message    []byte
	opaque     string
	parts      int
}

// walk reads one entity. Damage deep in a message (a bad boundary, a broken part)
// ends the walk with what was found so far: a customer's words are worth more than
// strictness. inMixed is whether the entity is a part of a multipart/mixed, where
// mail clients show every inline text part one after another (Apple Mail splits the
// text around an inline picture).
func (b *mailBody) walk(h textproto.MIMEHeader, r io.Reader, depth int, inMixed bool) {
	b.parts++
	if depth > maxMIMEDepth || b.parts > maxMIMEParts {
		return
	}
	mt, params := mediaType(h.Get("Content-Type"))
	if mt == "" || !strings.Contains(mt, "/") {
		mt = "text/plain" // RFC 2045 default
	}
	disp, dparams := mediaType(h.Get("Content-Disposition"))
	attachment := disp == "attachment"
	named := dparams["filename"] != "" || params["name"] != ""
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		raw, _ := io.ReadAll(io.LimitReader(r, maxEmailBody))
		boundary := params["boundary"]
		mixed := mt == "multipart/mixed"
		if !b.walkParts(raw, boundary, depth, mixed) {
			// A missing or wrong boundary: use the one the body actually has, and
			// failing that read the body as text.
			if sniffed := sniffBoundary(raw); sniffed != "" && sniffed != boundary && b.walkParts(raw, sniffed, depth, mixed) {
				return
			}
			if b.text == "" {
				b.text = decodeCharset(raw, params["charset"])
			}
		}
	case mt == "message/rfc822" || mt == "message/global":
		if b.message == nil {
			b.message = decodeTransfer(h.Get("Content-Transfer-Encoding"), r)
		}
	case mt == "application/pkcs7-mime" || mt == "application/x-pkcs7-mime":
		if strings.EqualFold(params["smime-type"], "enveloped-data") || strings.EqualFold(params["smime-type"], "authenveloped-data") {
			b.opaque = "encrypted S/MIME message"
			return
		}
		if inner := signedDataContent(decodeTransfer(h.Get("Content-Transfer-Encoding"), r)); inner != nil {
			if msg, err := mail.ReadMessage(bytes.NewReader(repairMessage(inner))); err == nil {
				b.walk(textproto.MIMEHeader(msg.Header), msg.Body, depth+1, false)
			} else {
				b.walk(textproto.MIMEHeader{}, bytes.NewReader(inner), depth+1, false)
			}
			return
		}
		if b.opaque == "" {
			b.opaque = "opaque signed S/MIME message"
		}
	case attachment:
	case mt == "text/plain" && b.text == "", mt == "text/html" && b.html == "":
		s := decodeCharset(decodeTransfer(h.Get("Content-Transfer-Encoding"), r), params["charset"])
		if mt == "text/plain" {
			b.text = s
		} else {
			b.html = s
		}
	case mt == "text/plain" && inMixed && !named:
		b.text += "\n\n" + decodeCharset(decodeTransfer(h.Get("Content-Transfer-Encoding"), r), params["charset"])
	}
}

// walkParts reads a multipart body with the given boundary and reports whether it
// found any part at all.
func (b *mailBody) walkParts(raw []byte, boundary string, depth int, mixed bool) bool {
	if boundary == "" {
		return false
	}
	mr := multipart.NewReader(bytes.NewReader(raw), boundary)
	found := false
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			return found
		}
		found = true
		b.walk(p.Header, p, depth+1, mixed)
		if b.parts > maxMIMEParts {
			return true
		}
	}
}

// sniffBoundary is the boundary a multipart body uses: its first "--token" line.
func sniffBoundary(raw []byte) string {
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		raw = rest
		line = bytes.TrimRight(line, "\r \t")
		if len(line) > 2 && len(line) < 75 && bytes.HasPrefix(line, []byte("--")) && !bytes.ContainsAny(line, " \t") {
			return string(bytes.TrimSuffix(line[2:], []byte("--")))
		}
	}
	return ""
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

// validUTF8 is for tests and fuzzing: every text we produce must be valid UTF-8.
func validUTF8(c feedback.Capture) bool {
	return utf8.ValidString(c.Text) && utf8.ValidString(c.Quote) && utf8.ValidString(c.Name) && utf8.ValidString(c.Email)
}
