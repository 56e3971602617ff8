package taxonomy

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestPlanImpliedParentsAndChanges(t *testing.T) {
	tr := build(t, `
ed - Editor
tb ed Tables
fo tb Formulas
bi - Billing
`)
	rows, err := ParseCSV(strings.NewReader("path,description,archived\n" +
		"editor › tables › formulas,,no\n" + // exists, same (case ignored): unchanged
		"Editor › Tables › Pivot › Totals,,\n" + // implies Pivot under the existing Tables
		"Reporting › Charts › Bar,,\n" + // implies Reporting and Charts, both new
		"Reporting,Dashboards and reports,\n" + // names the implied Reporting: fills it in
		"Billing,Plans and invoices,yes\n")) // exists: new description and archived
	if err != nil {
		t.Fatal(err)
	}
	p := Plan(tr, rows)
	want := ImportPlan{
		New: []NewTag{
			{Path: []string{"Editor", "Tables", "Pivot"}, Name: "Pivot", ParentID: "tb", ParentIndex: -1, Implied: true, Line: 3},
			{Path: []string{"Editor", "Tables", "Pivot", "Totals"}, Name: "Totals", ParentIndex: 0, Line: 3},
			{Path: []string{"Reporting"}, Name: "Reporting", ParentIndex: -1, Description: "Dashboards and reports", Line: 5},
			{Path: []string{"Reporting", "Charts"}, Name: "Charts", ParentIndex: 2, Implied: true, Line: 4},
			{Path: []string{"Reporting", "Charts", "Bar"}, Name: "Bar", ParentIndex: 3, Line: 4},
		},
		Updated: []UpdatedTag{
			{ID: "bi", Path: []string{"Billing"}, Description: "Plans and invoices", Archived: true, DescriptionChanged: true, ArchivedChanged: true, Line: 6},
		},
		Unchanged: []string{"fo"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("plan\n%+v\nwant\n%+v", p, want)
	}

	// Applying it and planning the same file again changes nothing.
	after := applyImport(t, tr, p)
	again := Plan(after, rows)
	if len(again.New) != 0 || len(again.Updated) != 0 || len(again.Unchanged) != len(rows) {
		t.Fatalf("second import: %+v", again)
	}
	if after.PathString(again.Unchanged[1]) != "Editor › Tables › Pivot › Totals" {
		t.Fatalf("unchanged ids: %v", again.Unchanged)
	}
}

// A file that leaves out description or archived keeps what the tree has; an empty
// cell in a column that is there clears it.
func TestPlanLeavesMissingValues(t *testing.T) {
	tr, err := NewTree([]Tag{{ID: "a", Name: "A", Description: "keep me", Archived: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		csv     string
		changed bool
	}{
		{"path\nA\n", false},
		{"path,archived\nA,yes\n", false},
		{"path,description\nA,  keep me \n", false}, // outer spaces are not a change
		{"path,description\nA,\n", true},
		{"path,archived\nA,\n", true},
	} {
		rows, err := ParseCSV(strings.NewReader(c.csv))
		if err != nil {
			t.Fatal(err)
		}
		p := Plan(tr, rows)
		if (len(p.Updated) == 1) != c.changed || len(p.New) != 0 {
			t.Errorf("%q: %+v", c.csv, p)
		}
	}
	// JSON: a missing key or null leaves the value; a given one replaces it.
	rows, _ := ParseJSON(strings.NewReader(`[{"name": "a", "description": null}]`))
	if p := Plan(tr, rows); len(p.Unchanged) != 1 {
		t.Errorf("json null: %+v", p)
	}
	rows, _ = ParseJSON(strings.NewReader(`[{"name": "a", "archived": false}]`))
	if p := Plan(tr, rows); len(p.Updated) != 1 || p.Updated[0].Archived || p.Updated[0].Description != "keep me" {
		t.Errorf("json archived: %+v", p)
	}
}

// Rows from elsewhere may repeat a path: the last wins, and it is planned once.
func TestPlanRepeatedRows(t *testing.T) {
	rows := []ImportRow{
		{Path: []string{"A", "B"}, Description: "first", HasDescription: true},
		{Path: []string{"a", "b"}, Description: "second", HasDescription: true},
		{},
	}
	p := Plan(mustTree(t, nil), rows)
	if len(p.New) != 2 || p.New[1].Description != "second" || p.New[1].Path[0] != "a" {
		t.Fatalf("%+v", p)
	}
}

func TestRoundTrip(t *testing.T) {
	tags := Sample(700, 42)
	// Descriptions that stress CSV quoting and JSON escaping.
	tags[0].Description = "Commas, \"quotes\" and\nnew lines"
	tags[1].Description = "<b>&amp;</b> › /"
	tags[5].Archived = true
	tr, err := NewTree(tags)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, *Tree) error
		parse func(*bytes.Buffer) ([]ImportRow, error)
	}{
		{"csv", func(b *bytes.Buffer, t *Tree) error { return WriteCSV(b, t) }, func(b *bytes.Buffer) ([]ImportRow, error) { return ParseCSV(b) }},
		{"json", func(b *bytes.Buffer, t *Tree) error { return WriteJSON(b, t) }, func(b *bytes.Buffer) ([]ImportRow, error) { return ParseJSON(b) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := f.write(&out, tr); err != nil {
				t.Fatal(err)
			}
			exported := out.String()
			rows, err := f.parse(&out)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tr.Len() {
				t.Fatalf("%d rows for %d tags", len(rows), tr.Len())
			}
			// Against the same tree: nothing to do.
			if p := Plan(tr, rows); len(p.New) != 0 || len(p.Updated) != 0 || len(p.Unchanged) != tr.Len() {
				t.Fatalf("re-import: %d new, %d updated, %d unchanged", len(p.New), len(p.Updated), len(p.Unchanged))
			}
			// Into an empty workspace: the same taxonomy, and it exports identically.
			fresh := applyImport(t, mustTree(t, nil), Plan(mustTree(t, nil), rows))
			var again bytes.Buffer
			if err := f.write(&again, fresh); err != nil {
				t.Fatal(err)
			}
			if again.String() != exported {
				t.Fatal("export of the re-imported taxonomy differs")
			}
			// Deterministic: writing twice gives the same bytes.
			var twice bytes.Buffer
			f.write(&twice, tr)
			if twice.String() != exported {
				t.Fatal("export is not deterministic")
			}
		})
	}
}

func mustTree(t testing.TB, tags []Tag) *Tree {
	t.Helper()
	tr, err := NewTree(tags)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
