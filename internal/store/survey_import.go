package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/survey"
)

// ResponseImport is one row of a survey-response import ('closeloop import
// survey-responses'): the survey, who answered (a person by email or external id),
// the score, the comment and when.
type ResponseImport struct {
	SurveyID string
	survey.Input
}

// ResponsesImported counts what an import did.
type ResponsesImported struct {
	Created, Unchanged int
}

// ImportSurveyResponses records rows in one transaction, all or nothing. A row is the
// same response as one recorded before when the survey, the person and the moment
// (responded_at, to the millisecond) are the same: with the same score and comment it
// is unchanged, so importing a file twice changes nothing; with another score or
// comment it is refused (an import does not rewrite an answer). A new row is recorded
// as an API response is, on channel csv: its comment becomes a feedback item of
// source survey with the score on it, and survey.responded is logged. A refused row
// is an *errs.ItemError with its index.
func (s *Store) ImportSurveyResponses(ctx context.Context, rows []ResponseImport) (ResponsesImported, error) {
	var res ResponsesImported
	now := s.Now()
	surveys := map[string]survey.Survey{}
	for i := range rows {
		r := &rows[i]
		v, ok := surveys[r.SurveyID]
		if !ok {
			var err error
			if v, err = s.GetSurvey(ctx, r.SurveyID); errors.Is(err, ErrNotFound) {
				return res, errs.Item(i, errs.Invalidf("survey_id", "no survey with id %q", r.SurveyID))
			} else if err != nil {
				return res, fmt.Errorf("store: import survey responses: %w", err)
			}
			surveys[r.SurveyID] = v
		}
		r.Normalize(now)
		if err := r.Validate(v.Kind, now); err != nil {
			return res, errs.Item(i, err)
		}
		if r.Email == "" && r.PersonExternalID == "" {
			return res, errs.Item(i, errs.Invalid("email", "say who answered: email or person_external_id"))
		}
	}
	err := s.captureTx(ctx, func(q q) error {
		res = ResponsesImported{}
		for i, r := range rows {
			v := surveys[r.SurveyID]
			who := feedback.Capture{Email: r.Email, PersonExternalID: r.PersonExternalID}
			accountID, personID, err := s.resolveSender(ctx, q, &who)
			if err != nil {
				return errs.Item(i, err)
			}
			var score int
			var comment string
			err = q.row(ctx, `SELECT score, comment FROM survey_responses WHERE survey_id = ? AND person_id = ? AND responded_at = ?`,
				v.ID, personID, ms(r.RespondedAt)).Scan(&score, &comment)
			switch {
			case err == nil && score == r.Score && comment == r.Comment:
				res.Unchanged++
				continue
			case err == nil && score != r.Score:
				return errs.Item(i, errs.Invalidf("score", "this person's response of that moment is recorded with score %d; an import does not change an answer", score))
			case err == nil:
				return errs.Item(i, errs.Invalid("comment", "this person's response of that moment is recorded with another comment; an import does not change an answer"))
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := s.insertResponse(ctx, q, v, survey.ChannelCSV, r.Input, accountID, personID, now); err != nil {
				return errs.Item(i, err)
			}
			res.Created++
		}
		return nil
	})
	if err != nil {
		return ResponsesImported{}, fmt.Errorf("store: import survey responses: %w", err)
	}
	return res, nil
}
