package taxonomy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseJSONErrors(t *testing.T) {
	long := strings.Repeat("n", 101)
	four := `{"name":"A"},{"name":"B"},{"name":"C"},`
	cases := []struct {
		name, in, col, msg string
	}{
		{"empty", ``, "", "empty"},
		{"syntax", "[\n  {\"name\": \"A\",}\n]", "", "line 2, character 16"},
		{"truncated", `[{"name": "A"`, "", "ends too early"},
		{"not an array", `{"name": "A"}`, "", "JSON array"},
		{"trailing data", `[] []`, "", "after the top-level array"},
		{"item not object", `[{"name":"A"}, "B"]`, "[1]", "object"},
		{"missing name", "[" + four + `{"children": [{"description": "x"}]}]`, "[3].name", "required"},
		{"nested missing name", "[" + four + `{"name": "D", "children": [{"description": "x"}]}]`, "[3].children[0].name", "required"},
		{"null name", `[{"name": null}]`, "[0].name", "required"},
		{"empty name", "[" + four + `{"name": "D", "children": [{"name": "  "}]}]`, "[3].children[0].name", "empty"},
		{"name not string", `[{"name": 3}]`, "[0].name", "string"},
		{"separator in name", `[{"name": "A › B"}]`, "[0].name", "separator"},
		{"over-long name", `[{"name": "A", "children": [{"name": "B"}, {"name": "` + long + `"}]}]`, "[0].children[1].name", "longer than 100"},
		{"duplicate sibling", `[{"name": "A", "children": [{"name": "B"}, {"name": " b "}]}]`, "[0].children[1].name", "also at [0].children[0]"},
		{"duplicate root", `[{"name": "A"}, {"name": "a"}]`, "[1].name", "also at [0]"},
		{"bad archived", `[{"name": "A", "archived": "yes"}]`, "[0].archived", "true or false"},
		{"bad description", `[{"name": "A", "description": 1}]`, "[0].description", "string"},
		{"bad children", `[{"name": "A", "children": {"name": "B"}}]`, "[0].children", "array"},
		{"unknown field", `[{"name": "A", "children": [{"name": "B", "childern": []}]}]`, "[0].children[0].childern", "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ParseJSON(strings.NewReader(c.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got rows %v, err %v; want *Error", rows, err)
			}
			if rows != nil || e.Line != 0 || e.Column != c.col || !strings.Contains(e.Msg, c.msg) {
				t.Fatalf("got %#v, want column %q msg ~%q", e, c.col, c.msg)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	in := `[
	  {"name": " Editor ", "description": "Docs", "children": [
	    {"name": "Tables", "archived": true, "children": [{"name": "Formulas", "description": null, "archived": null}]}
	  ]},
	  {"name": "Billing", "children": null}
	]`
	rows, err := ParseJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportRow{
		{Path: []string{"Editor"}, Description: "Docs", HasDescription: true},
		{Path: []string{"Editor", "Tables"}, Archived: true, HasArchived: true},
		{Path: []string{"Editor", "Tables", "Formulas"}},
		{Path: []string{"Billing"}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", rows, want)
	}
	if rows, err := ParseJSON(strings.NewReader("\ufeff[]")); err != nil || len(rows) != 0 {
		t.Fatalf("empty array: %v %v", rows, err)
	}
}
