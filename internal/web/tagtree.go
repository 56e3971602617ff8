package web

import (
	"context"
	"sort"
	"strings"

	"github.com/closeloop/closeloop/internal/store"
)

// tagTree is the taxonomy as the UI needs it: full paths and a prefix-first search.
// It is deliberately small and self-contained so it can be swapped for
// internal/taxonomy (Tree.PathString, Tree.Search) once that package lands; nothing
// outside this file knows how paths are built or how search ranks.
type tagTree struct {
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

// search finds tags whose path matches every word of q, best first: the tag's own
// name starting with q, then any path segment starting with q, then every word
// starting some segment word, then plain substrings. Ties go to shallower tags, then
// path order. Archived tags (and tags under them) are left out unless asked for.
func (t *tagTree) search(q string, limit int, withArchived bool) []*tagNode {
	q = strings.ToLower(strings.Join(strings.Fields(q), " "))
	if q == "" {
		return nil
	}
	words := strings.Fields(strings.NewReplacer("›", " ", ">", " ", "/", " ").Replace(q))
	var buckets [4][]*tagNode
	for _, n := range t.order {
		if n.Hidden && !withArchived {
			continue
		}
		leaf := n.Segs[len(n.Segs)-1]
		full := strings.Join(n.Segs, " › ")
		switch {
		case strings.HasPrefix(leaf, q):
			buckets[0] = append(buckets[0], n)
		case anyPrefix(n.Segs, q):
			buckets[1] = append(buckets[1], n)
		case allWordPrefix(n.Segs, words):
			buckets[2] = append(buckets[2], n)
		case allContained(full, words):
			buckets[3] = append(buckets[3], n)
		}
	}
	var out []*tagNode
	for _, b := range buckets {
		sort.SliceStable(b, func(i, j int) bool { return b[i].Depth < b[j].Depth })
		out = append(out, b...)
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func anyPrefix(segs []string, q string) bool {
	for _, s := range segs {
		if strings.HasPrefix(s, q) {
			return true
		}
	}
	return false
}

func allWordPrefix(segs []string, words []string) bool {
	for _, w := range words {
		found := false
		for _, s := range segs {
			for _, sw := range strings.Fields(s) {
				if strings.HasPrefix(sw, w) {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func allContained(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return len(words) > 0
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
