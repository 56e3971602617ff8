package ingest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestCorrectedTime(t *testing.T) {
	rcv := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ ts, sentAt, want string }{
		// The device clock is an hour fast: the event happened 5 s before the send,
		// so 5 s before the server received it.
		{"2026-06-01T13:00:00Z", "2026-06-01T13:00:05Z", "2026-06-01T11:59:55Z"},
		// Queued offline for a day on a correct clock.
		{"2026-05-31T12:00:00Z", "2026-06-01T12:00:00Z", "2026-05-31T12:00:00Z"},
		// Offsets are honoured: 14:00+02:00 is 12:00Z, sent 250 ms later.
		{"2026-06-01T14:00:00+02:00", "2026-06-01T12:00:00.25Z", "2026-06-01T11:59:59.75Z"},
		// No sentAt: the timestamp as given.
		{"2026-01-01T00:00:00Z", "", "2026-01-01T00:00:00Z"},
		// No timestamp: when it was received.
		{"", "2026-06-01T13:00:05Z", "2026-06-01T12:00:00Z"},
	} {
		if got := correctedTime(at(tc.ts), at(tc.sentAt), rcv); !got.Equal(at(tc.want)) {
			t.Errorf("timestamp %s sentAt %s: %s, want %s", tc.ts, tc.sentAt, got.Format(time.RFC3339Nano), tc.want)
		}
	}
}

func TestDecodeMessageFields(t *testing.T) {
	rcv := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		kind, msg string
		field     string // "" = accepted
		check     func(t *testing.T, typ, event, user, anon, group string)
	}{
		{"track", `{"userId":"u","event":"E"}`, "", nil},
		{"track", `{"userId":12345678901234567890,"event":"E"}`, "", func(t *testing.T, _, _, user, _, _ string) {
			if user != "12345678901234567890" {
				t.Errorf("numeric userId kept as %q", user)
			}
		}},
		{"track", `{"anonymousId":"a","event":"E","context":{"groupId":7}}`, "", func(t *testing.T, _, _, _, anon, group string) {
			if anon != "a" || group != "7" {
				t.Errorf("anon %q group %q", anon, group)
			}
		}},
		{"track", `{"userId":"u","event":"E","timestamp":"0001-01-01T00:00:00Z"}`, "", nil}, // a Go client's zero time = absent
		{"track", `{"userId":{"x":1},"event":"E"}`, "userId", nil},
		{"track", `{"userId":"u","event":7}`, "event", nil},
		{"track", `{"userId":"u","event":""}`, "event", nil},
		{"track", `{"userId":"u","event":"` + strings.Repeat("e", 201) + `"}`, "event", nil},
		{"track", `{"userId":"` + strings.Repeat("u", 201) + `","event":"E"}`, "userId", nil},
		{"track", `{"userId":"u","event":"E","context":"x"}`, "context", nil},
		{"track", `{"userId":"u","event":"E","context":{"groupId":[1]}}`, "context.groupId", nil},
		{"track", `{"userId":"u","event":"E","sentAt":"soon"}`, "sentAt", nil},
		{"track", `{"userId":"u","event":"E","timestamp":"1500-01-01T00:00:00Z"}`, "timestamp", nil},
		{"track", `"just a string"`, "", nil}, // refused, field ""
		{"page", `{"userId":"u"}`, "", nil},   // page name is optional
		{"identify", `{"userId":"u","traits":{"email":"a@b.test"}}`, "", nil},
		{"identify", `{"userId":"u","traits":[1]}`, "traits", nil},
		{"group", `{"userId":"u","groupId":""}`, "groupId", nil},
		{"alias", `{"previousId":"p"}`, "userId", nil},
		{"alias", `{"userId":"u","previousId":"p"}`, "", nil},
		{"batch", `{"type":"screen","userId":"u","name":"Home"}`, "", func(t *testing.T, typ, event, _, _, _ string) {
			if typ != "screen" || event != "Home" {
				t.Errorf("type %q event %q", typ, event)
			}
		}},
		{"batch", `{"userId":"u","event":"E"}`, "type", nil},
	} {
		ev, err := decodeMessage(tc.kind, json.RawMessage(tc.msg), envelope{}, rcv)
		var fe *errs.FieldError
		switch {
		case tc.field == "" && err == nil:
			if tc.check != nil {
				tc.check(t, ev.Type, ev.Event, ev.UserID, ev.AnonymousID, ev.GroupID)
			}
			if !strings.HasPrefix(ev.MessageID, "cl-") {
				t.Errorf("%s %s: messageId %q, want one made up", tc.kind, tc.msg, ev.MessageID)
			}
		case tc.field == "" && strings.HasPrefix(tc.msg, `"`):
			if !errors.As(err, &fe) || fe.Field != "" {
				t.Errorf("%s %s: %v, want a refusal of the message", tc.kind, tc.msg, err)
			}
		case !errors.As(err, &fe) || fe.Field != tc.field:
			t.Errorf("%s %s: %v, want a refusal naming %q", tc.kind, tc.msg, err, tc.field)
		}
	}
}

func TestDecodeBodyRefusesWholeRequestsOnlyWhenUnreadable(t *testing.T) {
	rcv := time.Now()
	for _, tc := range []struct {
		kind, body string
		want       error // nil = 200 with problems
	}{
		{"track", `not json`, errUnparseable},
		{"track", `[]`, errUnparseable},
		{"batch", `{"batch":{}}`, errUnparseable},
		{"batch", `{}`, errUnparseable},
		{"batch", `{"batch":[],"context":[]}`, errUnparseable},
		{"batch", `{"batch":[1,"x",{}]}`, nil},
		{"track", `{"writeKey":5}`, errUnparseable},
		{"batch", `{"batch":[` + strings.TrimSuffix(strings.Repeat(`{},`, MaxBatchEvents+1), ",") + `]}`, errTooLarge},
	} {
		d, _, err := decodeBody(tc.kind, []byte(tc.body), rcv)
		if tc.want == nil {
			if err != nil || len(d.problems) != 3 || len(d.events) != 0 {
				t.Errorf("%s %.40s: %v %+v", tc.kind, tc.body, err, d.problems)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s %.40s: %v, want %v", tc.kind, tc.body, err, tc.want)
		}
	}
}

// BenchmarkDecodeBody decodes a 100-message batch as `closeloop bench ingest` sends it.
func BenchmarkDecodeBody(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"batch":[`)
	for i := 0; i < 100; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"type":"track","messageId":"0f8fad5b-d9cb-469f-a165-70867728950` + strings.Repeat("e", 1) + `","userId":"user-1","event":"Report Viewed",` +
			`"timestamp":"2026-06-01T12:00:00.000Z","sentAt":"2026-06-01T12:00:01.000Z","properties":{"report":"3","rows":1234,"filtered":true},` +
			`"context":{"groupId":"acct-1","library":{"name":"analytics-go","version":"3.3.0"},"ip":"203.0.113.7"}}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	rcv := time.Now()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := decodeBody("batch", body, rcv); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain-ID_1.2", `quote " and \ back`, "tab\there", "<script>&", "naïve ☃", "\x00\x1f", "\xff bad utf-8"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: %s, want %s", s, got, want)
		}
	}
}
