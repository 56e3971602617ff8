// Package taxonomy holds the rules of the hierarchical tag taxonomy that feedback is
// tagged against: an immutable Tree built from the stored tags, the checks the store
// runs before a move, rename or merge, type-ahead search, CSV/JSON import and export,
// count roll-ups and a sample generator. It is pure: the store loads the tags, builds a
// Tree, asks it, and writes.
package taxonomy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/errs"
)

// Separator is shown between path segments ("Editor › Tables › Formulas"). A name may
// not contain its rune, so a displayed path always splits back into the same names.
const Separator = " › "

// sepRune is the separator character itself, forbidden in names.
const sepRune = '›'

// MaxNameLen is the longest name in runes: long enough for any real tag, short enough
// that a three-level path still fits a chip in the UI.
const MaxNameLen = 100

// Tag is one stored tag. ParentID is "" for a top-level tag.
type Tag struct {
	ID, ParentID, Name, Description string
	Archived                        bool
}

// Sentinel errors, wrapped in an *errs.FieldError (see ruleErr) so callers can test with errors.Is and still
// show which tag and field are at fault.
var (
	ErrNotFound            = errors.New("no such tag")
	ErrEmptyID             = errors.New("id is empty")
	ErrDuplicateID         = errors.New("id appears twice")
	ErrUnknownParent       = errors.New("parent does not exist")
	ErrCycle               = errors.New("would make a cycle")
	ErrDuplicateName       = errors.New("a sibling already has this name")
	ErrEmptyName           = errors.New("name is empty")
	ErrBadName             = errors.New("name is not allowed")
	ErrMergeSelf           = errors.New("cannot merge a tag into itself")
	ErrMergeIntoDescendant = errors.New("cannot merge a tag into one of its own descendants")
)

// ruleErr says which tag (id, "" for a new one) and which field broke which rule: an
// *errs.FieldError on field ("id", "name", "parent_id" or "into", matching the store's
// columns and the API's field names) whose text is `tag "id": field: rule (detail)`
// and which wraps reason, one of the Err* sentinels, for errors.Is.
func ruleErr(id, field string, reason error, detail string) error {
	if detail != "" {
		detail = " (" + detail + ")"
	}
	return errs.About(field, fmt.Errorf("tag %q: %s: %w%s", id, field, reason, detail))
}

// node is a tag with everything derived from its position, computed once in NewTree
// so queries never walk the parent chain.
type node struct {
	tag      Tag
	key      string            // fold(tag.Name), computed once for sorting
	children []string          // ids sorted by name, case-insensitively
	byName   map[string]string // fold(child name) -> child id
	depth    int               // 1 for a root
	path     []string          // names, root first
	pathStr  string            // path joined with Separator
	archived bool              // this tag or an ancestor is archived
}

// Tree is an immutable, validated taxonomy. It is safe for concurrent use. The store
// rebuilds it after every write (see BenchmarkNewTree1000 for the cost).
type Tree struct {
	nodes  map[string]*node
	roots  []string
	byName map[string]string // fold(root name) -> root id
	order  []string          // every id in depth-first name order
	search searchIndex
}

// fold is the one case-insensitive key used everywhere (sibling uniqueness, sorting,
// FindPath, import matching), so the rules cannot disagree with each other.
func fold(s string) string { return strings.ToLower(s) }

// CheckName reports why name cannot be a tag name, or nil. Names must already be
// trimmed: imports trim, and a name with outer spaces would not survive a round trip.
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return ErrEmptyName
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: not valid UTF-8", ErrBadName)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: starts or ends with spaces", ErrBadName)
	case strings.ContainsRune(name, sepRune):
		return fmt.Errorf("%w: contains the path separator %q", ErrBadName, string(sepRune))
	case utf8.RuneCountInString(name) > MaxNameLen:
		return fmt.Errorf("%w: longer than %d characters", ErrBadName, MaxNameLen)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: contains a control character", ErrBadName)
		}
	}
	return nil
}

