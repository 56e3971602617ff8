package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/router"
)

// checkJSON is what encoding/json does not do (issue 13, defect 10), run on a body
// before it is decoded into t: it refuses
//   - a key that appears twice in one object (encoding/json keeps the last),
//   - a key that matches a field of t only when case is ignored ("Email" for "email":
//     encoding/json accepts it, and two spellings in one body would both land),
//   - invalid UTF-8 and lone UTF-16 surrogates ("\ud800") in keys and strings
//     (encoding/json turns both into U+FFFD),
//   - a string longer than its field's limit (limits.go),
//
// each as a 400 naming the field by its path ("weights.mrr", "items[2].email").
// Anything that is not well-formed JSON is left for encoding/json to report, so
// syntax errors keep their wording.
//
// A token-level check rather than github.com/go-json-experiment/json (in go.sum as
// an indirect dependency, and strict on the first three points by default): that
// module says its API is experimental and may change, and switching would change the
// decoding and error reporting of every request type at once; this check only adds
// refusals in front of the decoder the API already uses.
func checkJSON(b []byte, t reflect.Type) error {
	c := &checker{b: b}
	err := c.value(t, "", "")
	if errors.Is(err, errSyntax) {
		return nil
	}
	return err
}

// errSyntax hands malformed JSON over to encoding/json.
var errSyntax = errors.New("not well-formed JSON")

// maxCheckDepth matches encoding/json's own nesting limit.
const maxCheckDepth = 10000

type checker struct {
	b     []byte
	i     int
	depth int
}

func (c *checker) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// value checks one value at path; t is the Go type it decodes into (nil when
// unknown or untyped) and name the struct field it belongs to, for its length limit.
func (c *checker) value(t reflect.Type, path, name string) error {
	c.ws()
	if c.i >= len(c.b) {
		return errSyntax
	}
	t = typed(t)
	switch c.b[c.i] {
	case '{':
		return c.object(t, path)
	case '[':
		return c.array(t, path, name)
	case '"':
		s, err := c.str(path)
		if err != nil {
			return err
		}
		if t != nil && t.Kind() == reflect.String && name != "" {
			if max := fieldLimit(name); len(s) > max {
				return router.FieldErr(fieldPath(path), fmt.Sprintf("is longer than %d bytes (%d)", max, len(s)))
			}
		}
		return nil
	}
	for c.i < len(c.b) && !strings.ContainsRune(",]} \t\r\n", rune(c.b[c.i])) {
		c.i++
	}
	return nil
}

func (c *checker) object(t reflect.Type, path string) error {
	if c.depth++; c.depth > maxCheckDepth {
		return errSyntax
	}
	defer func() { c.depth-- }()
	c.i++ // {
	var fields *structFields
	if t != nil && t.Kind() == reflect.Struct {
		fields = fieldsOf(t)
	}
	seen := map[string]bool{}
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return nil
	}
	for {
		c.ws()
		if c.i >= len(c.b) || c.b[c.i] != '"' {
			return errSyntax
		}
		key, err := c.str(join(path, "(a field name)"))
		if err != nil {
			return err
		}
		at := join(path, key)
		if seen[key] {
			return router.FieldErr(fieldPath(at), "appears more than once: send each field once")
		}
		seen[key] = true
		var child reflect.Type
		childName := ""
		switch {
		case fields != nil:
			if f, ok := fields.exact[key]; ok {
				child, childName = f, key
			} else if exact, ok := fields.folded[strings.ToLower(key)]; ok {
				return router.FieldErr(fieldPath(at), fmt.Sprintf("is not a known field; field names are case-sensitive: did you mean %q?", exact))
			}
		case t != nil && t.Kind() == reflect.Map:
			child = t.Elem()
		}
		c.ws()
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return errSyntax
		}
		c.i++
		if err := c.value(child, at, childName); err != nil {
			return err
		}
		if done, err := c.next('}'); done || err != nil {
			return err
		}
	}
}

