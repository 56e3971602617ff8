package web

import (
	"context"
	"sort"
	"strings"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// tagTree is the taxonomy as the UI needs it: full paths and a prefix-first search.
// It is deliberately small and self-contained so it can be swapped for
// internal/taxonomy (Tree.PathString, Tree.Search) once that package lands; nothing
// outside this file knows how paths are built or how search ranks.
type tagTree struct {
	tax   *taxonomy.Tree // search and rules; nil only if the stored tags were inconsistent
	byID  map[string]*tagNode
	roots []*tagNode
	order []*tagNode // depth-first, children by name
}

type tagNode struct {
	store.Tag
	Path     string   // "Editor › Tables › Formulas"
	Segs     []string // lower-cased path segments
	Depth    int      // 0 for a top-level tag
	Children []*tagNode
	Hidden   bool // the tag or an ancestor is archived
}

const pathSep = " › "

func newTagTree(tags []store.Tag) *tagTree {
	t := &tagTree{byID: make(map[string]*tagNode, len(tags))}
	tt := make([]taxonomy.Tag, len(tags))
	for i, tg := range tags {
		tt[i] = taxonomy.Tag{ID: tg.ID, ParentID: tg.ParentID, Name: tg.Name, Description: tg.Description, Archived: tg.Archived}
	}
	t.tax, _ = taxonomy.NewTree(tt)
	for _, tg := range tags {
		t.byID[tg.ID] = &tagNode{Tag: tg}
	}
	for _, tg := range tags {
		n := t.byID[tg.ID]
		if p, ok := t.byID[tg.ParentID]; ok && tg.ParentID != "" {
			p.Children = append(p.Children, n)
		} else {
			t.roots = append(t.roots, n)
		}
	}
	byName := func(ns []*tagNode) {
		sort.Slice(ns, func(i, j int) bool {
			a, b := strings.ToLower(ns[i].Name), strings.ToLower(ns[j].Name)
			return a < b || a == b && ns[i].ID < ns[j].ID
		})
	}
	var walk func(ns []*tagNode, parent *tagNode)
	walk = func(ns []*tagNode, parent *tagNode) {
		byName(ns)
		for _, n := range ns {
			n.Path, n.Segs, n.Hidden = n.Name, []string{strings.ToLower(n.Name)}, n.Archived
			if parent != nil {
				n.Path = parent.Path + pathSep + n.Name
				n.Segs = append(append([]string(nil), parent.Segs...), n.Segs[0])
				n.Depth = parent.Depth + 1
				n.Hidden = n.Hidden || parent.Hidden
			}
			t.order = append(t.order, n)
			walk(n.Children, n)
		}
	}
	walk(t.roots, nil)
	return t
}

func (ui *Web) loadTagTree(ctx context.Context) (*tagTree, error) {
	tags, err := ui.Store.ListTags(ctx)
	if err != nil {
		return nil, err
	}
	return newTagTree(tags), nil
}

// path is a tag's full path, or "" for an unknown id.
func (t *tagTree) path(id string) string {
	if n := t.byID[id]; n != nil {
		return n.Path
	}
	return ""
}

// search is the tag type-ahead: taxonomy.Tree's search (every path segment, exact
// and leaf-prefix matches first), mapped to this page tree's nodes.
func (t *tagTree) search(q string, limit int, withArchived bool) []*tagNode {
	if t.tax == nil {
		return nil
	}
	ms := t.tax.SearchWith(q, taxonomy.SearchOptions{Limit: limit, IncludeArchived: withArchived})
	out := make([]*tagNode, 0, len(ms))
	for _, m := range ms {
		if n := t.byID[m.ID]; n != nil {
			out = append(out, n)
		}
	}
	return out
}

// resolve turns what someone typed into one tag: an exact path or a unique best
// match. Otherwise it returns the candidates to choose from (none when nothing
// matches), which is how the forms work without the JavaScript type-ahead.
func (t *tagTree) resolve(text string) (*tagNode, []*tagNode) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	norm := strings.ToLower(strings.Join(strings.Fields(text), " "))
	var sameLeaf []*tagNode
	for _, n := range t.order {
		if n.Hidden {
			continue
		}
		if strings.ToLower(n.Path) == norm {
			return n, nil
		}
		if n.Segs[len(n.Segs)-1] == norm {
			sameLeaf = append(sameLeaf, n)
		}
	}
	if len(sameLeaf) == 1 {
		return sameLeaf[0], nil
	}
	if len(sameLeaf) > 1 {
		return nil, sameLeaf
	}
	hits := t.search(text, 8, false)
	if len(hits) == 1 {
		return hits[0], nil
	}
	return nil, hits
}
