package taxonomy

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// MatchKind says why a tag matched a query; results are ordered by it.
type MatchKind int

const (
	// MatchExact: the tag's own name equals the query.
	MatchExact MatchKind = iota
	// MatchLeafPrefix: the tag's own name starts with the query.
	MatchLeafPrefix
	// MatchWordPrefix: every query word starts a word somewhere in the path
	// ("tab form" finds "Editor › Tables › Formulas").
	MatchWordPrefix
	// MatchSubstring: every query word occurs somewhere in the path.
	MatchSubstring
)

// Match is one search result. Path is a fresh copy the caller may keep.
type Match struct {
	ID         string
	Name       string
	Path       []string
	PathString string
	Depth      int
	Kind       MatchKind
	Archived   bool // the tag or an ancestor is archived (only with IncludeArchived)
}

// SearchOptions widen or narrow Search.
type SearchOptions struct {
	Limit           int    // at most this many results; <= 0 means all
	IncludeArchived bool   // also return archived tags and tags under archived ones
	Under           string // only tags strictly below this id ("" = everywhere)
}

// searchIndex holds, per tag, the lower-cased strings a query is tested against,
// precomputed so a query over 1,000 tags is a few thousand strings.HasPrefix and
// strings.Contains calls and no allocation per tag. Entries are sorted by the
// within-kind result order (depth, then path case-insensitively, then id), so a query
// only appends to per-kind buckets and never sorts.
type searchIndex struct {
	entries []indexEntry
}

type indexEntry struct {
	id    string
	node  *node
	leaf  string // normalized lower-case name
	path  string // normalized lower-case segments joined by " "
	words string // " w1 w2 w3" — every word of every segment, each preceded by a space
}

func buildIndex(t *Tree) searchIndex {
	ix := searchIndex{entries: make([]indexEntry, 0, len(t.order))}
	for _, id := range t.order {
		n := t.nodes[id]
		segs := make([]string, len(n.path))
		for i, s := range n.path {
			segs[i] = normalize(s)
		}
		var words strings.Builder
		for _, s := range segs {
			for _, w := range splitWords(s) {
				words.WriteByte(' ')
				words.WriteString(w)
			}
		}
		ix.entries = append(ix.entries, indexEntry{
			id: id, node: n, leaf: segs[len(segs)-1], path: strings.Join(segs, " "), words: words.String(),
		})
	}
	// ids are unique, so this order is total and an unstable sort is deterministic.
	slices.SortFunc(ix.entries, func(a, b indexEntry) int {
		return cmp.Or(cmp.Compare(a.node.depth, b.node.depth), strings.Compare(a.path, b.path), strings.Compare(a.id, b.id))
	})
	return ix
}

// normalize lower-cases s and collapses runs of spaces, so "Pivot  Tables" and
// "pivot tables" compare equal.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// splitWords splits on anything that is not a letter or digit: "API keys (v2)" has
// words "api", "keys", "v2", so "v2" word-prefix-matches.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Search is type-ahead over the tree: up to limit (<= 0: all) non-archived tags whose
// name or path matches query, case-insensitively. Order: exact name, then name
// prefix, then every query word starting a word anywhere in the path, then every
// query word occurring anywhere in the path; within each kind shallower tags first,
// then by path (case-insensitive), then id. Path separators in the query (› > /) are
// treated as spaces, so "editor > tab" works. An empty query matches nothing.
func (t *Tree) Search(query string, limit int) []Match {
	return t.SearchWith(query, SearchOptions{Limit: limit})
}

// SearchWith is Search with options.
func (t *Tree) SearchWith(query string, opt SearchOptions) []Match {
	q := normalize(strings.Map(func(r rune) rune {
		if r == sepRune || r == '>' || r == '/' {
			return ' '
		}
		return r
	}, query))
	if q == "" {
		return nil
	}
	words := strings.Fields(q)
	// " tok" as a substring of indexEntry.words is "tok starts a word". Tokens that
	// are not themselves one word ("c++", "a-b") are split the same way as names.
	var wordToks []string
	for _, w := range words {
		for _, p := range splitWords(w) {
			wordToks = append(wordToks, " "+p)
		}
	}
	var under *node
	if opt.Under != "" {
		var ok bool
		if under, ok = t.nodes[opt.Under]; !ok {
			return nil
		}
	}
	limit := opt.Limit
	var buckets [4][]*indexEntry
	// Entries are visited in within-kind order, so once limit exact matches are in,
	// nothing later can enter the top limit and the scan stops early.
	for i := range t.search.entries {
		e := &t.search.entries[i]
		if e.node.archived && !opt.IncludeArchived {
			continue
		}
		if under != nil && !t.IsAncestor(opt.Under, e.id) {
			continue
		}
		kind := -1
		switch {
		case e.leaf == q:
			kind = int(MatchExact)
		case strings.HasPrefix(e.leaf, q):
			kind = int(MatchLeafPrefix)
		case len(wordToks) > 0 && containsAll(e.words, wordToks):
			kind = int(MatchWordPrefix)
		case containsAll(e.path, words):
			kind = int(MatchSubstring)
		}
		if kind < 0 {
			continue
		}
		buckets[kind] = append(buckets[kind], e)
		if limit > 0 && kind == int(MatchExact) && len(buckets[kind]) >= limit {
			break
		}
	}
	var out []Match
	for kind, b := range buckets {
		for _, e := range b {
			if limit > 0 && len(out) >= limit {
				return out
			}
			n := e.node
			out = append(out, Match{
				ID: e.id, Name: n.tag.Name, Path: append([]string(nil), n.path...), PathString: n.pathStr,
				Depth: n.depth, Kind: MatchKind(kind), Archived: n.archived,
			})
		}
	}
	return out
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
