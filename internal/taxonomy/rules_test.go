package taxonomy

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// wantErr fails the test when a rule's check returned got where want was expected
// (errors.Is; nil where the change is allowed), naming the call.
func wantErr(t *testing.T, got, want error, call string, args ...any) {
	t.Helper()
	if !errors.Is(got, want) || (want == nil) != (got == nil) {
		t.Errorf(call+" = %v, want %v", append(args, got, want)...)
	}
}

func TestCheckMove(t *testing.T) {
	tr := build(t, small+"\nfo2 im Formulas\nx2 - Tables")
	cases := []struct {
		id, parent string
		err        error
	}{
		{"fo", "im", ErrDuplicateName}, // Images already has Formulas
		{"tb", "", ErrDuplicateName},   // a root "Tables" exists
		{"ed", "fo", ErrCycle},         // under its own grandchild
		{"ed", "ed", ErrCycle},         // under itself
		{"tb", "tb", ErrCycle},         //
		{"tb", "zz", ErrUnknownParent}, //
		{"zz", "", ErrNotFound},        //
		{"so", "im", nil},              // fine
		{"so", "tb", nil},              // already there: no-op
		{"tb", "rp", nil},              // a whole subtree moves
		{"fo", "", nil},                // to the top level
		{"pdf", "ap", nil},             // out of an archived branch
		{"ap", "pdf", nil},             // into one (the store decides what that means)
	}
	for _, c := range cases {
		wantErr(t, tr.CheckMove(c.id, c.parent), c.err, "CheckMove(%s, %q)", c.id, c.parent)
	}
}

func TestCheckRenameAndCreate(t *testing.T) {
	tr := build(t, small)
	cases := []struct {
		id, name string
		err      error
	}{
		{"fo", "Sorting", ErrDuplicateName}, // sibling "sorting", other case
		{"ed", "REPORTING", ErrDuplicateName},
		{"fo", "formulas", nil}, // only the case changes
		{"fo", "Formulas", nil}, // unchanged
		{"fo", "Images", nil},   // Images is a cousin, not a sibling
		{"fo", "", ErrEmptyName},
		{"fo", "a › b", ErrBadName},
		{"fo", " padded", ErrBadName},
		{"fo", strings.Repeat("y", 101), ErrBadName},
		{"fo", "tab\there", ErrBadName},
		{"zz", "New", ErrNotFound},
	}
	for _, c := range cases {
		wantErr(t, tr.CheckRename(c.id, c.name), c.err, "CheckRename(%s, %q)", c.id, c.name)
	}
	for _, c := range []struct {
		parent, name string
		err          error
	}{
		{"", "editor", ErrDuplicateName},
		{"tb", "FORMULAS", ErrDuplicateName},
		{"tb", "Pivot", nil},
		{"", "Billing", nil},
		{"zz", "X", ErrUnknownParent},
		{"tb", "", ErrEmptyName},
	} {
		wantErr(t, tr.CheckCreate(c.parent, c.name), c.err, "CheckCreate(%q, %q)", c.parent, c.name)
	}
}

func TestCheckMerge(t *testing.T) {
	tr := build(t, small+"\ntb2 tb Tables")
	cases := []struct {
		from, into string
		err        error
	}{
		{"ed", "ed", ErrMergeSelf},
		{"ed", "fo", ErrMergeIntoDescendant},
		{"ed", "tb", ErrMergeIntoDescendant},
		{"zz", "ed", ErrNotFound},
		{"ed", "zz", ErrNotFound},
		{"tb", "ed", ErrDuplicateName}, // Tables › Tables would have to sit beside Tables
		{"tb2", "tb", nil},             // into its parent
		{"fo", "ed", nil},              // into an ancestor further up
		{"rp", "ed", nil},
		{"ex", "ap", nil}, // from an archived tag
	}
	for _, c := range cases {
		wantErr(t, tr.CheckMerge(c.from, c.into), c.err, "CheckMerge(%s, %s)", c.from, c.into)
		if c.err != nil && !reflect.DeepEqual(tr.PlanMerge(c.from, c.into), MergePlan{}) {
			t.Errorf("PlanMerge(%s, %s) of a refused merge is not empty", c.from, c.into)
		}
	}
}

