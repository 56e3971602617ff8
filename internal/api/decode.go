package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/router"
)

// Body size limits. Bulk batches of 1000 items with traits fit easily in 10 MiB;
// nothing else needs more than 1 MiB, and a small limit bounds what a bad client
// can make us buffer.
const (
	maxBody     = 1 << 20
	maxBulkBody = 10 << 20
	maxBulk     = 1000
	maxLimit    = 500
)

// readBody reads the whole body under limit. Clients that say what they send must
// say JSON; clients that say nothing (curl -d without -H) are given the benefit of
// the doubt.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, &router.Error{Status: http.StatusUnsupportedMediaType, Msg: "send the body as application/json"}
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &router.Error{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("body is larger than %d bytes", mbe.Limit), Err: err}
	}
	if err != nil {
		return nil, &router.Error{Status: http.StatusBadRequest, Msg: "could not read the body", Err: err}
	}
	return b, nil
}

// object is one JSON object of a request, checked for shape before it is decoded
// into its Go type, so that explicit nulls and badly formatted times are reported by
// field name (encoding/json loses both).
type object struct {
	raw    []byte
	fields map[string]json.RawMessage
}

// parseObject checks that b is exactly one JSON object. prefix is prepended to field
// names in errors ("" for a request body).
func parseObject(b []byte) (object, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return object{}, &router.Error{Status: http.StatusBadRequest, Msg: "body is empty: send a JSON object"}
	}
	var fields map[string]json.RawMessage
	if err := strictDecode(b, &fields); err != nil {
		return object{}, err
	}
	if fields == nil {
		return object{}, &router.Error{Status: http.StatusBadRequest, Msg: "body must be a JSON object, not null"}
	}
	return object{raw: b, fields: fields}, nil
}

// has reports whether the object names field at all (even as null).
func (o object) has(field string) bool { _, ok := o.fields[field]; return ok }

// isNull reports whether field is present and null.
func (o object) isNull(field string) bool {
	v, ok := o.fields[field]
	return ok && string(bytes.TrimSpace(v)) == "null"
}

// rejectNulls refuses null for every field not in nullable. encoding/json treats
// null like an absent field, so without this {"name": null} would silently do nothing.
func (o object) rejectNulls(nullable ...string) error {
	keys := make([]string, 0, len(o.fields))
	for k := range o.fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if o.isNull(k) && !slices.Contains(nullable, k) {
			return router.FieldErr(k, "must not be null; leave it out to keep the current value")
		}
	}
	return nil
}

// checkTime refuses a field that is present but not an RFC 3339 timestamp, before
// encoding/json turns it into an error that does not name the field.
func (o object) checkTime(field string) error {
	v, ok := o.fields[field]
	if !ok || o.isNull(field) {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return router.FieldErr(field, "must be a string holding an RFC 3339 timestamp such as 2025-01-31T12:00:00Z")
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return router.FieldErr(field, fmt.Sprintf("%q is not an RFC 3339 timestamp such as 2025-01-31T12:00:00Z", s))
	}
	return nil
}

// decode fills dst from the object, refusing unknown fields and wrong types by name.
func (o object) decode(dst any) error { return strictDecode(o.raw, dst) }

// strictDecode decodes exactly one JSON value into dst, refusing unknown fields and
// trailing data, and translates encoding/json's errors into 400s naming the field.
// checkJSON first refuses what encoding/json would let through: duplicate keys, keys
// that match only when case is ignored, invalid Unicode, over-long strings.
func strictDecode(b []byte, dst any) error {
	if err := checkJSON(b, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &router.Error{Status: http.StatusBadRequest, Msg: "body must hold a single JSON value with nothing after it"}
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &router.Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("body is not valid JSON: %s (at byte %d)", se.Error(), se.Offset), Err: err}
	case errors.Is(err, io.EOF):
		return &router.Error{Status: http.StatusBadRequest, Msg: "body is empty: send a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &router.Error{Status: http.StatusBadRequest, Msg: "body ends in the middle of a JSON value", Err: err}
	case errors.As(err, &te):
		if te.Field == "" {
			return &router.Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("body must be a JSON %s, not %s", jsonKind(te.Type), te.Value), Err: err}
		}
		return &router.Error{Status: http.StatusBadRequest, Field: te.Field, Err: err,
			Msg: fmt.Sprintf("%s must be %s, not %s", te.Field, withArticle(jsonKind(te.Type)), te.Value)}
	}
	// encoding/json reports unknown fields only as text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return &router.Error{Status: http.StatusBadRequest, Field: name, Msg: fmt.Sprintf("%s is not a known field", name), Err: err}
	}
	return &router.Error{Status: http.StatusBadRequest, Msg: "body could not be decoded: " + err.Error(), Err: err}
}

