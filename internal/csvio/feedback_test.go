package csvio_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

const goodFeedback = `text,quote,source,kind,email,name,account_external_id,external_id,occurred_at,tags
"Tables need frozen headers, badly.",,,feature_request,ann@acme.com,Ann Lee,,,2025-03-01,Editor › Tables
Formulas break on paste,Formulas break,zendesk,Bug,,,acme,ZD-100,2025-03-02T10:00:00Z,editor›tables›formulas | Reporting
"We left for a tool with SSO.",,,churn reason,cfo@globex.com,,,,,
`

func TestImportFeedbackAllOrNothing(t *testing.T) {
	bad := []badFile{
		{"unknown column", strings.Replace(goodFeedback, ",tags\n", ",labels\n", 1), 1, "labels"},
		{"missing text column", strings.Replace(goodFeedback, "text,quote", "body,quote", 1), 1, "body"},
		{"bad kind", strings.Replace(goodFeedback, "churn reason", "rant", 1), 4, "kind"},
		{"bad source", strings.Replace(goodFeedback, "zendesk", "fax", 1), 3, "source"},
		{"unknown tag path", strings.Replace(goodFeedback, "Editor › Tables\n", "Editor › Grids\n", 1), 2, "tags"},
		{"bad date", strings.Replace(goodFeedback, "2025-03-01", "01/03/2025", 1), 2, "occurred_at"},
		{"bad email", strings.Replace(goodFeedback, "cfo@globex.com", "cfo at globex", 1), 4, "email"},
		{"empty text", strings.Replace(goodFeedback, `"We left for a tool with SSO."`, `"  "`, 1), 4, "text"},
		{"unknown account (checked by the store)", strings.Replace(goodFeedback, ",acme,", ",nope,", 1), 3, "account_external_id"},
		{"ragged row", strings.Replace(goodFeedback, ",Editor › Tables\n", "\n", 1), 2, ""},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := mustAccount(t, s, account.Account{ExternalID: "acme", Name: "Acme", Domain: "acme.com"})
		mk := storetest.Tags(t, s)
		editor := mk("Editor", "")
		tables := mk("Tables", editor)
		formulas := mk("Formulas", tables)
		reporting := mk("Reporting", "")

		wantRefused(t, bad, func(r io.Reader) error {
			_, _, err := csvio.ImportFeedback(ctx, s, r)
			return err
		}, func() int {
			n, _ := s.CountFeedback(ctx, "")
			return n
		}, "items")
		// The unknown-column message lists the feedback columns, not the accounts ones.
		_, _, err := csvio.ImportFeedback(ctx, s, strings.NewReader("text,seats\nx,1\n"))
		if err == nil || !strings.Contains(err.Error(), "person_external_id") || strings.Contains(err.Error(), "company_size") {
			t.Errorf("unknown column message: %v", err)
		}

		created, dups, err := csvio.ImportFeedback(ctx, s, strings.NewReader(goodFeedback))
		if err != nil || created != 3 || dups != 0 {
			t.Fatalf("good file: %d created, %d duplicates, %v", created, dups, err)
		}
		items := listFeedback(t, s, store.FeedbackFilter{Source: feedback.SourceCSV})
		if len(items) != 2 {
			t.Fatalf("csv items: %d, want 2 (one row names zendesk)", len(items))
		}
		zd := listFeedback(t, s, store.FeedbackFilter{Source: feedback.SourceZendesk})
		if len(zd) != 1 {
			t.Fatalf("zendesk items: %+v", zd)
		}
		it, err := s.GetFeedback(ctx, zd[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind != feedback.Bug || it.AccountID != acme.ID || it.Quote != "Formulas break" || it.ExternalID != "ZD-100" ||
			len(it.TagIDs) != 2 || it.Status != feedback.Triaged || it.OccurredAt.Format("2006-01-02T15") != "2025-03-02T10" {
			t.Fatalf("zendesk row imported as %+v", it)
		}
		for _, tg := range it.TagIDs {
			if tg != formulas && tg != reporting {
				t.Fatalf("tags %v, want formulas and reporting", it.TagIDs)
			}
		}
		// The sender with an acme.com address is attached to Acme by domain.
		ann := listFeedback(t, s, store.FeedbackFilter{AccountID: acme.ID})
		if len(ann) != 2 {
			t.Fatalf("acme items: %d, want 2", len(ann))
		}
		churn := listFeedback(t, s, store.FeedbackFilter{Kind: feedback.ChurnReason})
		if len(churn) != 1 || churn[0].AccountID != "" || churn[0].PersonID == "" {
			t.Fatalf("churn row: %+v", churn)
		}

		// Twice: nothing new, every row a duplicate — with or without external ids,
		// and whatever the column order.
		created, dups, err = csvio.ImportFeedback(ctx, s, strings.NewReader(goodFeedback))
		if err != nil || created != 0 || dups != 3 {
			t.Fatalf("second import: %d created, %d duplicates, %v", created, dups, err)
		}
		reordered := "tags,text\nEditor › Tables,Export to PDF\n"
		if c, _, err := csvio.ImportFeedback(ctx, s, strings.NewReader(reordered)); err != nil || c != 1 {
			t.Fatalf("new row: %d %v", c, err)
		}
		if c, d, err := csvio.ImportFeedback(ctx, s, strings.NewReader("text,tags,kind\n Export to PDF ,"+tables+",\n")); err != nil || c != 0 || d != 1 {
			t.Fatalf("same row, other column order and a tag id: %d created, %d duplicates, %v", c, d, err)
		}
		if n, _ := s.CountFeedback(ctx, ""); n != 4 {
			t.Fatalf("%d items, want 4", n)
		}
		// A merged tag's id still resolves, to the tag it went into.
		if err := s.MergeTag(ctx, reporting, editor); err != nil {
			t.Fatal(err)
		}
		if c, _, err := csvio.ImportFeedback(ctx, s, strings.NewReader("text,tags\nCharts please,"+reporting+"\n")); err != nil || c != 1 {
			t.Fatalf("merged tag id: %d %v", c, err)
		}
		if _, _, err := csvio.ImportFeedback(ctx, s, strings.NewReader("text\n")); err == nil {
			t.Fatal("a file without rows imported")
		}
	})
}

// FuzzParseFeedback: the parser never panics, fails only with a *csvio.Error that
// points at a line, and every row it accepts is a valid capture with a key that
// makes a re-import a no-op.
func FuzzParseFeedback(f *testing.F) {
	for _, seed := range []string{
		goodFeedback,
		"text\nhello\n",
		"text,occurred_at\nx,2025-13-01\n",
		"text,tags\nx,a|b||  c  |a\n",
		"\ufefftext,KIND\nx,Praise\n",
		"text,text\nx,y\n",
		"text\n\"unterminated\n",
		"quote\nx\n",
		"",
		"text,email\nx,a@b\n",
		"text,external_url\nx,javascript:alert(1)\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := csvio.ParseFeedback(strings.NewReader(string(data)))
		if err != nil {
			var ce *csvio.Error
			if !errors.As(err, &ce) || ce.Line < 1 || ce.Msg == "" {
				t.Fatalf("refusal without a line: %#v", err)
			}
			return
		}
		for _, r := range rows {
			c := r.Capture
			if c.ExternalID == "" && c.IdempotencyKey == "" {
				t.Fatalf("line %d: no external id and no idempotency key", r.Line)
			}
			if len(c.IdempotencyKey) > 200 {
				t.Fatalf("line %d: key too long", r.Line)
			}
			for _, tg := range r.Tags {
				if tg == "" || strings.Contains(tg, "|") {
					t.Fatalf("line %d: bad tag reference %q", r.Line, tg)
				}
			}
		}
	})
}
