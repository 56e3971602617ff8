package ingest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// FuzzDecodeBody: any body is either refused as a whole (unparseable or too large) or
// split into stored events and per-message problems, one of the two per message; every
// event to be stored has an id, a known type, a user or anonymous id and a JSON object
// payload within the size bound, and no writeKey.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"userId":"u","event":"E","properties":{"a":1}}`,
		`{"batch":[{"type":"track","userId":"u","event":"E"},{"type":"identify","anonymousId":"a","traits":{"email":"x@y.z"}}],"context":{"ip":"1.2.3.4"},"sentAt":"2026-01-01T00:00:00Z"}`,
		`{"writeKey":"k","batch":[{"type":"alias","userId":"u","previousId":"p"},{"type":"group","userId":"u","groupId":7}]}`,
		`{"batch":[{"type":"page","userId":1e400}]}`,
		`{"batch":[null,[],"",{"type":"screen","userId":"u","timestamp":"2026-13-01T00:00:00Z"}]}`,
		`{"userId":"u","event":"E","context":{"groupId":{"x":1}}}`,
	} {
		f.Add("batch", []byte(s))
		f.Add("track", []byte(s))
	}
	rcv := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, kind string, body []byte) {
		if !types[kind] && kind != "batch" {
			kind = "batch"
		}
		d, _, err := decodeBody(kind, body, rcv)
		if err != nil {
			if !errors.Is(err, errUnparseable) && !errors.Is(err, errTooLarge) {
				t.Fatalf("whole-request error of an unknown kind: %v", err)
			}
			return
		}
		if len(d.events) != len(d.index) {
			t.Fatalf("%d events, %d indexes", len(d.events), len(d.index))
		}
		for _, ev := range d.events {
			if ev.MessageID == "" || !types[ev.Type] || ev.UserID == "" && ev.AnonymousID == "" {
				t.Fatalf("stored an incomplete event %+v", ev)
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(ev.Payload, &m) != nil || len(ev.Payload) > 2*MaxEventBytes {
				t.Fatalf("payload not a bounded JSON object: %q", ev.Payload)
			}
			if _, ok := m["writeKey"]; ok {
				t.Fatal("writeKey stored")
			}
			if y := ev.Timestamp.Year(); y < 1970 || y > 9999 {
				t.Fatalf("timestamp %s", ev.Timestamp)
			}
		}
	})
}
