package integration

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Lenient header reading: mail clients show messages that break RFC 5322 in small
// ways, and so must we, or the customer's words are lost (answered 400, or kept as
// headers with no body).

// repairMessage returns raw with the damage net/mail cannot read repaired: leading
// blank lines, an mbox "From " line or indentation before the headers, and a missing blank line
// between the headers and the body (the body starts at the first line that is neither
// a header field nor a folded continuation, unless only headers follow it: then it is
// a stray line and dropped).
func repairMessage(raw []byte) []byte {
	rest := raw
	for {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		if len(bytes.TrimSpace(line)) == 0 && found {
			rest = after
			continue
		}
		if bytes.HasPrefix(line, []byte("From ")) && found {
			rest = after
			continue
		}
		break
	}
	// A first header line indented by mistake is still the first header.
	if t := bytes.TrimLeft(rest, " \t"); len(t) < len(rest) {
		if line, _, _ := bytes.Cut(t, []byte("\n")); isHeaderField(bytes.TrimRight(line, "\r")) {
			rest = t
		}
	}
	var out bytes.Buffer
	out.Grow(len(rest) + 2)
	seen := false
	for len(rest) > 0 {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		content := bytes.TrimRight(line, "\r")
		switch {
		case len(content) == 0:
			// The blank line is there: the rest is the body as it is.
			out.Write(rest)
			return out.Bytes()
		case seen && (content[0] == ' ' || content[0] == '\t'):
		case isHeaderField(content):
			seen = true
		default:
			if !seen {
				return raw // not a message at all: let the strict reader say so
			}
			if headersFollow(after) {
				// A stray line among the headers ("quite Delivered-To: …"): drop it,
				// as mail clients do, rather than lose the From and Subject below it.
				rest = after
				continue
			}
			out.WriteString("\r\n")
			out.Write(rest)
			return out.Bytes()
		}
		out.Write(line)
		if found {
			out.WriteByte('\n')
		}
		rest = after
	}
	return out.Bytes()
}

// headersFollow reports whether the lines after a stray one are still headers: every
// line up to the next blank line (within a few dozen) is a header field or a folded
// continuation. Body text that follows headers with no blank line is not.
func headersFollow(rest []byte) bool {
	for n := 0; n < 50 && len(rest) > 0; n++ {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			return n > 0
		}
		if line[0] != ' ' && line[0] != '\t' && !isHeaderField(line) {
			return false
		}
		rest = after
	}
	return false
}

// isHeaderField reports whether a line starts a header field: a name of printable
// ASCII other than the colon, then a colon.
func isHeaderField(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range line[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

var (
	angleAddr   = regexp.MustCompile(`<\s*([^<>\s@]+@[^<>\s@]+)\s*>`)
	bareAddr    = regexp.MustCompile(`[^\s<>"'(),;:\[\]]+@[^\s<>"'(),;:\[\]]+\.[^\s<>"'(),;:\[\]]+`)
	bracketAddr = regexp.MustCompile(`(?i)\[\s*(?:mailto:)?([^\]\s@]+@[^\]\s@]+)\s*\]`)
)

// parseFrom reads a From header the way mail clients show it: RFC 2047 words in any
// charset, raw 8-bit display names, and addresses net/mail refuses ("Name" user@host
// without angle brackets, unbalanced quotes).
func parseFrom(value, charset string) *mail.Address {
	value = strings.TrimSpace(value)
	if !utf8.ValidString(value) && encodedWord.MatchString(value) {
		// Raw 8-bit bytes inside encoded words are in the word's charset, not the
		// message's: decode the words from the raw bytes.
		return lenientAddress(value, charset)
	}
	value = decodeHeaderBytes(value, charset)
	if value == "" {
		return nil
	}
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	ap := mail.AddressParser{WordDecoder: dec}
	a, err := ap.Parse(value)
	if err != nil {
		if list, lerr := ap.ParseList(value); lerr == nil && len(list) > 0 {
			a, err = list[0], nil
		}
	}
	if err != nil {
		a = lenientAddress(value, charset)
	}
	if a != nil && strings.Contains(a.Name, "=?") {
		// Encoded words net/mail leaves alone: inside quotes, or malformed.
		a.Name = strings.Join(strings.Fields(decodeWords(a.Name, charset)), " ")
	}
	return a
}

// lenientAddress finds an address in a header value net/mail cannot parse, and takes
// what is left as the display name.
func lenientAddress(value, charset string) *mail.Address {
	// Outlook writes "Ann [mailto:ann@example.com]" or "Ann [ann@example.com]".
	value = bracketAddr.ReplaceAllString(value, "<$1>")
	var addr, name string
	if m := angleAddr.FindStringSubmatchIndex(value); m != nil {
		addr = value[m[2]:m[3]]
		name = value[:m[0]]
	} else if m := bareAddr.FindStringIndex(value); m != nil {
		addr = value[m[0]:m[1]]
		name = value[:m[0]] + " " + value[m[1]:]
	} else {
		return nil
	}
	name = decodeWords(name, charset)
	name = strings.Trim(strings.TrimSpace(name), `"' ()`)
	return &mail.Address{Name: strings.Join(strings.Fields(name), " "), Address: addr}
}

// decodeSubject decodes RFC 2047 words (in any charset) and raw 8-bit bytes.
func decodeSubject(value, charset string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(decodeWords(value, charset), "")), " ")
}

var encodedWord = regexp.MustCompile(`=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=`)

// decodeWords decodes a header value's RFC 2047 encoded words as mail clients do,
// more leniently than mime.WordDecoder: raw 8-bit bytes inside a Q word (a Eudora
// habit), missing base64 padding, words inside quotes, and a multi-byte character
// split across two adjacent words (the words' bytes are joined before decoding). Text
// outside the words is raw 8-bit read in the message's charset.
func decodeWords(v, charset string) string {
	matches := encodedWord.FindAllStringSubmatchIndex(v, -1)
	if matches == nil {
		return decodeHeaderBytes(v, charset)
	}
	var out strings.Builder
	var pending []byte // bytes of adjacent words in pendingCharset
	pendingCharset := ""
	flush := func() {
		if pending != nil {
			out.WriteString(decodeCharset(pending, pendingCharset))
			pending, pendingCharset = nil, ""
		}
	}
	last := 0
	for _, m := range matches {
		between := v[last:m[0]]
		if pending == nil || strings.TrimSpace(between) != "" {
			flush()
			out.WriteString(decodeHeaderBytes(between, charset))
		}
		cs, _, _ := strings.Cut(v[m[2]:m[3]], "*") // RFC 2231 language suffix
		text := v[m[6]:m[7]]
		var b []byte
		if v[m[4]] == 'B' || v[m[4]] == 'b' {
			b = decodeBase64Word(text)
		} else {
			b = decodeQWord(text)
		}
		if pending != nil && !strings.EqualFold(cs, pendingCharset) {
			flush()
		}
		pending, pendingCharset = append(pending, b...), cs
		last = m[1]
	}
	flush()
	out.WriteString(decodeHeaderBytes(v[last:], charset))
	return out.String()
}

func decodeBase64Word(s string) []byte {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		b, _ = base64.RawURLEncoding.DecodeString(s)
	}
	return b
}

// decodeQWord undoes RFC 2047 Q encoding, keeping any byte that is not a valid escape.
func decodeQWord(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			b = append(b, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
