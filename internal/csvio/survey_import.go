package csvio

import (
	"context"
	"errors"
	"io"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// SurveyImportColumns are the columns 'closeloop import survey-responses' reads, for
// responses of any surveys in one file: survey_id, who answered (email or
// person_external_id, at least one), score, an optional comment, and responded_at —
// required, since the survey, the person and the moment are what make a row the same
// response when the file is imported again.
var SurveyImportColumns = []string{"survey_id", "email", "person_external_id", "score", "comment", "responded_at"}

// ImportSurveyResponses parses r, checks every row against its survey's scale, and
// records them in one transaction: all or nothing, the first problem named by line
// and column. Rows recorded before (same survey, person and moment, same answer) are
// left as they are.
func ImportSurveyResponses(ctx context.Context, s *store.Store, r io.Reader) (store.ResponsesImported, error) {
	var none store.ResponsesImported
	t, err := readTable(r, set(map[string]bool{}, SurveyImportColumns), []string{"survey_id", "score", "responded_at"}, false)
	if err != nil {
		return none, err
	}
	now := s.Now()
	kinds := map[string]survey.Kind{}
	rows, lines, err := parseRows(t, func(i int, fail rowFail) (store.ResponseImport, error) {
		var err error
		var row store.ResponseImport
		var ok bool
		if row.SurveyID, ok = t.cell(i, "survey_id"); !ok {
			return row, fail("survey_id", "is required")
		}
		kind, known := kinds[row.SurveyID]
		if !known {
			v, err := s.GetSurvey(ctx, row.SurveyID)
			if errors.Is(err, store.ErrNotFound) {
				return row, fail("survey_id", "no survey with id %q", row.SurveyID)
			}
			if err != nil {
				return row, err
			}
			kind, kinds[row.SurveyID] = v.Kind, v.Kind
		}
		if row.Score, err = t.score(i, fail); err != nil {
			return row, err
		}
		row.Comment, _ = t.cell(i, "comment")
		row.Email, _ = t.cell(i, "email")
		row.PersonExternalID, _ = t.cell(i, "person_external_id")
		if row.Email == "" && row.PersonExternalID == "" {
			return row, fail("email", "say who answered: email or person_external_id")
		}
		when, ok := t.cell(i, "responded_at")
		if !ok {
			return row, fail("responded_at", "is required (YYYY-MM-DD or RFC 3339)")
		}
		if row.RespondedAt, err = parseWhen(when); err != nil {
			return row, fail("responded_at", "%v", err)
		}
		row.Normalize(now)
		if err := row.Validate(kind, now); err != nil {
			return row, fail.field(err)
		}
		return row, nil
	})
	if err != nil {
		return none, err
	}
	if len(rows) == 0 {
		return none, &Error{Line: 2, Msg: "no rows to import"}
	}
	res, err := s.ImportSurveyResponses(ctx, rows)
	if err != nil {
		return none, fromRowError(err, lines, func(f string) string { return f })
	}
	return res, nil
}
