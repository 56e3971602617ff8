package suggest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// labelColumns are the header names accepted for the tag column, in order of
// preference.
var labelColumns = []string{"label", "labels", "category", "intent", "tags", "tag"}

// ReadExamplesCSV reads a header-first CSV of tagged texts: the text column
// is named "text" and the tag column "label" or "category" (also accepted:
// labels, intent, tags, tag). Several tags in one field are separated by
// '|'. name is used only in error messages, which have the form
// "name:line:column: problem" so a user can find the fault.
func ReadExamplesCSV(r io.Reader, name string) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked below, with a better message
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1:1: empty file, expected a header row with columns text and label", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	textCol, labelCol := -1, -1
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "text" && textCol < 0 {
			textCol = i
		}
	}
	for _, want := range labelColumns {
		for i, h := range header {
			h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
			if h == want && labelCol < 0 {
				labelCol = i
			}
		}
	}
	if textCol < 0 {
		return nil, fmt.Errorf("%s:1:1: header has no column named \"text\" (found %q)", name, header)
	}
	if labelCol < 0 {
		return nil, fmt.Errorf("%s:1:1: header has no label column (want one of %s; found %q)", name, strings.Join(labelColumns, ", "), header)
	}
	var out []Example
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			if len(rec) == 1 && rec[0] == "" {
				continue // blank line
			}
			return nil, fmt.Errorf("%s:%d:1: row has %d fields, header has %d", name, line, len(rec), len(header))
		}
		var tags []string
		for _, t := range strings.Split(rec[labelCol], "|") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		if len(tags) == 0 {
			l, c := cr.FieldPos(labelCol)
			return nil, fmt.Errorf("%s:%d:%d: empty label", name, l, c)
		}
		if strings.TrimSpace(rec[textCol]) == "" {
			l, c := cr.FieldPos(textCol)
			return nil, fmt.Errorf("%s:%d:%d: empty text", name, l, c)
		}
		out = append(out, Example{Text: rec[textCol], Tags: tags})
	}
}

// csvError rewrites encoding/csv errors as "name:line:column: problem".
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// readExamplesFile reads a CSV file with ReadExamplesCSV.
func readExamplesFile(path string) ([]Example, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadExamplesCSV(bytes.NewReader(b), path)
}
