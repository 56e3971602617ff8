package taxonomy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSV columns. path is required; the others are optional.
const (
	colPath        = "path"
	colDescription = "description"
	colArchived    = "archived"
)

// ParseCSV reads a taxonomy CSV: a header row naming the columns path (required),
// description and archived (optional; true/false/yes/no, empty = false), in any
// order and case. A path is its names from the root down, separated by " › ",
// " > " or "/" (spaces around segments are trimmed). Which separator applies:
// if any path in the file contains "›" — as every export does — only "›" separates,
// so names like "CI/CD" survive; otherwise each path is split on ">" if it has one,
// else on "/".
//
// The whole file is checked first: the first problem is returned as *Error with its
// line and column, and no rows. Parents may be left implicit (a row "A › B › C" is
// enough to create A and A › B); naming the same path twice is an error.
func ParseCSV(r io.Reader) ([]ImportRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // ragged rows are reported below, with their line
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Line: 1, Msg: "the file is empty; the first line must name the columns (path, description, archived)"}
	}
	if err != nil {
		return nil, csvErr(err)
	}
	index := map[string]int{}
	cols := make([]string, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // Excel's byte-order mark
		}
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case colPath, colDescription, colArchived:
		case "":
			return nil, &Error{Line: 1, Msg: fmt.Sprintf("column %d has no name", i+1)}
		default:
			return nil, &Error{Line: 1, Column: clip(h), Msg: "unknown column (known: path, description, archived)"}
		}
		if _, dup := index[h]; dup {
			return nil, &Error{Line: 1, Column: h, Msg: "column appears twice"}
		}
		index[h] = i
		cols[i] = h
	}
	pathCol, ok := index[colPath]
	if !ok {
		return nil, &Error{Line: 1, Column: colPath, Msg: "required column is missing"}
	}
	descCol, hasDesc := index[colDescription]
	archCol, hasArch := index[colArchived]

	type rec struct {
		cells []string
		lines []int // source line of each cell (quoted cells may span lines)
	}
	var recs []rec
	arrow := false
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if blank(cells) {
			continue
		}
		if len(cells) != len(cols) {
			return nil, &Error{Line: line, Msg: fmt.Sprintf("has %d fields, the header has %d", len(cells), len(cols))}
		}
		if len(recs) >= MaxImportTags {
			return nil, &Error{Line: line, Msg: fmt.Sprintf("more than %d tags; split the file", MaxImportTags)}
		}
		lines := make([]int, len(cells))
		for i := range cells {
			lines[i], _ = cr.FieldPos(i)
		}
		arrow = arrow || strings.ContainsRune(cells[pathCol], sepRune)
		recs = append(recs, rec{cells, lines})
	}

	rows := make([]ImportRow, 0, len(recs))
	seen := map[string]int{}
	for _, rc := range recs {
		line := rc.lines[pathCol]
		fail := func(col int, format string, args ...any) error {
			return &Error{Line: rc.lines[col], Column: cols[col], Msg: fmt.Sprintf(format, args...)}
		}
		raw := strings.TrimSpace(rc.cells[pathCol])
		if raw == "" {
			return nil, fail(pathCol, "is required")
		}
		path := splitPath(raw, arrow)
		for i, name := range path {
			if msg := segmentMsg(i+1, name); msg != "" {
				return nil, fail(pathCol, "%s", msg)
			}
		}
		k := pathKey(path)
		if first, dup := seen[k]; dup {
			return nil, fail(pathCol, "%q is also on line %d", clip(strings.Join(path, Separator)), first)
		}
		seen[k] = line
		row := ImportRow{Path: path, Line: line, HasDescription: hasDesc, HasArchived: hasArch}
		if hasDesc {
			row.Description = strings.TrimSpace(rc.cells[descCol])
		}
		if hasArch {
			switch strings.ToLower(strings.TrimSpace(rc.cells[archCol])) {
			case "", "false", "no":
			case "true", "yes":
				row.Archived = true
			default:
				return nil, fail(archCol, "%q is not true, false, yes or no", clip(rc.cells[archCol]))
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// splitPath splits a path cell into trimmed names (see ParseCSV for the rule).
func splitPath(s string, arrow bool) []string {
	sep := "/"
	switch {
	case arrow:
		sep = string(sepRune)
	case strings.Contains(s, ">"):
		sep = ">"
	}
	parts := strings.Split(s, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvErr turns encoding/csv's syntax errors into *Error, keeping the line.
func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Line: pe.Line, Msg: fmt.Sprintf("character %d: %v", pe.Column, pe.Err)}
	}
	return &Error{Msg: err.Error()}
}

// WriteCSV exports every tag, archived ones included, one row per tag in depth-first
// name order (parents before children), with columns path, description, archived.
// Paths use " › ", so ParseCSV reads them back exactly; the one exception is a tree
// with no nested tags at all whose names contain "/" or ">" (nothing in the file then
// says "›" is the separator) — export JSON for those.
func WriteCSV(w io.Writer, t *Tree) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{colPath, colDescription, colArchived}); err != nil {
		return err
	}
	var err error
	t.Walk(func(tag Tag, _ int) bool {
		err = cw.Write([]string{t.PathString(tag.ID), tag.Description, fmt.Sprint(tag.Archived)})
		return err == nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
