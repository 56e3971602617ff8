package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/ingest"
	"github.com/closeloop/closeloop/internal/router"
)

type checkInner struct {
	MRR  *float64 `json:"mrr"`
	Name string   `json:"name"`
}

type checkInput struct {
	Email  string            `json:"email"`
	Text   string            `json:"text"`
	Tags   []string          `json:"tag_ids"`
	Inner  checkInner        `json:"weights"`
	Items  []checkInner      `json:"items"`
	Raw    json.RawMessage   `json:"traits"`
	Rates  map[string]string `json:"rates"`
	NoTag  string
	hidden string
}

func TestCheckJSON(t *testing.T) {
	long := func(n int) string { return `"` + strings.Repeat("x", n) + `"` }
	for _, tc := range []struct {
		name, body, field string // field "" means accepted
	}{
		{"plain", `{"email": "a@b.co", "text": "hi", "weights": {"mrr": 1}, "traits": {"k": "v"}}`, ""},
		{"duplicate key", `{"text": "a", "text": "b"}`, "text"},
		{"duplicate nested", `{"weights": {"mrr": 1, "mrr": 2}}`, "weights.mrr"},
		{"duplicate in an array item", `{"items": [{"name": "a"}, {"name": "b", "name": "c"}]}`, "items[1].name"},
		{"duplicate inside raw traits", `{"traits": {"k": 1, "k": 2}}`, "traits.k"},
		{"duplicate at the top of a map", `{"rates": {"EUR": "1", "EUR": "2"}}`, "rates.EUR"},
		{"case-folded name", `{"Email": "a@b.co"}`, "Email"},
		{"case-folded nested", `{"weights": {"MRR": 1}}`, "weights.MRR"},
		{"untagged field by its Go name", `{"NoTag": "x"}`, ""},
		{"untagged field folded", `{"notag": "x"}`, "notag"},
		{"unknown field left to encoding/json", `{"nope": 1}`, ""},
		{"map keys are not fields", `{"rates": {"eur": "1", "EUR": "2"}}`, ""},
		{"invalid UTF-8", "{\"text\": \"a\xffb\"}", "text"},
		{"invalid UTF-8 in a key", "{\"te\xc3xt\": 1}", "(a field name)"},
		{"encoded surrogate (CESU)", "{\"text\": \"\xed\xa0\x80\"}", "text"},
		{"lone high surrogate", `{"text": "a\ud800b"}`, "text"},
		{"lone low surrogate", `{"text": "\udc00"}`, "text"},
		{"high then non-surrogate", `{"text": "\ud800\u0041"}`, "text"},
		{"surrogate pair", `{"text": "\ud83d\ude00 \u00e9"}`, ""},
		{"lone surrogate in traits", `{"traits": {"k": "\ud800"}}`, "traits.k"},
		{"text at its limit", `{"text": ` + long(50000) + `}`, ""},
		{"text over", `{"text": ` + long(50001) + `}`, "text"},
		{"email over", `{"email": ` + long(255) + `}`, "email"},
		{"default limit", `{"weights": {"name": ` + long(201) + `}}`, "weights.name"},
		{"array element", `{"tag_ids": ["a", ` + long(201) + `]}`, "tag_ids[1]"},
		{"traits strings are not limited here", `{"traits": {"k": ` + long(5000) + `}}`, ""},
		{"escapes count as one byte", `{"email": "` + strings.Repeat(`\n`, 254) + `"}`, ""},
		{"syntax errors are left to encoding/json", `{"text": "a",}`, ""},
		{"truncated", `{"text": "a`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSON([]byte(tc.body), reflect.TypeFor[*checkInput]())
			var re *router.Error
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && !errors.As(err, &re):
				t.Fatalf("accepted, want a 400 naming %s", tc.field)
			case tc.field != "" && (re.Status != 400 || !strings.HasSuffix(re.Field, tc.field)):
				t.Fatalf("status %d field %q (%s), want 400 naming %s", re.Status, re.Field, re.Msg, tc.field)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	for _, tc := range []struct {
		h, tok string
		ok     bool
	}{
		{"Bearer cl_a_b", "cl_a_b", true}, {"bearer cl_a_b", "cl_a_b", true}, {"BEARER  cl_a_b ", "cl_a_b", true},
		{"Basic dXNlcg==", "", false}, {"Bearer", "", false}, {"Bearer ", "", false}, {"", "", false}, {"Bearercl_a_b", "", false},
	} {
		if tok, ok := bearerToken(tc.h); tok != tc.tok || ok != tc.ok {
			t.Errorf("%q: %q %v, want %q %v", tc.h, tok, ok, tc.tok, tc.ok)
		}
	}
}

// TestOpenAPIStatesEveryLimit: every string of every request body schema in
// openapi.json carries maxLength, and it is the limit the API enforces.
func TestOpenAPIStatesEveryLimit(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatal(err)
	}
	type schema struct {
		Ref        string             `json:"$ref"`
		Type       any                `json:"type"`
		MaxLength  *int               `json:"maxLength"`
		Items      *schema            `json:"items"`
		Properties map[string]*schema `json:"properties"`
	}
	isString := func(s *schema) bool {
		switch v := s.Type.(type) {
		case string:
			return v == "string"
		case []any:
			for _, x := range v {
				if x == "string" {
					return true
				}
			}
		}
		return false
	}
	var queue []string
	for path, ops := range doc.Paths {
		if strings.HasPrefix(path, "/v1/") {
			continue // Segment's limits, not this API's: TestOpenAPIStatesIngestLimits
		}
		for _, raw := range ops {
			var op struct {
				RequestBody struct {
					Content map[string]struct {
						Schema schema `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			json.Unmarshal(raw, &op)
			for _, c := range op.RequestBody.Content {
				queue = append(queue, strings.TrimPrefix(c.Schema.Ref, "#/components/schemas/"))
			}
		}
	}
	seen := map[string]bool{}
	checked := 0
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		var s schema
		if err := json.Unmarshal(doc.Components.Schemas[name], &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for prop, ps := range s.Properties {
			if ps.Ref != "" {
				queue = append(queue, strings.TrimPrefix(ps.Ref, "#/components/schemas/"))
			}
			target := ps
			if ps.Items != nil {
				if ps.Items.Ref != "" {
					queue = append(queue, strings.TrimPrefix(ps.Items.Ref, "#/components/schemas/"))
				}
				if isString(ps.Items) {
					target = ps.Items
				}
			}
			if !isString(target) {
				continue
			}
			checked++
			if target.MaxLength == nil || *target.MaxLength != fieldLimit(prop) {
				t.Errorf("%s.%s: openapi maxLength %v, the API enforces %d", name, prop, target.MaxLength, fieldLimit(prop))
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d string fields checked: the walk is broken", checked)
	}
}

// TestOpenAPIStatesIngestLimits: the Segment messages' string fields in openapi.json
// carry the limits internal/ingest enforces, and every /v1 route is documented with
// its 429 and Retry-After.
func TestOpenAPIStatesIngestLimits(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type      any    `json:"type"`
					Format    string `json:"format"`
					MaxLength *int   `json:"maxLength"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"messageId": ingest.MaxIDBytes, "userId": ingest.MaxIDBytes, "anonymousId": ingest.MaxIDBytes,
		"groupId": ingest.MaxIDBytes, "previousId": ingest.MaxIDBytes,
		"event": ingest.MaxNameBytes, "name": ingest.MaxNameBytes,
		"type": len("identify"), // the longest of the enum
		// A write key longer than this is no key of ours (401): API keys are shorter.
		"writeKey": 200,
	}
	msg := doc.Components.Schemas["SegmentMessage"].Properties
	if len(msg) == 0 {
		t.Fatal("no SegmentMessage schema")
	}
	for prop, p := range msg {
		if p.Format == "date-time" {
			continue // checked as a time, not by length
		}
		n, isStr := want[prop]
		if !isStr {
			continue // objects
		}
		if p.MaxLength == nil || *p.MaxLength != n {
			t.Errorf("SegmentMessage.%s: maxLength %v, ingest enforces %d", prop, p.MaxLength, n)
		}
	}
	for _, k := range []string{"track", "identify", "group", "page", "screen", "alias", "batch", "import"} {
		var op struct {
			Post struct {
				Responses map[string]struct {
					Headers map[string]json.RawMessage `json:"headers"`
				} `json:"responses"`
			} `json:"post"`
		}
		raw, _ := json.Marshal(doc.Paths["/v1/"+k])
		json.Unmarshal(raw, &op)
		if _, ok := op.Post.Responses["429"].Headers["Retry-After"]; !ok {
			t.Errorf("POST /v1/%s: no 429 with Retry-After documented", k)
		}
	}
}
