package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// closeloop import survey-responses: a bad row (a score off the NPS scale, an
// unknown survey, an answer changed since the last import) names its line and column
// and writes nothing; a good file records every row, each comment a feedback item of
// source survey with its score on the account of the person's email domain; the
// same file again changes nothing.
func TestImportSurveyResponsesCommand(t *testing.T) {
	eachCLIStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := account.Account{Name: "Acme", ExternalID: "acme", Domain: "acme.com"}
		if err := s.CreateAccount(ctx, &acme); err != nil {
			t.Fatal(err)
		}
		v := survey.Survey{Kind: survey.NPS, Name: "Q1 NPS"}
		if err := s.CreateSurvey(ctx, &v); err != nil {
			t.Fatal(err)
		}
		good := "survey_id,email,person_external_id,score,comment,responded_at\n" +
			v.ID + ",ann@acme.com,,10,Dashboards are fast now,2026-02-01\n" +
			v.ID + ",,p-bob,3,\"Billing charged us <b>twice</b>\",2026-02-02T10:00:00Z\n" +
			v.ID + ",cat@acme.com,,8,,2026-02-03\n"
		importFile := func(content string) (string, error) {
			t.Helper()
			name := filepath.Join(t.TempDir(), "responses.csv")
			if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := runImport(ctx, []string{"survey-responses", name}, &out)
			return out.String(), err
		}
		written := func() (responses, items int) {
			t.Helper()
			page, err := s.ListSurveyResponses(ctx, store.ResponseFilter{SurveyID: v.ID})
			if err != nil {
				t.Fatal(err)
			}
			fb, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Source: feedback.SourceSurvey})
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Responses), len(fb)
		}
		for _, c := range []struct{ file, want string }{
			{strings.Replace(good, ",8,,", ",11,,", 1), "line 4, column score: "},
			{strings.Replace(good, v.ID+",,p-bob", "nosuch,,p-bob", 1), `line 3, column survey_id: no survey with id "nosuch"`},
			{strings.Replace(good, ",cat@acme.com,", ",,", 1), "line 4, column email: say who answered"},
			{strings.Replace(good, ",2026-02-03", ",", 1), "line 4, column responded_at: is required"},
			{strings.Replace(good, ",2026-02-03", ",soon", 1), "line 4, column responded_at"},
		} {
			_, err := importFile(c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing was imported") {
				t.Errorf("want %q, got %v", c.want, err)
			}
		}
		if r, f := written(); r != 0 || f != 0 {
			t.Fatalf("refused files wrote %d responses, %d feedback items", r, f)
		}

		if out, err := importFile(good); err != nil || !strings.Contains(out, "survey-responses: 3 created, 0 unchanged") {
			t.Fatalf("import: %v\n%s", err, out)
		}
		fb, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Source: feedback.SourceSurvey})
		if err != nil || len(fb) != 2 {
			t.Fatalf("feedback items %d %v", len(fb), err)
		}
		ids := []string{fb[0].ID, fb[1].ID}
		scores, err := s.SurveyScoresOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range fb {
			got = append(got, it.Text+" | "+scores[it.ID].Label()+" | "+map[bool]string{true: "acme", false: "no account"}[it.AccountID == acme.ID])
		}
		sort.Strings(got)
		want := []string{"Billing charged us <b>twice</b> | NPS 3 | no account", "Dashboards are fast now | NPS 10 | acme"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("feedback:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		if out, err := importFile(good); err != nil || !strings.Contains(out, "survey-responses: 0 created, 3 unchanged") {
			t.Fatalf("again: %v\n%s", err, out)
		}
		_, err = importFile(strings.Replace(good, ",10,Dashboards", ",9,Dashboards", 1))
		if err == nil || !strings.Contains(err.Error(), "line 2, column score: this person's response of that moment is recorded with score 10") {
			t.Fatalf("changed answer: %v", err)
		}
		if r, f := written(); r != 3 || f != 2 {
			t.Fatalf("after the re-imports: %d responses, %d feedback items", r, f)
		}
	})
}
