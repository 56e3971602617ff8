package csvio_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/survey"
)

func TestSurveyResponsesCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAccount(t, s, account.Account{Name: "Acme", ExternalID: "acme-1", Domain: "acme.com"})
		v := survey.Survey{Kind: survey.CSAT}
		if err := s.CreateSurvey(ctx, &v); err != nil {
			t.Fatal(err)
		}
		// Every bad row names its line and column and writes nothing, even after good rows.
		for _, c := range []struct{ file, want string }{
			{"score,email\n5,ann@acme.com\n6,bob@acme.com\n", "line 3, column score: 6 is outside the CSAT scale 1–5"},
			{"score,email\n5,ann@acme.com\nfive,bob@acme.com\n", `line 3, column score: "five" is not a whole number`},
			{"score,email,responded_at\n5,ann@acme.com,yesterday\n", "line 2, column responded_at"},
			{"score,email\n5,not-an-email\n", "line 2, column email"},
			{"score,comment\n4,no one\n", "line 2, column email: say who answered"},
			{"score,account_external_id\n4,acme-1\n3,nope\n", `line 3, column account_external_id: no account with external_id "nope"`},
			{"score,colour\n4,red\n", `line 1, column colour: unknown column "colour"`},
			{"email\nann@acme.com\n", "line 1, column score: required column is missing"},
			{"score,email\n", "line 2: no rows to import"},
		} {
			_, err := csvio.ImportResponses(ctx, s, v.ID, strings.NewReader(c.file))
			var ce *csvio.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%q: %v, want %q", c.file, err, c.want)
			}
		}
		if page, _ := s.ListSurveyResponses(ctx, store.ResponseFilter{SurveyID: v.ID}); len(page.Responses) != 0 {
			t.Fatalf("a refused file wrote %d responses", len(page.Responses))
		}
		file := "responded_at,score,comment,email,account_external_id\n" +
			"2026-02-01,5,Great onboarding,ann@acme.com,\n" +
			"2026-02-03T10:00:00Z,2,\"=HYPERLINK(\"\"x\"\")\",,acme-1\n"
		n, err := csvio.ImportResponses(ctx, s, v.ID, strings.NewReader(file))
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		page, _ := s.ListSurveyResponses(ctx, store.ResponseFilter{SurveyID: v.ID})
		if len(page.Responses) != 2 || page.Responses[0].Score != 2 || page.Responses[1].AccountID != a.ID || page.Responses[1].FeedbackID == "" {
			t.Fatalf("imported %+v", page.Responses)
		}
		var out bytes.Buffer
		if n, err := csvio.ExportResponses(ctx, s, v.ID, &out); err != nil || n != 2 {
			t.Fatalf("export: %d %v", n, err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if lines[0] != strings.Join(csvio.ResponseExportColumns, ",") || !strings.Contains(lines[1], `"'=HYPERLINK(""x"")"`) || !strings.Contains(lines[2], "Great onboarding,ann@acme.com") {
			t.Fatalf("export:\n%s", out.String())
		}
		// The export imports back into another survey of the kind, unchanged in score and comment.
		w := survey.Survey{Kind: survey.CSAT}
		if err := s.CreateSurvey(ctx, &w); err != nil {
			t.Fatal(err)
		}
		if n, err := csvio.ImportResponses(ctx, s, w.ID, bytes.NewReader(out.Bytes())); err != nil || n != 2 {
			t.Fatalf("re-import: %d %v", n, err)
		}
		again, _ := s.ListSurveyResponses(ctx, store.ResponseFilter{SurveyID: w.ID})
		if again.Responses[0].Comment != `=HYPERLINK("x")` || again.Responses[1].Comment != "Great onboarding" || again.Responses[1].Score != 5 {
			t.Fatalf("re-imported %+v", again.Responses)
		}
	})
}
