package taxonomy

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// checkImport is the property both fuzz targets share: a parse either fails with a
// *Error and no rows, or gives rows whose plan builds a valid tree, and planning the
// same rows against that tree changes nothing.
func checkImport(t *testing.T, rows []ImportRow, err error) {
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || rows != nil {
			t.Fatalf("error %T %v with %d rows", err, err, len(rows))
		}
		return
	}
	for _, r := range rows {
		for _, name := range r.Path {
			if CheckName(name) != nil {
				t.Fatalf("row %+v has a bad name %q", r, name)
			}
		}
	}
	tr := applyImport(t, mustTree(t, nil), Plan(mustTree(t, nil), rows))
	if p := Plan(tr, rows); len(p.New)+len(p.Updated) != 0 {
		t.Fatalf("second plan not empty: %+v", p)
	}
}

func FuzzParseCSV(f *testing.F) {
	var sample bytes.Buffer
	WriteCSV(&sample, mustTree(f, Sample(40, 1)))
	for _, s := range []string{
		sample.String(),
		"path,description,archived\nA › B,\"x, y\",yes\nA > C,,no\n",
		"path\nA/B/C\nA/B\n",
		"\ufeffPATH\n\"A\n›B\"\n",
		"path,archived\nA,maybe\n",
		"description\nx\n",
		"path\n A ›  › B\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseCSV(strings.NewReader(in))
		checkImport(t, rows, err)
	})
}

func FuzzParseJSON(f *testing.F) {
	var sample bytes.Buffer
	WriteJSON(&sample, mustTree(f, Sample(40, 1)))
	for _, s := range []string{
		sample.String(),
		`[{"name":"A","children":[{"name":"B","archived":true,"description":"d"}]}]`,
		`[{"name":"A"},{"name":"a"}]`,
		`[{"name":"A","children":null,"description":null}]`,
		`{"name":"A"}`,
		`[{"name":"A","x":1}]`,
		`[`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseJSON(strings.NewReader(in))
		checkImport(t, rows, err)
	})
}
