package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/store"
)

// Segment's published limits (HTTP Tracking API).
const (
	MaxEventBytes  = 32 << 10  // one message, and the body of a single-message call
	MaxBatchBytes  = 500 << 10 // the body of /v1/batch and /v1/import (after gunzip)
	MaxBatchEvents = 2500      // messages in one batch
	MaxIDBytes     = 200       // messageId, userId, anonymousId, groupId, previousId
	MaxNameBytes   = 200       // event and name
)

// errTooLarge and errUnparseable are the two request-level refusals (400): official
// clients retry every other non-2xx answer, so everything else is reported per event.
var (
	errTooLarge    = errors.New("too large")
	errUnparseable = errors.New("unparseable")
)

// readBody reads at most limit bytes of body, gunzipped when Content-Encoding says
// gzip; the limit applies to the decompressed bytes, so a small gzip bomb is refused
// after limit bytes of work.
func readBody(r *http.Request, limit int) ([]byte, error) {
	var src io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(io.LimitReader(r.Body, int64(limit)+1))
		if err != nil {
			return nil, fmt.Errorf("%w: the body is not gzip data", errUnparseable)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, fmt.Errorf("%w: Content-Encoding %q is not supported (send gzip or nothing)", errUnparseable, enc)
	}
	b, err := io.ReadAll(io.LimitReader(src, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", errUnparseable, err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: the body is larger than %d KB", errTooLarge, limit>>10)
	}
	return b, nil
}

// jsonContentType accepts application/json and text/plain (analytics.js sends its
// beacons as text/plain to avoid a CORS preflight); a missing type is taken as JSON.
func jsonContentType(h string) bool {
	if h == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(h)
	return err == nil && (mt == "application/json" || mt == "text/plain")
}

// envelope is the part of a request body outside its messages.
type envelope struct {
	WriteKey     string
	Context      fields
	Integrations fields
	SentAt       []byte
}

// Problem is one message refused or only partly applied, reported in the 200 body.
type Problem struct {
	Index     int    `json:"index"`
	MessageID string `json:"messageId,omitempty"`
	Field     string `json:"field,omitempty"`
	Error     string `json:"error"`
	Stored    bool   `json:"stored"` // the raw event was kept (an identity change was refused)
}

// decoded is a request's messages, ready for the committer, and its problems.
type decoded struct {
	events   []store.UsageEvent
	index    []int // events[k] is message index[k] of the request
	problems []Problem
	bytes    int
}

// decodeBody reads one request body. kind is the message type the path implies
// ("batch" for /v1/batch and /v1/import). An error means the body as a whole is
// unparseable (400); every message-level problem is in decoded.problems.
func decodeBody(kind string, body []byte, receivedAt time.Time) (decoded, envelope, error) {
	var env envelope
	if !json.Valid(body) {
		return decoded{}, env, fmt.Errorf("%w: the body is not JSON", errUnparseable)
	}
	top, isObject := splitObject(body)
	if !isObject && !isNull(body) {
		return decoded{}, env, fmt.Errorf("%w: the body is not a JSON object", errUnparseable)
	}
	// The envelope's keys match regardless of case, as encoding/json matched them
	// into a struct before; the messages' own keys match exactly.
	wk := top.getFold("writeKey")
	switch {
	case isString(wk):
		env.WriteKey = unquote(wk)
	case !isNull(wk):
		return decoded{}, env, fmt.Errorf("%w: writeKey must be a string", errUnparseable)
	}
	var items [][]byte
	if kind == "batch" {
		var ok bool
		for _, f := range []struct {
			name string
			dst  *fields
		}{{"context", &env.Context}, {"integrations", &env.Integrations}} {
			if v := top.getFold(f.name); !isNull(v) {
				if *f.dst, ok = splitObject(v); !ok {
					return decoded{}, env, fmt.Errorf("%w: %s must be an object", errUnparseable, f.name)
				}
			}
		}
		env.SentAt = top.getFold("sentAt")
		b := top.getFold("batch")
		if isNull(b) {
			return decoded{}, env, fmt.Errorf("%w: batch must be an array of messages", errUnparseable)
		}
		if items, ok = splitArray(b); !ok {
			return decoded{}, env, fmt.Errorf("%w: batch must be an array of messages", errUnparseable)
		}
		if len(items) > MaxBatchEvents {
			return decoded{}, env, fmt.Errorf("%w: the batch has %d messages, at most %d are allowed", errTooLarge, len(items), MaxBatchEvents)
		}
	} else {
		items = [][]byte{body}
	}
	var d decoded
	for i, raw := range items {
		ev, err := decodeMessage(kind, raw, env, receivedAt)
		if err != nil {
			p := Problem{Index: i, MessageID: ev.MessageID, Error: err.Error()}
			var fe *errs.FieldError
			if errors.As(err, &fe) {
				p.Field, p.Error = fe.Field, fe.Msg
			}
			d.problems = append(d.problems, p)
			continue
		}
		d.events = append(d.events, ev)
		d.index = append(d.index, i)
		d.bytes += len(ev.Payload)
	}
	return d, env, nil
}

