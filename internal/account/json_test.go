package account

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestCheckJSONObject(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1) }
	big := func(n int) string { return `{"k":"` + strings.Repeat("x", n-len(`{"k":""}`)) + `"}` }
	ok := []string{
		`{}`, ` { "a" : [ 1 , 2 ] } `, deep(MaxJSONDepth), big(MaxJSONBytes),
		`{"a":"{{{{{{{{{{[[[[[[[[[["}`,  // brackets inside strings do not nest
		`{"a":"\"{{{{{{{{{{"}`,          // nor after an escaped quote
		`{"a":"\\","b":[[[[[[[]]]]]]]}`, // an escaped backslash ends before the quote
		"{\n  \"a\": \"" + strings.Repeat("x", MaxJSONBytes-10) + "\"\n" + strings.Repeat(" ", 100) + "}", // whitespace is free
	}
	for _, s := range ok {
		if err := CheckJSONObject("traits", []byte(s)); err != nil {
			t.Errorf("%.80s: %v", s, err)
		}
	}
	bad := map[string]string{
		deep(MaxJSONDepth + 1):        "levels deep",
		deep(20000):                   "levels deep",
		`{"a":[[[[[[[[1]]]]]]]]}`:     "levels deep",
		big(MaxJSONBytes + 1):         "larger than",
		`[1]`:                         "JSON object",
		`"x"`:                         "JSON object",
		`null`:                        "JSON object",
		``:                            "JSON object",
		`{"a":1`:                      "JSON object",
		`{"a":1} {}`:                  "JSON object",
		`{"a":"\"}`:                   "JSON object",
		`{"a":"{{{{{{{{{{"}}}}}}}}}}`: "JSON object",
	}
	for s, msg := range bad {
		var fe *errs.FieldError
		err := CheckJSONObject("traits", []byte(s))
		if !errors.As(err, &fe) || fe.Field != "traits" || !strings.Contains(fe.Msg, msg) {
			t.Errorf("%.80s: %v, want a traits error mentioning %q", s, err, msg)
		}
	}
}

// Accounts and people share the check, and store traits compactly.
func TestTraitsAreCheckedAndCompacted(t *testing.T) {
	a := Account{Name: "A", Traits: json.RawMessage("{ \"region\" :\n \"emea\" }")}
	a.Normalize([]string{"standard"})
	if err := a.Validate([]string{"standard"}); err != nil || string(a.Traits) != `{"region":"emea"}` {
		t.Fatalf("account traits %s: %v", a.Traits, err)
	}
	deep := strings.Repeat(`{"a":`, MaxJSONDepth) + "{}" + strings.Repeat("}", MaxJSONDepth)
	a.Traits = json.RawMessage(deep)
	var fe *errs.FieldError
	if err := a.Validate([]string{"standard"}); !errors.As(err, &fe) || fe.Field != "traits" {
		t.Errorf("account with deep traits: %v", err)
	}
	p := Person{Email: "a@example.com", Traits: json.RawMessage(deep)}
	p.Normalize()
	if err := p.Validate(); !errors.As(err, &fe) || fe.Field != "traits" {
		t.Errorf("person with deep traits: %v", err)
	}
}