// nameErr wraps a CheckName failure for tag id.
func nameErr(id string, err error) error {
	if errors.Is(err, ErrEmptyName) {
		return ruleErr(id, "name", err, "")
	}
	return ruleErr(id, "name", ErrBadName, strings.TrimPrefix(err.Error(), ErrBadName.Error()+": "))
}

// NewTree validates tags and builds the tree. Errors are *errs.FieldError (ruleErr); checks run in a
// fixed order (ids and names, then parents, then cycles, then sibling names) and scan
// tags in input order, so the same input always reports the same first problem.
func NewTree(tags []Tag) (*Tree, error) {
	t := &Tree{nodes: make(map[string]*node, len(tags)), byName: map[string]string{}}
	for _, tg := range tags {
		if tg.ID == "" {
			return nil, ruleErr(tg.ID, "id", ErrEmptyID, "")
		}
		if _, dup := t.nodes[tg.ID]; dup {
			return nil, ruleErr(tg.ID, "id", ErrDuplicateID, "")
		}
		if err := CheckName(tg.Name); err != nil {
			return nil, nameErr(tg.ID, err)
		}
		t.nodes[tg.ID] = &node{tag: tg, key: fold(tg.Name)}
	}
	for _, tg := range tags {
		if tg.ParentID == "" {
			continue
		}
		if tg.ParentID == tg.ID {
			return nil, ruleErr(tg.ID, "parent_id", ErrCycle, "a tag cannot be its own parent")
		}
		if _, ok := t.nodes[tg.ParentID]; !ok {
			return nil, ruleErr(tg.ID, "parent_id", ErrUnknownParent, fmt.Sprintf("parent %q", tg.ParentID))
		}
	}
	// Cycle check: walk up from each tag; state 1 = on the current walk, 2 = known to
	// reach a root. Each tag is visited a bounded number of times: O(n).
	state := make(map[string]uint8, len(tags))
	for _, tg := range tags {
		var walk []string
		id := tg.ID
		for id != "" && state[id] == 0 {
			state[id] = 1
			walk = append(walk, id)
			id = t.nodes[id].tag.ParentID
		}
		if id != "" && state[id] == 1 {
			return nil, ruleErr(id, "parent_id", ErrCycle, "the parent chain loops back to this tag")
		}
		for _, w := range walk {
			state[w] = 2
		}
	}
	for _, tg := range tags {
		siblings := t.byName
		if tg.ParentID != "" {
			p := t.nodes[tg.ParentID]
			if p.byName == nil {
				p.byName = map[string]string{}
			}
			siblings = p.byName
		}
		k := t.nodes[tg.ID].key
		if other, dup := siblings[k]; dup {
			return nil, ruleErr(tg.ID, "name", ErrDuplicateName, fmt.Sprintf("%q clashes with tag %q", tg.Name, other))
		}
		siblings[k] = tg.ID
		if tg.ParentID == "" {
			t.roots = append(t.roots, tg.ID)
		} else {
			p := t.nodes[tg.ParentID]
			p.children = append(p.children, tg.ID)
		}
	}
	t.sortIDs(t.roots)
	for _, n := range t.nodes {
		t.sortIDs(n.children)
	}
	// Depth-first from the roots fills the derived fields parent before child.
	t.order = make([]string, 0, len(tags))
	var visit func(id string, parent *node)
	visit = func(id string, parent *node) {
		n := t.nodes[id]
		if parent == nil {
			n.depth, n.path, n.archived = 1, []string{n.tag.Name}, n.tag.Archived
		} else {
			n.depth = parent.depth + 1
			n.path = append(append(make([]string, 0, n.depth), parent.path...), n.tag.Name)
			n.archived = parent.archived || n.tag.Archived
		}
		n.pathStr = strings.Join(n.path, Separator)
		t.order = append(t.order, id)
		for _, c := range n.children {
			visit(c, n)
		}
	}
	for _, r := range t.roots {
		visit(r, nil)
	}
	t.search = buildIndex(t)
	return t, nil
}