var types = map[string]bool{"track": true, "identify": true, "group": true, "page": true, "screen": true, "alias": true}

// decodeMessage checks one message and builds what is stored. A refusal is an
// *errs.FieldError naming the message's field; the returned event carries the
// messageId when one could be read, for the report.
func decodeMessage(kind string, raw []byte, env envelope, receivedAt time.Time) (store.UsageEvent, error) {
	var ev store.UsageEvent
	if len(raw) > MaxEventBytes {
		return ev, errs.Invalidf("", "the message is larger than %d KB", MaxEventBytes>>10)
	}
	m, ok := splitObject(raw)
	if !ok {
		return ev, errs.Invalid("", "the message is not a JSON object")
	}
	m = m.del("writeKey") // a credential, never stored
	var err error
	if ev.MessageID, err = idField(m, "messageId"); err != nil {
		return ev, err
	}
	if ev.MessageID == "" {
		ev.MessageID = "cl-" + id.NewAt(receivedAt)
	}
	ev.Type = kind
	if kind == "batch" {
		t, _ := stringField(m, "type")
		if !types[t] {
			return ev, errs.Invalidf("type", "%q is not one of track, identify, group, page, screen, alias", t)
		}
		ev.Type = t
	}
	if ev.UserID, err = idField(m, "userId"); err != nil {
		return ev, err
	}
	if ev.AnonymousID, err = idField(m, "anonymousId"); err != nil {
		return ev, err
	}
	if ev.UserID == "" && ev.AnonymousID == "" {
		return ev, errs.Invalid("userId", "a userId or an anonymousId is required")
	}
	for _, f := range []string{"properties", "traits", "context", "integrations"} {
		if v := m.get(f); !isNull(v) && v[0] != '{' {
			return ev, errs.Invalid(f, "must be a JSON object")
		}
	}
	switch ev.Type {
	case "track":
		if ev.Event, err = nameField(m, "event"); err != nil {
			return ev, err
		}
		if ev.Event == "" {
			return ev, errs.Invalid("event", "is required for a track call")
		}
	case "page", "screen":
		if ev.Event, err = nameField(m, "name"); err != nil {
			return ev, err
		}
	case "group":
		if ev.GroupID, err = idField(m, "groupId"); err != nil {
			return ev, err
		}
		if ev.GroupID == "" {
			return ev, errs.Invalid("groupId", "is required for a group call")
		}
	case "alias":
		if ev.PreviousID, err = idField(m, "previousId"); err != nil {
			return ev, err
		}
		if ev.PreviousID == "" || ev.UserID == "" {
			return ev, errs.Invalid("previousId", "an alias call needs both previousId and userId")
		}
	}
	if v := m.get("traits"); !isNull(v) {
		ev.Traits = bytes.Clone(v) // not a slice of the body, which can be far larger
	}

	ctx, ctxJSON, err := merged(env.Context, m.get("context"))
	if err != nil {
		return ev, errs.Invalid("context", "must be a JSON object")
	}
	_, integJSON, err := merged(env.Integrations, m.get("integrations"))
	if err != nil {
		return ev, errs.Invalid("integrations", "must be a JSON object")
	}
	if ev.Type != "group" {
		if ev.GroupID, err = idField(ctx, "groupId"); err != nil {
			return ev, errs.Invalid("context.groupId", "must be a string or a number")
		}
	}

	ts, err := timeField(m, "timestamp")
	if err != nil {
		return ev, err
	}
	if ts.IsZero() {
		if ts, err = timeField(m, "originalTimestamp"); err != nil {
			return ev, err
		}
	}
	sentAt, err := timeField(m, "sentAt")
	if err != nil {
		return ev, err
	}
	if sentAt.IsZero() && len(env.SentAt) > 0 {
		if sentAt, err = timeValue("sentAt", env.SentAt); err != nil {
			return ev, err
		}
	}
	ev.ReceivedAt = receivedAt
	ev.Timestamp = correctedTime(ts, sentAt, receivedAt)
	if y := ev.Timestamp.Year(); y < 1970 || y > 9999 {
		return ev, errs.Invalidf("timestamp", "corrects to %s, outside the years 1970–9999", ev.Timestamp.Format(time.RFC3339))
	}

	set := func(k string, v string) { m = m.set(k, appendJSONString(nil, v)) }
	set("messageId", ev.MessageID)
	set("type", ev.Type)
	if !ts.IsZero() {
		set("originalTimestamp", ts.Format(time.RFC3339Nano))
	}
	set("timestamp", ev.Timestamp.Format(time.RFC3339Nano))
	set("receivedAt", receivedAt.UTC().Format(time.RFC3339Nano))
	if !sentAt.IsZero() {
		set("sentAt", sentAt.Format(time.RFC3339Nano))
	}
	if ctxJSON != nil {
		m = m.set("context", ctxJSON)
	}
	if integJSON != nil {
		m = m.set("integrations", integJSON)
	}
	ev.Payload = encodeObject(m)
	if len(ev.Payload) > 2*MaxEventBytes {
		return ev, errs.Invalidf("", "the message is larger than %d KB with the batch context", 2*MaxEventBytes>>10)
	}
	return ev, nil
}

