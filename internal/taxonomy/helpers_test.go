package taxonomy

import (
	"fmt"
	"strings"
	"testing"
)

// build makes a tree from "id parent name" lines ("-" = no parent; name may have
// spaces), failing the test on error.
func build(t testing.TB, spec string) *Tree {
	t.Helper()
	tr, err := NewTree(parseSpec(spec))
	if err != nil {
		t.Fatalf("NewTree: %v", err)
	}
	return tr
}

func parseSpec(spec string) []Tag {
	var tags []Tag
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.SplitN(strings.TrimSpace(line), " ", 3)
		tg := Tag{ID: f[0], ParentID: f[1], Name: f[2]}
		if tg.ParentID == "-" {
			tg.ParentID = ""
		}
		if n, ok := strings.CutSuffix(tg.Name, " [archived]"); ok {
			tg.Name, tg.Archived = n, true
		}
		tags = append(tags, tg)
	}
	return tags
}

// tagsOf lists a tree's tags in walk order.
func tagsOf(tr *Tree) []Tag {
	var out []Tag
	tr.Walk(func(tg Tag, _ int) bool { out = append(out, tg); return true })
	return out
}

// applyImport does what the store does with an ImportPlan: inserts New with fresh
// ids (parents first, which it checks), applies Updated, and rebuilds the tree.
func applyImport(t testing.TB, tr *Tree, p ImportPlan) *Tree {
	t.Helper()
	tags := tagsOf(tr)
	byID := map[string]int{}
	for i, tg := range tags {
		byID[tg.ID] = i
	}
	ids := make([]string, len(p.New))
	for i, n := range p.New {
		parent := n.ParentID
		if n.ParentIndex >= 0 {
			if n.ParentIndex >= i {
				t.Fatalf("New[%d] %v comes before its parent New[%d]", i, n.Path, n.ParentIndex)
			}
			parent = ids[n.ParentIndex]
		}
		ids[i] = fmt.Sprintf("new_%04d", i+1)
		byID[ids[i]] = len(tags)
		tags = append(tags, Tag{ID: ids[i], ParentID: parent, Name: n.Name, Description: n.Description, Archived: n.Archived})
	}
	for _, u := range p.Updated {
		tg := &tags[byID[u.ID]]
		tg.Description, tg.Archived = u.Description, u.Archived
	}
	out, err := NewTree(tags)
	if err != nil {
		t.Fatalf("tree after import: %v", err)
	}
	return out
}

// applyMerge does what the store does with a MergePlan, checking the unique sibling
// name index and the parent foreign key after every single statement, as SQLite and
// PostgreSQL would. It returns the new tree and where each deleted id's feedback went.
func applyMerge(t testing.TB, tr *Tree, p MergePlan) (*Tree, map[string]string) {
	t.Helper()
	tags := map[string]Tag{}
	for _, tg := range tagsOf(tr) {
		tags[tg.ID] = tg
	}
	check := func(step string) {
		seen := map[string]string{}
		for _, tg := range tags {
			if tg.ParentID != "" {
				if _, ok := tags[tg.ParentID]; !ok {
					t.Fatalf("%s: %s's parent %s is gone", step, tg.ID, tg.ParentID)
				}
			}
			k := tg.ParentID + "\x00" + strings.ToLower(tg.Name)
			if other, dup := seen[k]; dup {
				t.Fatalf("%s: %s and %s are siblings named %q", step, tg.ID, other, tg.Name)
			}
			seen[k] = tg.ID
		}
	}
	moved := map[string]string{}
	for _, m := range p.Merge {
		moved[m.From] = m.Into
	}
	for _, r := range p.Reparent {
		tg := tags[r.ID]
		tg.ParentID = r.NewParentID
		tags[r.ID] = tg
		check("reparent " + r.ID)
	}
	for _, id := range p.Delete {
		delete(tags, id)
		check("delete " + id)
	}
	var list []Tag
	for _, tg := range tagsOf(tr) {
		if n, ok := tags[tg.ID]; ok {
			list = append(list, n)
		}
	}
	out, err := NewTree(list)
	if err != nil {
		t.Fatalf("tree after merge: %v", err)
	}
	return out, moved
}
