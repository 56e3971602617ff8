// Package csvio reads and writes accounts, people and feedback as CSV. Imports are all
// or nothing: the whole file is parsed and checked before anything is written, and the
// first problem is reported with its line and column. Exports use the same columns,
// so an export imports back unchanged.
package csvio

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
)

// Error points at the line (1 = header) and column at fault.
type Error struct {
	Line   int
	Column string
	Msg    string
}

func (e *Error) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Msg)
}

// MaxRows bounds one import so a mistaken multi-gigabyte file fails fast.
const MaxRows = 1_000_000

// rowFail reports what is wrong with a cell (col; "" for the row as a whole) of the
// row being read, naming its line.
type rowFail func(col, format string, args ...any) error

// field reports a refusal by the domain's own check of the row: one that names a
// field (*errs.FieldError) is about the column of that name.
func (fail rowFail) field(err error) error {
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		return fail(fe.Field, "%s", fe.Msg)
	}
	return err
}

// parseRows reads every row of t with row, which is given the row's index and a
// rowFail for its line, and returns the rows read with the source line of each; the
// first row refused refuses the whole file.
func parseRows[T any](t *table, row func(i int, fail rowFail) (T, error)) (out []T, lines []int, err error) {
	for i := range t.rows {
		line := t.lines[i]
		v, err := row(i, func(col, format string, args ...any) error {
			return &Error{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
		})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, v)
		lines = append(lines, line)
	}
	return out, lines, nil
}

// fromRowError maps a store error on batch item i back to the file's line and column.
func fromRowError(err error, lines []int, colOf func(field string) string) error {
	var ie *errs.ItemError
	var fe *errs.FieldError
	if !errors.As(err, &ie) || ie.Index >= len(lines) || !errors.As(ie.Err, &fe) {
		return err
	}
	return &Error{Line: lines[ie.Index], Column: colOf(fe.Field), Msg: fe.Msg}
}

// importRows parses r with parse and saves every row with save in one call (one
// transaction): a file without rows is refused, and a row the store refuses is named
// by its line and column (colOf: the file's column of a store field).
func importRows[T, R any](ctx context.Context, r io.Reader, parse func(io.Reader) ([]T, []int, error), save func(context.Context, []T) (R, error), colOf func(field string) string) (R, error) {
	rows, lines, err := parse(r)
	if err != nil {
		var none R
		return none, err
	}
	if len(rows) == 0 {
		var none R
		return none, &Error{Line: 2, Msg: "no rows to import"}
	}
	res, err := save(ctx, rows)
	if err != nil {
		return res, fromRowError(err, lines, colOf)
	}
	return res, nil
}

// table is a parsed CSV: a header and rows with their source line numbers.
type table struct {
	cols  []string
	index map[string]int
	rows  [][]string
	lines []int
}

// readTable parses r and checks the header against known columns. Columns named
// "traits.<key>" are allowed when traits is true.
func readTable(r io.Reader, known map[string]bool, required []string, traits bool) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // we report ragged rows ourselves, with the line
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Line: 1, Msg: "the file is empty; the first line must name the columns"}
	}
	if err != nil {
		return nil, csvErr(err)
	}
	t := &table{index: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" {
			return nil, &Error{Line: 1, Column: fmt.Sprintf("#%d", i+1), Msg: "empty column name"}
		}
		if !known[h] && !(traits && strings.HasPrefix(h, "traits.") && len(h) > len("traits.")) {
			return nil, &Error{Line: 1, Column: h, Msg: fmt.Sprintf("unknown column %q (known: %s)", h, knownList(known, traits))}
		}
		if _, dup := t.index[h]; dup {
			return nil, &Error{Line: 1, Column: h, Msg: "column appears twice"}
		}
		t.index[h] = i
		t.cols = append(t.cols, h)
	}
	for _, req := range required {
		if _, ok := t.index[req]; !ok {
			return nil, &Error{Line: 1, Column: req, Msg: "required column is missing"}
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(t.cols) > 1 {
			continue // blank line
		}
		if len(rec) != len(t.cols) {
			return nil, &Error{Line: line, Msg: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(t.cols))}
		}
		if len(t.rows) >= MaxRows {
			return nil, &Error{Line: line, Msg: fmt.Sprintf("more than %d rows; split the file", MaxRows)}
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Line: pe.Line, Msg: fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return err
}

func knownList(known map[string]bool, traits bool) string {
	var ks []string
	for _, c := range accountColumns {
		if known[c] {
			ks = append(ks, c)
		}
	}
	for _, c := range personColumns {
		if known[c] && !slices.Contains(ks, c) {
			ks = append(ks, c)
		}
	}
	if traits {
		ks = append(ks, "traits.<name>")
	}
	return strings.Join(ks, ", ")
}

// cell returns the trimmed value of column col in row i, and whether the column exists
// and the cell is non-empty. Empty cells leave a field unchanged.
func (t *table) cell(i int, col string) (string, bool) {
	j, ok := t.index[col]
	if !ok {
		return "", false
	}
	v := strings.TrimSpace(restore(t.rows[i][j]))
	return v, v != ""
}

// traits collects row i's non-empty traits.<name> cells as a JSON object of strings,
// or nil when there are none (so existing traits are left as they are).
func (t *table) traits(i int) *json.RawMessage {
	traits := map[string]string{}
	for _, col := range t.cols {
		if name, ok := strings.CutPrefix(col, "traits."); ok {
			if v, ok := t.cell(i, col); ok {
				traits[name] = v
			}
		}
	}
	if len(traits) == 0 {
		return nil
	}
	raw, _ := json.Marshal(traits)
	rm := json.RawMessage(raw)
	return &rm
}

func set(m map[string]bool, cols []string) map[string]bool {
	for _, c := range cols {
		m[c] = true
	}
	return m
}