// appendJSONString appends s as a JSON string; plain ASCII (keys, ids, times) is
// copied between quotes, anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// correctedTime is Segment's clock-skew correction: the device's clock may be wrong,
// but the time between the event and the send is right, so the event happened that
// long before the server received it.
func correctedTime(ts, sentAt, receivedAt time.Time) time.Time {
	switch {
	case ts.IsZero():
		return receivedAt.UTC()
	case sentAt.IsZero():
		return ts.UTC()
	default:
		return receivedAt.Add(-sentAt.Sub(ts)).UTC()
	}
}

// merged is the batch-level object with the message's own keys over it, as fields
// and as the JSON to store. When only one side has keys its JSON is kept as it is,
// which spares re-encoding the common case (the context on the message alone).
func merged(batch fields, own []byte) (fields, []byte, error) {
	hasOwn := !isNull(own)
	if len(batch) == 0 && !hasOwn {
		return nil, nil, nil
	}
	var m fields
	if hasOwn {
		var ok bool
		if m, ok = splitObject(own); !ok {
			return nil, nil, errors.New("not an object")
		}
	}
	switch {
	case len(batch) == 0:
		return m, own, nil
	case len(m) == 0:
		return batch, encodeObject(batch), nil
	}
	out := append(slices.Clip(batch), m...) // the message's own keys come last, so they win
	return out, encodeObject(out), nil
}

// idField reads an id: a string, or a number (some clients send numeric user ids),
// which is kept as its text.
func idField(m fields, key string) (string, error) {
	raw := m.get(key)
	var s string
	switch {
	case isNull(raw):
		return "", nil
	case isString(raw):
		s = unquote(raw)
	case isNumber(raw):
		s = string(raw)
	default:
		return "", errs.Invalid(key, "must be a string or a number")
	}
	s = strings.TrimSpace(s)
	if len(s) > MaxIDBytes {
		return "", errs.Invalidf(key, "is longer than %d bytes", MaxIDBytes)
	}
	return s, nil
}

func stringField(m fields, key string) (string, error) { return stringValue(key, m.get(key)) }

func stringValue(key string, raw []byte) (string, error) {
	switch {
	case isNull(raw):
		return "", nil
	case isString(raw):
		return strings.TrimSpace(unquote(raw)), nil
	default:
		return "", errs.Invalid(key, "must be a string")
	}
}

func nameField(m fields, key string) (string, error) {
	s, err := stringField(m, key)
	if err == nil && len(s) > MaxNameBytes {
		err = errs.Invalidf(key, "is longer than %d bytes", MaxNameBytes)
	}
	return s, err
}

func timeField(m fields, key string) (time.Time, error) { return timeValue(key, m.get(key)) }

// timeValue reads an ISO-8601 time. Go clients send the zero time
// (0001-01-01T00:00:00Z) for a field they did not set; that counts as absent.
func timeValue(key string, raw []byte) (time.Time, error) {
	s, err := stringValue(key, raw)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errs.Invalidf(key, "%q is not an ISO-8601 time such as 2026-01-02T15:04:05.000Z", s)
	}
	if t.Year() <= 1 {
		return time.Time{}, nil
	}
	return t, nil
}
