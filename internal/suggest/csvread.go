package suggest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// textColumns and labelColumns are the header names accepted for the text
// and the tag column, in order of preference: public intent and review data
// sets name them in many ways, and a file should not need editing first.
var (
	textColumns  = []string{"text", "sentence", "utterance", "review", "content", "comment", "body", "message", "query", "question", "feedback"}
	labelColumns = []string{"label", "labels", "category", "intent", "tags", "tag", "class", "topic"}
)

// ReadExamplesCSV reads a header-first CSV of tagged texts: the text column
// is named "text" and the tag column "label" or "category" (also accepted,
// in this order: see textColumns and labelColumns). A file whose header
// line has tabs and no commas is read as tab-separated. Several tags in one
// field are separated by '|'. name is used only in error messages, which
// have the form "name:line:column: problem" so a user can find the fault.
func ReadExamplesCSV(r io.Reader, name string) ([]Example, error) {
	br := bufio.NewReader(r)
	cr := csv.NewReader(br)
	if first, _ := br.Peek(br.Size()); tabSeparated(first) {
		cr.Comma = '\t'
		cr.LazyQuotes = true // TSV files rarely quote; a stray " is text
	}
	cr.FieldsPerRecord = -1 // checked below, with a better message
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1:1: empty file, expected a header row with columns text and label", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	textCol, labelCol := findColumn(header, textColumns), findColumn(header, labelColumns)
	if textCol < 0 {
		return nil, fmt.Errorf("%s:1:1: header has no text column (want one of %s; found %q)", name, strings.Join(textColumns, ", "), header)
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

// findColumn is the index of the first of names (in their order) that is a
// column of header, ignoring case, spaces and a byte-order mark; -1 if none.
func findColumn(header, names []string) int {
	for _, want := range names {
		for i, h := range header {
			if strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) == want {
				return i
			}
		}
	}
	return -1
}

// tabSeparated reports whether the first line of b has a tab and no comma.
func tabSeparated(b []byte) bool {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.IndexByte(b, '\t') >= 0 && bytes.IndexByte(b, ',') < 0
}

// csvError rewrites encoding/csv errors as "name:line:column: problem".
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// readExamplesFile reads a CSV file with ReadExamplesCSV; a file with no
// examples is an error (there is nothing to train on or score).
func readExamplesFile(path string) ([]Example, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ex, err := ReadExamplesCSV(bytes.NewReader(b), path)
	if err == nil && len(ex) == 0 {
		err = fmt.Errorf("%s: no examples after the header", path)
	}
	return ex, err
}

// readEvalFiles reads the examples an eval command learns from (or indexes)
// and those it scores: heldPath's, or with heldPath empty and dev > 0 a
// stratified dev fraction of path's (none when neither is given).
func readEvalFiles(path, heldPath string, dev float64) (fit, held []Example, err error) {
	if fit, err = readExamplesFile(path); err != nil {
		return nil, nil, err
	}
	switch {
	case heldPath != "":
		held, err = readExamplesFile(heldPath)
	case dev > 0:
		if fit, held = devSplit(fit, dev); len(held) == 0 {
			err = fmt.Errorf("--dev %g: no tag in %s has enough examples to hold any out", dev, path)
		}
	}
	return fit, held, err
}
