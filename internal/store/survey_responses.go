package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/survey"
)

// Survey responses (migration 0024). A response from an email's score link is kept
// per send: the click records the score, the response page may change it and add a
// comment, and submitting that page makes it final (read-only). Responses from the
// API and CSV are final at once. A comment becomes a feedback item (source survey,
// external id = the response) in the same transaction, through the capture path.

// ErrResponseFinal refuses to change a response whose comment form was submitted.
var ErrResponseFinal = errs.Conflict("score", "this response is final: it was already submitted")

const responseCols = `r.id, r.survey_id, COALESCE(r.send_id, ''), COALESCE(r.person_id, ''), COALESCE(r.account_id, ''), r.score, r.comment,
	r.channel, r.final, COALESCE(r.feedback_id, ''), r.responded_at, r.created_at, r.updated_at,
	COALESCE(p.name, ''), COALESCE(p.email, ''), COALESCE(a.name, ''), COALESCE(a.tier, ''), v.kind, v.name`

const responseFrom = ` FROM survey_responses r JOIN surveys v ON v.id = r.survey_id
	LEFT JOIN people p ON p.id = r.person_id LEFT JOIN accounts a ON a.id = r.account_id`

func scanResponse(sc interface{ Scan(...any) error }) (survey.Response, error) {
	var r survey.Response
	var at, created, updated int64
	var kind string
	err := sc.Scan(&r.ID, &r.SurveyID, &r.SendID, &r.PersonID, &r.AccountID, &r.Score, &r.Comment, &r.Channel, &r.Final, &r.FeedbackID,
		&at, &created, &updated, &r.PersonName, &r.PersonEmail, &r.AccountName, &r.Tier, &kind, &r.SurveyName)
	r.Kind = survey.Kind(kind)
	r.RespondedAt, r.CreatedAt, r.UpdatedAt = fromMS(at), fromMS(created), fromMS(updated)
	if survey.Kind(kind) == survey.NPS {
		r.Segment = survey.SegmentOf(r.Score)
	}
	return r, wrapf(notFound(err), "scan response")
}

// GetSurveyResponse returns one response.
func (s *Store) GetSurveyResponse(ctx context.Context, responseID string) (survey.Response, error) {
	return scanResponse(s.read().row(ctx, `SELECT `+responseCols+responseFrom+` WHERE r.id = ?`, responseID))
}

// ResponseForSend returns the response of one send, ErrNotFound before the first click.
func (s *Store) ResponseForSend(ctx context.Context, sendID string) (survey.Response, error) {
	return scanResponse(s.read().row(ctx, `SELECT `+responseCols+responseFrom+` WHERE r.send_id = ?`, sendID))
}

// RecordLinkScore records the score of a clicked link: the send's response is made or
// its score changed. A final response is left as it is and returned with
// ErrResponseFinal.
func (s *Store) RecordLinkScore(ctx context.Context, send SurveySend, score int) (survey.Response, error) {
	return s.saveLinkResponse(ctx, send, score, nil)
}

// SubmitLinkResponse is the response page's form: the score (changed or not) and the
// comment, after which the response is final. A comment becomes a feedback item.
func (s *Store) SubmitLinkResponse(ctx context.Context, send SurveySend, score int, comment string) (survey.Response, error) {
	return s.saveLinkResponse(ctx, send, score, &comment)
}

