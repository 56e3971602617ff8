package integration

import (
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// Charsets, the way mail clients read them: the WHATWG label table (htmlindex) first,
// because it folds the labels mailers really send onto the superset they really mean
// (iso-8859-1 → windows-1252, gb2312 → GBK, ks_c_5601-1987 → EUC-KR, shift_jis →
// Windows-31J), then the IANA registry for the names WHATWG leaves out.

// lookupCharset finds the decoder for a charset label, or nil when it is unknown.
func lookupCharset(label string) encoding.Encoding {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil
	}
	if e, err := htmlindex.Get(label); err == nil && e != nil {
		return e
	}
	if e, err := ianaindex.MIME.Encoding(label); err == nil && e != nil {
		return e
	}
	if e, err := ianaindex.IANA.Encoding(label); err == nil && e != nil {
		return e
	}
	// Labels seen in the wild that neither table lists.
	switch strings.NewReplacer("_", "-", " ", "-").Replace(label) {
	case "cp-1251", "win-1251", "x-cp1251":
		return charmap.Windows1251
	case "cp-1252", "win-1252":
		return charmap.Windows1252
	case "cp-866", "x-cp866":
		return charmap.CodePage866
	}
	return nil
}

// decodeCharset converts a part's bytes to UTF-8. An unknown or missing charset is
// read the way mail clients read it: as UTF-8 when the bytes are valid UTF-8,
// otherwise as Windows-1252 (the commonest 8-bit charset, and every byte has a
// character in it), so no word is lost to replacement characters.
func decodeCharset(b []byte, charset string) string {
	if isUTF7Label(charset) {
		return decodeUTF7(b)
	}
	if e := lookupCharset(charset); e != nil && !isUTF8Label(charset) {
		if out, err := e.NewDecoder().Bytes(b); err == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD")
		}
	}
	return guessText(b)
}

// guessText is text of unknown charset: UTF-8 if it is, Windows-1252 if not.
func guessText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

func isUTF8Label(charset string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`)) {
	case "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii", "":
		return true
	}
	return false
}

// charsetReader lets mime.WordDecoder (subjects, display names) read every charset
// the body decoder reads.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, maxPartBytes))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(decodeCharset(b, charset)), nil
}

// decodeHeaderBytes makes a raw header value UTF-8 before it is parsed: RFC 2047
// words are left for the word decoder, but 8-bit bytes a careless mailer put there
// directly (a Latin-1 or KOI8 display name) are read in the message's own charset
// when it declares one, else guessed.
func decodeHeaderBytes(v string, charset string) string {
	if utf8.ValidString(v) {
		return v
	}
	if e := lookupCharset(charset); e != nil && !isUTF8Label(charset) {
		if out, err := e.NewDecoder().Bytes([]byte(v)); err == nil && utf8.Valid(out) {
			return string(out)
		}
	}
	return guessText([]byte(v))
}

// UTF-7 (RFC 2152) is in neither label table (WHATWG forbids it for the web), but
// Exchange and old Outlook still send it in mail headers and bodies.

func isUTF7Label(charset string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`)) {
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-unicode-2-0-utf-7":
		return true
	}
	return false
}

// decodeUTF7 decodes UTF-7: ASCII as itself, "+-" as "+", and "+…" runs of modified
// base64 as UTF-16 (ending at the first non-base64 byte; a "-" there is absorbed).
// Malformed runs keep what decoded; bytes above ASCII are read as Windows-1252.
func decodeUTF7(b []byte) string {
	var out strings.Builder
	var units []uint16
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			if c >= utf8.RuneSelf {
				out.WriteString(guessText(b[i : i+1]))
			} else {
				out.WriteByte(c)
			}
			continue
		}
		if i+1 < len(b) && b[i+1] == '-' {
			out.WriteByte('+')
			i++
			continue
		}
		var bits uint32
		n := 0
		units = units[:0]
		j := i + 1
		for ; j < len(b); j++ {
			v := base64Value(b[j])
			if v < 0 {
				break
			}
			bits = bits<<6 | uint32(v)
			n += 6
			if n >= 16 {
				n -= 16
				units = append(units, uint16(bits>>uint(n)))
				bits &= 1<<uint(n) - 1
			}
		}
		out.WriteString(string(utf16.Decode(units)))
		if j < len(b) && b[j] == '-' {
			j++
		}
		i = j - 1
	}
	return out.String()
}

func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
