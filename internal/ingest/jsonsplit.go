package ingest

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// A request body is checked once, as a whole, with json.Valid; after that its
// objects and arrays are only split into their members and elements, which needs no
// validation and copies nothing. Decoding each message into a map[string]any, or even
// a map of json.RawMessage, validated and copied every message again and cost about a
// third of an ingestion request's CPU (BENCHMARKS.md, "Usage ingestion").

// member is one "key": value of a JSON object; val is the value's raw JSON, a slice
// of the body.
type member struct {
	key string
	val []byte
}

// fields are an object's members in order. A key given twice counts as its last
// value, as encoding/json has it.
type fields []member

// get is the last value of key, or nil.
func (fs fields) get(key string) []byte {
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].key == key {
			return fs[i].val
		}
	}
	return nil
}

// getFold is the last value of a key equal to key regardless of case, or nil.
func (fs fields) getFold(key string) []byte {
	for i := len(fs) - 1; i >= 0; i-- {
		if strings.EqualFold(fs[i].key, key) {
			return fs[i].val
		}
	}
	return nil
}

// set replaces every value of key with v, or adds it.
func (fs fields) set(key string, v []byte) fields {
	fs = fs.del(key)
	return append(fs, member{key, v})
}

func (fs fields) del(key string) fields {
	return slices.DeleteFunc(fs, func(m member) bool { return m.key == key })
}

// splitObject splits raw, JSON already known to be valid, into its members; ok is
// false when raw is not an object (null, an array, a string…).
func splitObject(raw []byte) (fields, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	fs := make(fields, 0, 16)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return fs, true
	}
	for i < len(raw) {
		end := skipString(raw, i)
		key := unquote(raw[i:end])
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // the colon
		vend := skipValue(raw, i)
		fs = append(fs, member{key, raw[i:vend]})
		i = skipSpace(raw, vend)
		if i >= len(raw) || raw[i] == '}' {
			break
		}
		i = skipSpace(raw, i+1) // the comma
	}
	return fs, true
}

// splitArray splits raw, valid JSON, into its elements; ok is false when raw is
// not an array.
func splitArray(raw []byte) ([][]byte, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	var out [][]byte
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return out, true
	}
	for i < len(raw) {
		end := skipValue(raw, i)
		out = append(out, raw[i:end])
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] == ']' {
			break
		}
		i = skipSpace(raw, i+1)
	}
	return out, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] (a quote).
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	default: // a number, true, false or null
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
		}
		return len(b)
	}
}

// unquote is the text of a valid JSON string; plain valid UTF-8 without escapes (keys,
// ids, times: nearly everything) is taken as it is, the rest through encoding/json,
// which also turns invalid UTF-8 into U+FFFD as before.
func unquote(raw []byte) string {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// isString reports whether raw (valid JSON) is a string.
func isString(raw []byte) bool { return len(raw) > 0 && raw[0] == '"' }

// isNumber reports whether raw (valid JSON) is a number.
func isNumber(raw []byte) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw []byte) bool { return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" }

// encodeObject writes fs as a JSON object with its keys in order, each once (its
// last value). The values are slices of a valid body or JSON made here, so they are
// copied as they are.
func encodeObject(fs fields) []byte {
	fs = slices.Clone(fs)
	slices.SortStableFunc(fs, func(a, b member) int { return strings.Compare(a.key, b.key) })
	n := 2
	for _, m := range fs {
		n += len(m.key) + len(m.val) + 4
	}
	b := make([]byte, 0, n+16)
	b = append(b, '{')
	for i, m := range fs {
		if i+1 < len(fs) && fs[i+1].key == m.key {
			continue // a later value of the same key wins
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.key)
		b = append(b, ':')
		b = append(b, m.val...)
	}
	return append(b, '}')
}