func (c *checker) array(t reflect.Type, path, name string) error {
	if c.depth++; c.depth > maxCheckDepth {
		return errSyntax
	}
	defer func() { c.depth-- }()
	c.i++ // [
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return nil
	}
	for n := 0; ; n++ {
		if err := c.value(elem, fmt.Sprintf("%s[%d]", path, n), name); err != nil {
			return err
		}
		if done, err := c.next(']'); done || err != nil {
			return err
		}
	}
}

// next reads what follows a member or an element: a comma, when more follow, or
// closing, the end of the object or array (done).
func (c *checker) next(closing byte) (done bool, err error) {
	c.ws()
	if c.i >= len(c.b) {
		return false, errSyntax
	}
	switch c.b[c.i] {
	case ',':
		c.i++
		return false, nil
	case closing:
		c.i++
		return true, nil
	}
	return false, errSyntax
}

// str reads the string at c.i (its opening quote) and answers its decoded text.
func (c *checker) str(path string) (string, error) {
	c.i++ // "
	var sb strings.Builder
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			return sb.String(), nil
		case ch < 0x20:
			return "", errSyntax
		case ch == '\\':
			if c.i+1 >= len(c.b) {
				return "", errSyntax
			}
			esc := c.b[c.i+1]
			c.i += 2
			switch esc {
			case '"', '\\', '/':
				sb.WriteByte(esc)
			case 'b', 'f', 'n', 'r', 't':
				sb.WriteByte(' ')
			case 'u':
				r, ok := c.hex4()
				if !ok {
					return "", errSyntax
				}
				if utf16.IsSurrogate(r) {
					lo := rune(-1)
					if c.i+1 < len(c.b) && c.b[c.i] == '\\' && c.b[c.i+1] == 'u' {
						c.i += 2
						if lo, ok = c.hex4(); !ok {
							return "", errSyntax
						}
					}
					if r = utf16.DecodeRune(r, lo); r == utf8.RuneError {
						return "", router.FieldErr(fieldPath(path), `holds a lone UTF-16 surrogate (such as \ud800): send valid Unicode`)
					}
				}
				sb.WriteRune(r)
			default:
				return "", errSyntax
			}
		case ch < utf8.RuneSelf:
			sb.WriteByte(ch)
			c.i++
		default:
			r, size := utf8.DecodeRune(c.b[c.i:])
			if r == utf8.RuneError && size <= 1 {
				return "", router.FieldErr(fieldPath(path), "is not valid UTF-8")
			}
			sb.Write(c.b[c.i : c.i+size])
			c.i += size
		}
	}
	return "", errSyntax
}

func (c *checker) hex4() (rune, bool) {
	if c.i+4 > len(c.b) {
		return 0, false
	}
	var r rune
	for _, h := range c.b[c.i : c.i+4] {
		switch {
		case '0' <= h && h <= '9':
			r = r<<4 | rune(h-'0')
		case 'a' <= h && h <= 'f':
			r = r<<4 | rune(h-'a'+10)
		case 'A' <= h && h <= 'F':
			r = r<<4 | rune(h-'A'+10)
		default:
			return 0, false
		}
	}
	c.i += 4
	return r, true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldPath is the name an error gives: the path, or "body" for the body itself.
func fieldPath(p string) string {
	if p == "" {
		return "body"
	}
	return p
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// typed strips pointers and answers nil for types that decode themselves (json.RawMessage,
// time.Time, any): their contents are checked for shape only.
func typed(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == rawMessageType || t.Kind() == reflect.Interface ||
		t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t
}

// structFields are a struct's JSON names as encoding/json sees them (embedded structs
// flattened), exactly and folded to lower case.
type structFields struct {
	exact  map[string]reflect.Type
	folded map[string]string
}

var fieldCache sync.Map // reflect.Type → *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{exact: map[string]reflect.Type{}, folded: map[string]string{}}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if sf.Anonymous && name == "" {
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			f.exact[name] = sf.Type
			f.folded[strings.ToLower(name)] = name
		}
	}
	walk(t)
	fieldCache.Store(t, f)
	return f
}
