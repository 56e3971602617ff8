package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/store"
)

// surveyResponsesImportHelp documents the columns for 'closeloop import survey-responses --help'.
const surveyResponsesImportHelp = `Survey-responses columns: survey_id, score, responded_at (YYYY-MM-DD or RFC 3339)
(required), email or person_external_id (at least one), comment. Scores are checked
against each survey's scale. A row whose survey, person and responded_at were imported
before with the same score and comment is left as it is; with another score or comment
it is refused. Each comment becomes a feedback item of source survey with its score,
like an emailed one; an unknown email becomes a person on the account of its domain.`

func importSurveyResponses(ctx context.Context, s *store.Store, in io.Reader, stdout io.Writer) error {
	res, err := csvio.ImportSurveyResponses(ctx, s, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "survey-responses: %d created, %d unchanged\n", res.Created, res.Unchanged)
	return nil
}
