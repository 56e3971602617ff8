package taxonomy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseCSVErrors(t *testing.T) {
	long := strings.Repeat("n", 101)
	cases := []struct {
		name string
		in   string
		line int
		col  string
		msg  string // a substring of Msg
	}{
		{"empty file", "", 1, "", "empty"},
		{"unknown column", "path,colour\nA,red\n", 1, "colour", "unknown column"},
		{"missing path", "description\nx\n", 1, "path", "missing"},
		{"duplicate column", "path,Path\nA,B\n", 1, "path", "twice"},
		{"unnamed column", "path,,archived\nA,,no\n", 1, "", "column 2 has no name"},
		{"empty path", "path,description\nA,x\n,only a description\n", 3, "path", "required"},
		{"empty middle segment", "path\nA\nA ›  › C\n", 3, "path", "segment 2 of the path is empty"},
		{"trailing separator", "path\nA > \n", 2, "path", "segment 2 of the path is empty"},
		{"leading slash", "path\n/A\n", 2, "path", "segment 1 of the path is empty"},
		{"duplicate path", "path\nA › B\nC\na  ›  b\n", 4, "path", "also on line 2"},
		{"duplicate across separators", "path\nA > B\nA/B\n", 3, "path", "also on line 2"},
		{"over-long name", "path\nA\nA › " + long + "\n", 3, "path", "longer than 100"},
		{"bad boolean", "path,archived\nA,yes\nB,maybe\n", 3, "archived", `"maybe" is not true, false, yes or no`},
		{"ragged row", "path,description\nA,x\nB,x,extra\n", 3, "", "has 3 fields, the header has 2"},
		{"bare quote", "path\nA\nB\"x\n", 3, "", "character"},
		// A quoted description spanning lines 2-3 pushes the next row to line 4.
		{"line after multi-line cell", "path,description\nA,\"two\nlines\"\nB,x\nB,y\n", 5, "path", "also on line 4"},
		{"archived cell on its own line", "path,description,archived\nA,\"x\ny\",nah\n", 3, "archived", "nah"},
		{"control character", "path\n\"A\tB\"\n", 2, "path", "control character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ParseCSV(strings.NewReader(c.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got rows %v, err %v; want *Error", rows, err)
			}
			if rows != nil || e.Line != c.line || e.Column != c.col || !strings.Contains(e.Msg, c.msg) {
				t.Fatalf("got %#v, want line %d column %q msg ~%q", e, c.line, c.col, c.msg)
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	in := "\ufeff Path , DESCRIPTION,Archived\n" +
		"Editor › Tables › Formulas,\"Sums, averages and \"\"IF\"\"\",no\n" +
		"\n" +
		",,\n" +
		"  Editor  ›Tables  ,  Grids  ,YES\n" +
		"Billing,,\n" +
		"Integrations › CI/CD,,false\n" +
		"Response time > 5s,,true\n"
	rows, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	h := func(r ImportRow) ImportRow { r.HasDescription, r.HasArchived = true, true; return r }
	want := []ImportRow{
		h(ImportRow{Path: []string{"Editor", "Tables", "Formulas"}, Description: `Sums, averages and "IF"`, Line: 2}),
		h(ImportRow{Path: []string{"Editor", "Tables"}, Description: "Grids", Archived: true, Line: 5}),
		h(ImportRow{Path: []string{"Billing"}, Line: 6}),
		// "›" appears in the file, so "/" and ">" are part of names.
		h(ImportRow{Path: []string{"Integrations", "CI/CD"}, Line: 7}),
		h(ImportRow{Path: []string{"Response time > 5s"}, Archived: true, Line: 8}),
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", rows, want)
	}

	// Without "›" anywhere, each path splits on ">" if it has one, else on "/".
	rows, err = ParseCSV(strings.NewReader("path\nEditor > Tables/Grid\nBilling/Invoices\nAPI\n"))
	if err != nil {
		t.Fatal(err)
	}
	var paths [][]string
	for _, r := range rows {
		paths = append(paths, r.Path)
		if r.HasDescription || r.HasArchived {
			t.Fatalf("%v claims columns the file does not have", r)
		}
	}
	if !reflect.DeepEqual(paths, [][]string{{"Editor", "Tables/Grid"}, {"Billing", "Invoices"}, {"API"}}) {
		t.Fatalf("paths %q", paths)
	}

	// A header alone is an empty, valid import.
	if rows, err := ParseCSV(strings.NewReader("path,description\n")); err != nil || len(rows) != 0 {
		t.Fatalf("header only: %v %v", rows, err)
	}
}
