package csvio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// feedbackWorld fills s with accounts, a three-level taxonomy, requests and feedback
// from several channels, and returns the items in capture order.
func feedbackWorld(t *testing.T, s *store.Store) []feedback.Item {
	t.Helper()
	ctx := context.Background()
	for _, a := range []account.Account{{ExternalID: "acme", Name: "Acme, Inc.", Domain: "acme.com"}, {ExternalID: "globex", Name: "Globex", Domain: "globex.com"}} {
		mustAccount(t, s, a)
	}
	mk := storetest.Tags(t, s)
	editor := mk("Editor", "")
	tables := mk("Tables", editor)
	formulas := mk("Formulas", tables)
	billing := mk("Billing", "")
	sso := feedback.Request{Title: "SSO"}
	storetest.Must(t, s.CreateRequest(ctx, &sso))
	day := func(d int) time.Time { return time.Date(2026, 1, d, 10, 30, 15, 250e6, time.UTC) }
	var items []feedback.Item
	for _, c := range []feedback.Capture{
		{Text: "Formulas break when a column is renamed.\nEvery month, \"again\".", Quote: "Formulas break", Source: feedback.SourceEmail,
			Email: "ann@acme.com", Name: "Ann Archer", Kind: feedback.Bug, OccurredAt: day(1), TagIDs: []string{formulas, billing}, RequestIDs: []string{sso.ID}},
		{Text: "Invoices in euros, please", Source: feedback.SourceZendesk, ExternalID: "ZD-7", ExternalURL: "https://acme.zendesk.com/tickets/7",
			PersonExternalID: "crm-9", Name: "Nora", AccountExternalID: "globex", Kind: feedback.Pricing, OccurredAt: day(2), TagIDs: []string{billing}},
		{Text: "Anonymous: tables are slow — 日本語 too", Source: feedback.SourceSurvey, OccurredAt: day(3), TagIDs: []string{tables}},
		{Text: "Love the roadmap", Source: feedback.SourcePortal, Email: "bob@globex.com", Kind: feedback.Praise, OccurredAt: day(4)},
		{Text: "Second word from Ann", Source: feedback.SourceCall, Email: "ann@acme.com", OccurredAt: day(5), RequestIDs: []string{sso.ID}},
	} {
		it, _, err := s.Capture(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	archived := feedback.Archived
	if err := s.Triage(ctx, items[3].ID, nil, &archived); err != nil {
		t.Fatal(err)
	}
	return items
}

func readCSV(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], csvio.FeedbackExportColumns) {
		t.Fatalf("header %v", recs[0])
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, col := range recs[0] {
			m[col] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func TestExportFeedbackRoundTrip(t *testing.T) {
	defer csvio.SetExportPageSize(2)()
	storetest.Each(t, func(t *testing.T, a *store.Store) {
		ctx := context.Background()
		items := feedbackWorld(t, a)
		var out bytes.Buffer
		n, err := csvio.ExportFeedback(ctx, a, &out)
		if err != nil || n != len(items) {
			t.Fatalf("export: %d %v", n, err)
		}
		rows := readCSV(t, out.Bytes())
		if len(rows) != len(items) {
			t.Fatalf("%d rows", len(rows))
		}
		for i, r := range rows {
			if r["id"] != items[i].ID {
				t.Fatalf("row %d is %s, want %s (oldest first)", i, r["id"], items[i].ID)
			}
		}
		want := map[string]string{"occurred_at": "2026-01-01T10:30:15.25Z", "source": "email", "kind": "bug", "status": "triaged",
			"account_external_id": "acme", "account_name": "Acme, Inc.", "email": "ann@acme.com", "name": "Ann Archer", "person_external_id": "",
			"text": "Formulas break when a column is renamed.\nEvery month, \"again\".", "quote": "Formulas break",
			"tags": "Billing|Editor › Tables › Formulas", "request_ids": items[0].RequestIDs[0]}
		for col, v := range want {
			if got := rows[0][col]; got != v && !(col == "tags" && got == "Editor › Tables › Formulas|Billing") {
				t.Errorf("row 0 %s = %q, want %q", col, got, v)
			}
		}
		if r := rows[1]; r["external_id"] != "ZD-7" || r["external_url"] != "https://acme.zendesk.com/tickets/7" || r["person_external_id"] != "crm-9" ||
			r["account_external_id"] != "globex" || r["kind"] != "pricing" || r["tags"] != "Billing" || r["request_ids"] != "" {
			t.Errorf("row 1: %v", r)
		}
		if r := rows[2]; r["account_external_id"] != "" || r["email"] != "" || r["tags"] != "Editor › Tables" || r["status"] != "triaged" {
			t.Errorf("row 2: %v", r)
		}
		if r := rows[3]; r["status"] != "archived" || r["account_name"] != "Globex" {
			t.Errorf("row 3: %v", r)
		}

		// Importing the export where it came from adds nothing.
		created, dups, err := csvio.ImportFeedback(ctx, a, bytes.NewReader(out.Bytes()))
		if err != nil || created != 0 || dups != len(items) {
			t.Fatalf("re-import into the source: %d created, %d duplicates, %v", created, dups, err)
		}

		// Into a fresh install with the same accounts and taxonomy (exported and
		// imported too), every item comes back the same.
		b := storetest.Open(t, a.Dialect())
		var acc, tags bytes.Buffer
		if _, err := csvio.ExportAccounts(ctx, a, &acc); err != nil {
			t.Fatal(err)
		}
		if _, err := csvio.ImportAccounts(ctx, b, &acc); err != nil {
			t.Fatal(err)
		}
		tree, err := a.TagTree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		taxonomy.WriteCSV(&tags, tree)
		trows, err := taxonomy.ParseCSV(&tags)
		if err != nil {
			t.Fatal(err)
		}
		btree, err := b.TagTree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.ImportTaxonomy(ctx, taxonomy.Plan(btree, trows)); err != nil {
			t.Fatal(err)
		}
		created, dups, err = csvio.ImportFeedback(ctx, b, bytes.NewReader(out.Bytes()))
		if err != nil || created != len(items) || dups != 0 {
			t.Fatalf("import into a fresh install: %d created, %d duplicates, %v", created, dups, err)
		}
		var again bytes.Buffer
		if _, err := csvio.ExportFeedback(ctx, b, &again); err != nil {
			t.Fatal(err)
		}
		rows2 := readCSV(t, again.Bytes())
		if len(rows2) != len(rows) {
			t.Fatalf("%d rows after the round trip", len(rows2))
		}
		// What an import cannot carry: the ids (new install, new ids), the links to
		// requests (not there) and the status (a capture is new, or triaged when tagged).
		wantStatus := []string{"triaged", "triaged", "triaged", "new", "new"}
		for i := range rows {
			if rows2[i]["status"] != wantStatus[i] {
				t.Errorf("row %d status after the round trip: %s", i, rows2[i]["status"])
			}
			for _, col := range []string{"id", "status", "request_ids"} {
				delete(rows[i], col)
				delete(rows2[i], col)
			}
			for col, v := range rows[i] {
				if col == "tags" {
					x, y := strings.Split(v, "|"), strings.Split(rows2[i][col], "|")
					slices.Sort(x)
					slices.Sort(y)
					if slices.Equal(x, y) {
						continue
					}
				}
				if rows2[i][col] != v {
					t.Errorf("row %d %s: %q after the round trip, was %q", i, col, rows2[i][col], v)
				}
			}
		}
		// And importing the same export there again adds nothing.
		if created, _, err := csvio.ImportFeedback(ctx, b, bytes.NewReader(out.Bytes())); err != nil || created != 0 {
			t.Fatalf("second import into the fresh install: %d created, %v", created, err)
		}
	})
}

// failWriter accepts limit bytes, then fails.
type failWriter struct{ n, limit int }

var errFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, errFull
	}
	w.n += len(p)
	return len(p), nil
}

// TestExportFeedbackStreams: rows leave for the writer page by page, and a failing
// writer stops the export at once instead of after reading everything.
func TestExportFeedbackStreams(t *testing.T) {
	defer csvio.SetExportPageSize(2)()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		items := feedbackWorld(t, s)
		n, err := csvio.ExportFeedback(context.Background(), s, &failWriter{limit: 0})
		if !errors.Is(err, errFull) || n != 2 || len(items) != 5 {
			t.Fatalf("export to a full disk: wrote %d rows of %d, err %v", n, len(items), err)
		}
	})
}