// jsonKind names the JSON type a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Time]() {
		return "RFC 3339 timestamp string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return t.String()
}

func withArticle(s string) string {
	if strings.IndexByte("aeiou", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// list is the envelope of every list response. NextCursor is "" on the last page.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{} // an empty list is [], never null
	}
	return list[T]{Items: items, NextCursor: next}
}

// params reads query parameters, refusing ones the route does not know: a typo such
// as ?teir=strategic would otherwise silently return everything.
type params struct {
	v url.Values
}

func queryParams(r *http.Request, known ...string) (params, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return params{}, &router.Error{Status: http.StatusBadRequest, Msg: "query string is malformed", Err: err}
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return params{}, router.FieldErr(k, fmt.Sprintf("is not a query parameter of this route (known: %s)", strings.Join(known, ", ")))
		}
		if len(v[k]) > 1 {
			return params{}, router.FieldErr(k, "is given more than once")
		}
	}
	return params{v: v}, nil
}

func (p params) str(name string) string { return strings.TrimSpace(p.v.Get(name)) }

// limit reads the page size: 1..maxLimit, def when absent.
func (p params) limit(def int) (int, error) {
	s := p.str("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, router.FieldErr("limit", fmt.Sprintf("must be a whole number from 1 to %d", maxLimit))
	}
	return n, nil
}

func (p params) boolean(name string) (bool, error) {
	switch p.str(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, router.FieldErr(name, "must be true or false")
}

func (p params) oneOf(name string, allowed ...string) (string, error) {
	s := p.str(name)
	if s == "" || slices.Contains(allowed, s) {
		return s, nil
	}
	return "", router.FieldErr(name, fmt.Sprintf("must be one of %s", strings.Join(allowed, ", ")))
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// oneOfKind reads a parameter that takes the values of a string kind (a feedback
// kind, an MRR movement kind …) as that kind.
func oneOfKind[T ~string](p params, name string, allowed []T) (T, error) {
	s, err := p.oneOf(name, names(allowed)...)
	return T(s), err
}

// date reads a YYYY-MM-DD date.
func (p params) date(name string) (string, error) {
	s := p.str(name)
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", router.FieldErr(name, fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", s))
	}
	return s, nil
}

// time reads a YYYY-MM-DD date (midnight UTC) or an RFC 3339 timestamp.
func (p params) time(name string) (time.Time, error) {
	s := p.str(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return t, router.FieldErr(name, fmt.Sprintf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", s))
	}
	return t, nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err
}

// Cursors are opaque to clients and tagged with the list they belong to, so a cursor
// from one list (or sort order) handed to another is refused instead of silently
// returning the wrong page.
func encodeCursor(list, v string) string {
	if v == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(list + "\x00" + v))
}

func (p params) cursor(list string) (string, error) {
	s := p.str("cursor")
	if s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	tag, v, ok := strings.Cut(string(b), "\x00")
	if err != nil || !ok || tag != list || v == "" {
		return "", badCursor()
	}
	return v, nil
}

// page reads one page's size (def when absent) and cursor of list.
func (p params) page(def int, list string) (limit int, cursor string, err error) {
	if limit, err = p.limit(def); err != nil {
		return 0, "", err
	}
	cursor, err = p.cursor(list)
	return limit, cursor, err
}

func badCursor() error {
	return &router.Error{Status: http.StatusBadRequest, Field: "cursor", Msg: "cursor is not valid for this list: pass next_cursor from the previous page unchanged, with the same filters, sort and order"}
}

// readObject reads a body that is one JSON object and decodes it with decode, as
// bulk items are decoded, so a single write and a batch refuse the same things alike.
func readObject[T any](w http.ResponseWriter, r *http.Request, decode func(object) (T, error)) (T, error) {
	b, err := readBody(w, r, maxBody)
	if err != nil {
		var zero T
		return zero, err
	}
	o, err := parseObject(b)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(o)
}

// set applies one field of a patch body: v, when the body named it, replaces *dst.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// decodeBody reads a JSON object body into dst strictly: size-limited, no nulls, no
// unknown fields, wrong types named by field. Most write handlers start with it; the
// parsed object is returned for handlers that ask which fields were present.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) (object, error) {
	b, err := readBody(w, r, maxBody)
	if err != nil {
		return object{}, err
	}
	o, err := parseObject(b)
	if err != nil {
		return o, err
	}
	if err := o.rejectNulls(); err != nil {
		return o, err
	}
	return o, o.decode(dst)
}
