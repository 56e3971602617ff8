package integration

import (
	"io"
	"strings"
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
