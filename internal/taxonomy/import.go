package taxonomy

import (
	"errors"
	"fmt"
	"strings"
)

// ImportRow is one tag named by an import file. Parents of Path that no row names are
// implied and created bare by Plan.
type ImportRow struct {
	Path        []string // names, root first, trimmed and valid (CheckName)
	Description string
	Archived    bool
	Line        int // CSV source line (1 = header); 0 for JSON
	// HasDescription and HasArchived say whether the file gave the value at all (the
	// CSV column exists / the JSON key is present and not null). Plan leaves a value
	// it was not given as it is, so a paths-only file never wipes descriptions.
	HasDescription, HasArchived bool
}

// Error is an import problem. For CSV, Line is the source line (1 = header) and
// Column the column name ("" when the line as a whole is at fault). For JSON, Line is
// 0 and Column is the path to the value, such as "[3].children[0].name" ("" for the
// document as a whole).
type Error struct {
	Line   int
	Column string
	Msg    string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column != "":
		return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.Column != "":
		return e.Column + ": " + e.Msg
	}
	return e.Msg
}

// MaxImportTags bounds one import so a mistaken huge file fails fast rather than
// building a taxonomy nobody can navigate.
const MaxImportTags = 100_000

// segmentMsg explains why a path segment (1-based position i) is not a valid name.
func segmentMsg(i int, name string) string {
	err := CheckName(name)
	if err == nil {
		return ""
	}
	if errors.Is(err, ErrEmptyName) {
		return fmt.Sprintf("segment %d of the path is empty", i)
	}
	return fmt.Sprintf("segment %d of the path (%q): %s", i, clip(name), strings.TrimPrefix(err.Error(), ErrBadName.Error()+": "))
}

// clip keeps error messages short when a name is absurdly long.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// pathKey is the case-insensitive identity of a path, for duplicate detection and
// matching against the tree. "\x00" cannot occur in a valid name.
func pathKey(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fold(p)
	}
	return strings.Join(parts, "\x00")
}
