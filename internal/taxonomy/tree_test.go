package taxonomy

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

const small = `
ed - Editor
tb ed Tables
fo tb Formulas
so tb sorting
im ed Images
rp - reporting
ch rp Charts
ex rp Exports [archived]
pdf ex PDF export
ap - API
`

func TestNewTreeErrors(t *testing.T) {
	long := strings.Repeat("x", 101)
	cases := []struct {
		name  string
		spec  string
		err   error
		id    string
		field string
	}{
		{"unknown parent", "a - A\nb zz B", ErrUnknownParent, "b", "parent_id"},
		{"own parent", "a a A", ErrCycle, "a", "parent_id"},
		{"two-cycle", "a b A\nb a B", ErrCycle, "a", "parent_id"},
		{"three-cycle under a root", "r - R\na c A\nb a B\nc b C", ErrCycle, "a", "parent_id"},
		{"duplicate sibling", "a - A\nb a Name\nc a name", ErrDuplicateName, "c", "name"},
		{"duplicate root", "a - Billing\nb - BILLING", ErrDuplicateName, "b", "name"},
		{"empty name", "a - A\nb a X", ErrEmptyName, "b", "name"},
		{"separator in name", "a - A › B", ErrBadName, "a", "name"},
		{"outer spaces", "a - X", ErrBadName, "a", "name"},
		{"too long", "a - " + long, ErrBadName, "a", "name"},
		{"duplicate id", "a - A\na - B", ErrDuplicateID, "a", "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tags := parseSpec(c.spec)
			if c.name == "empty name" {
				tags[1].Name = "  "
			}
			if c.name == "outer spaces" {
				tags[0].Name = " A"
			}
			_, err := NewTree(tags)
			var re *errs.FieldError
			if !errors.As(err, &re) || !errors.Is(err, c.err) || !strings.HasPrefix(re.Error(), fmt.Sprintf("tag %q: ", c.id)) || re.Field != c.field {
				t.Fatalf("got %v (%#v), want %v on %s.%s", err, re, c.err, c.id, c.field)
			}
		})
	}
	// The same name under different parents is fine, and 100 runes of any script is.
	if _, err := NewTree(parseSpec("a - A\nb - B\nc a Export\nd b export\ne - " + strings.Repeat("é", 100))); err != nil {
		t.Fatal(err)
	}
	if _, err := NewTree(parseSpec("e - " + strings.Repeat("é", 101))); !errors.Is(err, ErrBadName) {
		t.Fatalf("101 runes: %v", err)
	}
	if _, err := NewTree(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := NewTree([]Tag{{ID: "", Name: "A"}}); !errors.Is(err, ErrEmptyID) {
		t.Fatalf("empty id: %v", err)
	}
}

func TestNavigation(t *testing.T) {
	tr := build(t, small)
	eq := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	eq("Len", tr.Len(), 10)
	eq("roots", tr.Children(""), []string{"ap", "ed", "rp"})
	eq("Children(tb)", tr.Children("tb"), []string{"fo", "so"}) // "Formulas" < "sorting", ignoring case
	eq("Children(ed)", tr.Children("ed"), []string{"im", "tb"})
	eq("Children(leaf)", tr.Children("fo"), []string(nil))
	eq("Children(unknown)", tr.Children("zz"), []string(nil))
	eq("Path", tr.Path("fo"), []string{"Editor", "Tables", "Formulas"})
	eq("PathString", tr.PathString("fo"), "Editor › Tables › Formulas")
	eq("PathString unknown", tr.PathString("zz"), "")
	eq("Depth", []int{tr.Depth("ed"), tr.Depth("tb"), tr.Depth("fo"), tr.Depth("zz")}, []int{1, 2, 3, 0})
	eq("Ancestors", tr.Ancestors("fo"), []string{"tb", "ed"})
	eq("Ancestors root", tr.Ancestors("ed"), []string(nil))
	eq("Descendants", tr.Descendants("ed"), []string{"im", "tb", "fo", "so"})
	eq("Descendants leaf", tr.Descendants("fo"), []string(nil))
	eq("IsAncestor", []bool{tr.IsAncestor("ed", "fo"), tr.IsAncestor("tb", "fo"), tr.IsAncestor("fo", "ed"), tr.IsAncestor("fo", "fo"), tr.IsAncestor("", "fo"), tr.IsAncestor("rp", "fo")},
		[]bool{true, true, false, false, false, false})
	eq("IsArchived", []bool{tr.IsArchived("rp"), tr.IsArchived("ex"), tr.IsArchived("pdf")}, []bool{false, true, true})
	g, ok := tr.Get("ex")
	eq("Get", []any{g, ok}, []any{Tag{ID: "ex", ParentID: "rp", Name: "Exports", Archived: true}, true})
	_, ok = tr.Get("zz")
	eq("Get unknown", ok, false)

	var walk []string
	tr.Walk(func(tg Tag, d int) bool {
		walk = append(walk, strings.Repeat(".", d-1)+tg.Name)
		return true
	})
	eq("Walk", walk, []string{"API", "Editor", ".Images", ".Tables", "..Formulas", "..sorting", "reporting", ".Charts", ".Exports", "..PDF export"})
	n := 0
	tr.Walk(func(Tag, int) bool { n++; return n < 3 })
	eq("Walk stops", n, 3)

	for _, c := range []struct {
		path []string
		id   string
		ok   bool
	}{
		{[]string{"editor", "TABLES", "formulas"}, "fo", true},
		{[]string{" Editor ", "Tables"}, "tb", true},
		{[]string{"Reporting"}, "rp", true},
		{[]string{"Editor", "Formulas"}, "", false},
		{[]string{"Tables"}, "", false},
		{nil, "", false},
	} {
		id, ok := tr.FindPath(c.path)
		if id != c.id || ok != c.ok {
			t.Errorf("FindPath(%q) = %q, %v; want %q, %v", c.path, id, ok, c.id, c.ok)
		}
	}
	// Returned slices are copies: changing them does not change the tree.
	tr.Path("fo")[0] = "X"
	tr.Children("")[0] = "X"
	if tr.PathString("fo") != "Editor › Tables › Formulas" || tr.Children("")[0] != "ap" {
		t.Fatal("tree changed through a returned slice")
	}
}