func TestPlanMerge(t *testing.T) {
	// Merge "Docs" into "Editor": Tables exists on both sides (merged, and inside it
	// "formulas" meets "Formulas"), Comments and Pivot exist only in Docs (moved).
	tr := build(t, `
ed - Editor
tb ed Tables
fo tb Formulas
so tb Sorting
im ed Images
dc - Docs
dtb dc TABLES
dfo dtb formulas
dfx dfo Circular refs
dpv dtb Pivot
dcm dc Comments
dmn dcm Mentions
`)
	got := tr.PlanMerge("dc", "ed")
	want := MergePlan{
		From: "dc", Into: "ed",
		Merge:    []MergePair{{"dc", "ed"}, {"dtb", "tb"}, {"dfo", "fo"}},
		Reparent: []Reparent{{"dcm", "ed"}, {"dpv", "tb"}, {"dfx", "fo"}},
		Delete:   []string{"dfo", "dtb", "dc"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PlanMerge =\n%+v\nwant\n%+v", got, want)
	}
	after, moved := applyMerge(t, tr, got)
	var paths []string
	after.Walk(func(tg Tag, _ int) bool { paths = append(paths, after.PathString(tg.ID)); return true })
	wantPaths := []string{
		"Editor", "Editor › Comments", "Editor › Comments › Mentions", "Editor › Images",
		"Editor › Tables", "Editor › Tables › Formulas", "Editor › Tables › Formulas › Circular refs",
		"Editor › Tables › Pivot", "Editor › Tables › Sorting",
	}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Fatalf("after merge:\n%s", strings.Join(paths, "\n"))
	}
	if moved["dfo"] != "fo" || moved["dc"] != "ed" {
		t.Fatalf("feedback re-pointing %v", moved)
	}

	// A leaf merged into a cousin: one pair, nothing to move.
	if p := tr.PlanMerge("so", "im"); !reflect.DeepEqual(p, MergePlan{From: "so", Into: "im", Merge: []MergePair{{"so", "im"}}, Delete: []string{"so"}}) {
		t.Fatalf("leaf merge: %+v", p)
	}
	// Into its own parent: the children move up beside their old siblings.
	p := tr.PlanMerge("dtb", "dc")
	if !reflect.DeepEqual(p.Reparent, []Reparent{{"dfo", "dc"}, {"dpv", "dc"}}) {
		t.Fatalf("merge into parent: %+v", p)
	}
	applyMerge(t, tr, p)
}

// Random merges on a sample taxonomy: every plan the checks allow applies cleanly,
// statement by statement, and leaves exactly from's subtree minus the merged tags.
func TestPlanMergeRandom(t *testing.T) {
	tr, err := NewTree(Sample(300, 7))
	if err != nil {
		t.Fatal(err)
	}
	ids := tr.Children("")
	tr.Walk(func(tg Tag, _ int) bool { ids = append(ids, tg.ID); return true })
	rng := rand.New(rand.NewPCG(1, 2))
	ok := 0
	for range 400 {
		from, into := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
		if tr.CheckMerge(from, into) != nil {
			continue
		}
		ok++
		p := tr.PlanMerge(from, into)
		after, _ := applyMerge(t, tr, p)
		if after.Len() != tr.Len()-len(p.Delete) {
			t.Fatalf("merge %s into %s: %d tags left, want %d", from, into, after.Len(), tr.Len()-len(p.Delete))
		}
		if _, still := after.Get(from); still {
			t.Fatalf("merge %s into %s: from survived", from, into)
		}
	}
	if ok < 100 {
		t.Fatalf("only %d valid merges tried", ok)
	}
}