// sortIDs orders sibling ids by folded name, then exact name, then id; siblings never
// share a folded name, so the tie-breaks only make the order total.
func (t *Tree) sortIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool {
		a, b := t.nodes[ids[i]], t.nodes[ids[j]]
		if a.key != b.key {
			return a.key < b.key
		}
		if a.tag.Name != b.tag.Name {
			return a.tag.Name < b.tag.Name
		}
		return a.tag.ID < b.tag.ID
	})
}

// Len is the number of tags, archived ones included.
func (t *Tree) Len() int { return len(t.nodes) }

// Get returns the tag with id.
func (t *Tree) Get(id string) (Tag, bool) {
	n, ok := t.nodes[id]
	if !ok {
		return Tag{}, false
	}
	return n.tag, true
}

// Children returns the ids of id's children sorted by name, case-insensitively;
// id "" gives the top-level tags. Unknown ids have none.
func (t *Tree) Children(id string) []string {
	if id == "" {
		return append([]string(nil), t.roots...)
	}
	if n, ok := t.nodes[id]; ok {
		return append([]string(nil), n.children...)
	}
	return nil
}

// Path returns the names from the root down to id, or nil for an unknown id.
func (t *Tree) Path(id string) []string {
	if n, ok := t.nodes[id]; ok {
		return append([]string(nil), n.path...)
	}
	return nil
}

// PathString is Path joined with " › ", or "" for an unknown id.
func (t *Tree) PathString(id string) string {
	if n, ok := t.nodes[id]; ok {
		return n.pathStr
	}
	return ""
}

// Depth is 1 for a top-level tag, 0 for an unknown id.
func (t *Tree) Depth(id string) int {
	if n, ok := t.nodes[id]; ok {
		return n.depth
	}
	return 0
}

// IsArchived reports whether id or any of its ancestors is archived: archiving a
// branch retires everything under it from search and suggestions.
func (t *Tree) IsArchived(id string) bool {
	n, ok := t.nodes[id]
	return ok && n.archived
}

// Ancestors returns the ids above id, nearest first.
func (t *Tree) Ancestors(id string) []string {
	n, ok := t.nodes[id]
	if !ok {
		return nil
	}
	var out []string
	for p := n.tag.ParentID; p != ""; p = t.nodes[p].tag.ParentID {
		out = append(out, p)
	}
	return out
}

// Descendants returns the ids below id in depth-first name order, id itself excluded.
func (t *Tree) Descendants(id string) []string {
	n, ok := t.nodes[id]
	if !ok {
		return nil
	}
	var out []string
	var visit func(*node)
	visit = func(n *node) {
		for _, c := range n.children {
			out = append(out, c)
			visit(t.nodes[c])
		}
	}
	visit(n)
	return out
}

// IsAncestor reports whether a is strictly above b.
func (t *Tree) IsAncestor(a, b string) bool {
	nb, ok := t.nodes[b]
	if !ok || a == "" {
		return false
	}
	for p := nb.tag.ParentID; p != ""; p = t.nodes[p].tag.ParentID {
		if p == a {
			return true
		}
	}
	return false
}

// Walk calls fn for every tag, archived ones included, depth-first in name order
// (each parent before its children); fn returns false to stop.
func (t *Tree) Walk(fn func(tag Tag, depth int) bool) {
	for _, id := range t.order {
		n := t.nodes[id]
		if !fn(n.tag, n.depth) {
			return
		}
	}
}

// FindPath returns the id of the tag at path (names root first, compared
// case-insensitively and after trimming spaces).
func (t *Tree) FindPath(path []string) (string, bool) {
	if len(path) == 0 {
		return "", false
	}
	siblings := t.byName
	id := ""
	for _, name := range path {
		c, ok := siblings[fold(strings.TrimSpace(name))]
		if !ok {
			return "", false
		}
		id = c
		siblings = t.nodes[c].byName
	}
	return id, true
}

// siblingNames returns the fold-name index of parent's children ("" = roots).
func (t *Tree) siblingNames(parent string) map[string]string {
	if parent == "" {
		return t.byName
	}
	return t.nodes[parent].byName
}