func (s *Store) saveLinkResponse(ctx context.Context, send SurveySend, score int, comment *string) (survey.Response, error) {
	v, err := s.GetSurvey(ctx, send.SurveyID)
	if err != nil {
		return survey.Response{}, fmt.Errorf("save link response: %w", err)
	}
	if err := v.Kind.CheckScore("score", score); err != nil {
		return survey.Response{}, err
	}
	if comment != nil {
		in := survey.Input{Comment: *comment}
		in.Normalize(s.Now())
		if err := survey.CheckComment(in.Comment); err != nil {
			return survey.Response{}, err
		}
		*comment = in.Comment
	}
	var rid string
	err = s.tx(ctx, func(q q) error {
		now := s.Now()
		var final bool
		err := q.row(ctx, `SELECT id, final FROM survey_responses WHERE send_id = ?`+s.d.forUpdate(), send.ID).Scan(&rid, &final)
		switch {
		case errors.Is(notFound(err), ErrNotFound):
			rid = id.NewAt(now)
			if _, err := q.exec(ctx, `INSERT INTO survey_responses (id, survey_id, send_id, person_id, account_id, score, channel, responded_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rid, v.ID, send.ID, nullable(send.PersonID), nullable(send.AccountID), score, survey.ChannelEmail,
				ms(now), ms(now), ms(now)); err != nil {
				return err
			}
		case err != nil:
			return err
		case final:
			return ErrResponseFinal
		default:
			if _, err := q.exec(ctx, `UPDATE survey_responses SET score = ?, responded_at = ?, updated_at = ? WHERE id = ?`, score, ms(now), ms(now), rid); err != nil {
				return err
			}
		}
		if comment != nil {
			if _, err := q.exec(ctx, `UPDATE survey_responses SET comment = ?, final = ?, updated_at = ? WHERE id = ?`, *comment, true, ms(now), rid); err != nil {
				return err
			}
			if err := s.captureComment(ctx, q, v, rid, score, *comment, feedback.Capture{Email: send.Email, AccountID: send.AccountID}); err != nil {
				return err
			}
		}
		return s.appendEvent(ctx, q, EventSurveyResponded, send.AccountID, rid, map[string]any{
			"survey_id": v.ID, "response_id": rid, "kind": v.Kind, "score": score, "final": comment != nil})
	})
	if errors.Is(err, ErrResponseFinal) {
		r, gerr := s.GetSurveyResponse(ctx, rid)
		if gerr != nil {
			return r, gerr
		}
		return r, ErrResponseFinal
	}
	if err != nil {
		return survey.Response{}, fmt.Errorf("store: survey response: %w", err)
	}
	return s.GetSurveyResponse(ctx, rid)
}

// captureComment turns a comment into a feedback item of source survey, its external
// id the response's, and links the response to it. who says how to find the sender
// (an email, an account).
func (s *Store) captureComment(ctx context.Context, q q, v survey.Survey, responseID string, score int, comment string, who feedback.Capture) error {
	if comment == "" {
		return nil
	}
	c := who
	c.Text, c.Quote, c.Source, c.ExternalID = comment, comment, feedback.SourceSurvey, responseID
	c.Normalize(s.Now())
	if err := c.Validate(); err != nil {
		return err
	}
	it, _, err := s.capture(ctx, q, &c)
	if err != nil {
		return fmt.Errorf("store: survey comment to feedback: %w", err)
	}
	_, err = q.exec(ctx, `UPDATE survey_responses SET feedback_id = ? WHERE id = ?`, it.ID, responseID)
	return wrapf(err, "capture comment")
}

// AddSurveyResponses records responses given through the API or a CSV import, all or
// nothing: the first failing one is an *errs.ItemError with its index. Each is final;
// the people are found (or made) the way feedback senders are.
func (s *Store) AddSurveyResponses(ctx context.Context, surveyID, channel string, ins []survey.Input) ([]survey.Response, error) {
	v, err := s.GetSurvey(ctx, surveyID)
	if err != nil {
		return nil, fmt.Errorf("store: add survey responses %s: %w", surveyID, err)
	}
	now := s.Now()
	for i := range ins {
		ins[i].Normalize(now)
		if err := ins[i].Validate(v.Kind, now); err != nil {
			return nil, errs.Item(i, err)
		}
	}
	ids := make([]string, len(ins))
	err = s.captureTx(ctx, func(q q) error {
		for i, in := range ins {
			who := feedback.Capture{Email: in.Email, Name: in.Name, PersonExternalID: in.PersonExternalID, AccountID: in.AccountID, AccountExternalID: in.AccountExternalID}
			accountID, personID, err := s.resolveSender(ctx, q, &who)
			if err != nil {
				return errs.Item(i, err)
			}
			if ids[i], err = s.insertResponse(ctx, q, v, channel, in, accountID, personID, now); err != nil {
				return errs.Item(i, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: add survey responses %s: %w", surveyID, err)
	}
	out := make([]survey.Response, 0, len(ids))
	for _, rid := range ids {
		r, err := s.GetSurveyResponse(ctx, rid)
		if err != nil {
			return nil, fmt.Errorf("store: add survey responses %s: %w", surveyID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// insertResponse records a final response of v from a resolved sender, turns its
// comment into a feedback item (captureComment) and logs survey.responded.
func (s *Store) insertResponse(ctx context.Context, q q, v survey.Survey, channel string, in survey.Input, accountID, personID string, now time.Time) (string, error) {
	rid := id.NewAt(in.RespondedAt)
	if _, err := q.exec(ctx, `INSERT INTO survey_responses (id, survey_id, person_id, account_id, score, comment, channel, final, responded_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rid, v.ID, nullable(personID), nullable(accountID), in.Score, in.Comment, channel, true,
		ms(in.RespondedAt), ms(now), ms(now)); err != nil {
		return "", fmt.Errorf("insert response: %w", err)
	}
	who := feedback.Capture{AccountID: accountID, OccurredAt: in.RespondedAt}
	if personID != "" {
		who.Email, who.PersonExternalID = in.Email, in.PersonExternalID
	}
	if err := s.captureComment(ctx, q, v, rid, in.Score, in.Comment, who); err != nil {
		return "", err
	}
	return rid, s.appendEvent(ctx, q, EventSurveyResponded, accountID, rid, map[string]any{
		"survey_id": v.ID, "response_id": rid, "kind": v.Kind, "score": in.Score, "final": true})
}

// ResponseFilter selects a page of responses.
type ResponseFilter struct {
	SurveyID  string
	AccountID string
	Limit     int    // default 50, at most 500
	Cursor    string // from the previous page's Next
}

// ResponsePage is one page of responses, newest first.
type ResponsePage struct {
	Responses []survey.Response `json:"responses"`
	Next      string            `json:"next,omitempty"`
}

// ListSurveyResponses returns responses newest first with keyset pagination on
// (responded_at, id).
func (s *Store) ListSurveyResponses(ctx context.Context, f ResponseFilter) (ResponsePage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var c conds
	c.eq(`r.survey_id = ?`, f.SurveyID)
	c.eq(`r.account_id = ?`, f.AccountID)
	var page ResponsePage
	var err error
	page.Responses, page.Next, err = timePage(ctx, s.read(), scanResponse, func(r survey.Response) cursor { return cursor{N: ms(r.RespondedAt), I: r.ID} },
		`SELECT `+responseCols+responseFrom+` WHERE 1=1`+c.and(), c.args, "r.responded_at", "r.id", f.Cursor, f.Limit)
	if err != nil {
		return ResponsePage{}, fmt.Errorf("store: list survey responses: %w", err)
	}
	return page, nil
}

// SurveyPoints returns every response of a survey (score, time, account, tier), for
// survey.Compute: a survey has thousands of responses, not millions.
func (s *Store) SurveyPoints(ctx context.Context, surveyID string) ([]survey.Scored, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (survey.Scored, error) {
		var p survey.Scored
		var at int64
		err := sc.Scan(&p.Score, &at, &p.AccountID, &p.AccountName, &p.Tier)
		p.At = fromMS(at)
		return p, err
	}, `SELECT r.score, r.responded_at, COALESCE(r.account_id, ''), COALESCE(a.name, ''), COALESCE(a.tier, '')
		FROM survey_responses r LEFT JOIN accounts a ON a.id = r.account_id WHERE r.survey_id = ? ORDER BY r.responded_at, r.id`, surveyID)
	return out, wrapf(err, "store: survey points %s", surveyID)
}

// SurveyScoresOf maps feedback items made from survey comments to their response's
// kind and score, for showing the score on the item.
func (s *Store) SurveyScoresOf(ctx context.Context, feedbackIDs []string) (map[string]SurveyScore, error) {
	out := map[string]SurveyScore{}
	err := eachIn(ctx, s.read(), feedbackIDs, func(row scanner) error {
		var fid, kind string
		var sc SurveyScore
		err := row.Scan(&fid, &kind, &sc.Score, &sc.SurveyID)
		sc.Kind = survey.Kind(kind)
		out[fid] = sc
		return err
	}, `SELECT r.feedback_id, v.kind, r.score, r.survey_id FROM survey_responses r JOIN surveys v ON v.id = r.survey_id
		WHERE r.feedback_id IN (%s)`)
	if err != nil {
		return nil, fmt.Errorf("store: survey scores of: %w", err)
	}
	return out, nil
}

// SurveyScore is the score a survey comment came with.
type SurveyScore struct {
	SurveyID string
	Kind     survey.Kind
	Score    int
}

// Label is "NPS 3".
func (sc SurveyScore) Label() string { return fmt.Sprintf("%s %d", sc.Kind.Label(), sc.Score) }

// LatestNPS is the account's latest NPS response (what its health reads), nil if none.
func (s *Store) LatestNPS(ctx context.Context, accountID string) (*survey.Response, error) {
	r, err := scanResponse(s.read().row(ctx, `SELECT `+responseCols+responseFrom+` WHERE r.account_id = ? AND v.kind = 'nps'
		ORDER BY r.responded_at DESC, r.id DESC LIMIT 1`, accountID))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: latest nps %s: %w", accountID, err)
	}
	return &r, nil
}