// A tag whose name holds "|" cannot be written as a path in the tags column: its id
// is written instead, which imports back into the same install.
func TestExportFeedbackPipeInTagName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tg := store.Tag{Name: "Import | Export"}
		if err := s.CreateTag(ctx, &tg); err != nil {
			t.Fatal(err)
		}
		storetest.Capture(t, s, feedback.Capture{Text: "CSV please", Source: feedback.SourceAPI, TagIDs: []string{tg.ID}})
		var out bytes.Buffer
		if _, err := csvio.ExportFeedback(ctx, s, &out); err != nil {
			t.Fatal(err)
		}
		if r := readCSV(t, out.Bytes())[0]; r["tags"] != tg.ID {
			t.Fatalf("tags cell %q", r["tags"])
		}
		// Without the id column (a copy someone edited), the row is new and its tag
		// resolves by id.
		recs, _ := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
		var edited bytes.Buffer
		cw := csv.NewWriter(&edited)
		for _, r := range recs {
			cw.Write(r[1:]) // id is the first column
		}
		cw.Flush()
		created, _, err := csvio.ImportFeedback(ctx, s, &edited)
		if err != nil || created != 1 {
			t.Fatalf("import of the edited copy: %d %v", created, err)
		}
		if items, _, _ := s.ListFeedback(ctx, store.FeedbackFilter{TagID: tg.ID}); len(items) != 2 {
			t.Fatalf("%d items under the tag", len(items))
		}
	})
}
