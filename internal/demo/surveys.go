package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// SurveySummary names what GenerateSurveys made.
type SurveySummary struct {
	SurveyID                  string
	Sent, Responses, Comments int
}

// demoScores are the answers, in the order of the recipients: 8 promoters, 4
// passives and 4 detractors of 20 sent (4 never answer), so the survey's NPS is
// 8/16 − 4/16 = 50% − 25% = 25. demoComments are the comments some of them leave,
// by index.
var (
	demoScores   = []int{10, 9, 10, 9, 10, 9, 10, 9, 8, 7, 8, 7, 6, 3, 5, 2}
	demoComments = map[int]string{
		0:  "The weekly digest saves my Monday mornings.",
		3:  "Support answered within the hour, twice this month.",
		8:  "Good, but exports to Excel lose the formatting.",
		12: "Reports got slow since the last release.",
		13: "Billing sent us three invoices for one month and nobody replied for a week.",
		15: "We are evaluating alternatives: the dashboards time out every morning.",
	}
)

// GenerateSurveys adds an NPS survey sent to 20 people of active accounts, with 16
// answers through the score links and the response page (so each comment became a
// feedback item of source survey, as an emailed one does). The sends are real
// survey sends, but their emails are marked skipped — demo addresses are never
// mailed — and the survey is paused afterwards so the survey-send job emails nobody.
// Run it on a fresh demo (after Generate): people surveyed within the throttle are
// passed over.
func GenerateSurveys(ctx context.Context, s *store.Store) (SurveySummary, error) {
	var sum SurveySummary
	v := survey.Survey{Kind: survey.NPS, Name: "Quarterly NPS", Question: "How likely are you to recommend us to a friend or colleague?",
		FollowUp: "What is the main reason for your score?", Active: true, Audience: survey.Audience{Stages: []string{"active"}}}
	if err := s.CreateSurvey(ctx, &v); err != nil {
		return sum, fmt.Errorf("demo: survey: %w", err)
	}
	sum.SurveyID = v.ID
	set, err := s.SurveySettings(ctx)
	if err != nil {
		return sum, err
	}
	cands, err := s.SurveyCandidates(ctx, v)
	if err != nil {
		return sum, fmt.Errorf("demo: survey candidates: %w", err)
	}
	for _, c := range cands {
		if sum.Sent == 20 {
			break
		}
		send, err := s.QueueSurveySend(ctx, v, c, set.ThrottleDays, func(store.SurveySend) ([]byte, error) { return []byte(`{"demo":true}`), nil })
		if errors.Is(err, store.ErrNotDue) {
			continue
		}
		if err != nil {
			return sum, fmt.Errorf("demo: survey send: %w", err)
		}
		if err := s.FinishOutbox(ctx, store.OutboxResult{ID: send.OutboxID, At: send.SentAt, Skipped: true, Error: "demo data: not emailed"}); err != nil {
			return sum, fmt.Errorf("demo: survey send: %w", err)
		}
		if i := sum.Sent; i < len(demoScores) {
			score := demoScores[i]
			if _, err := s.RecordLinkScore(ctx, send, score); err != nil {
				return sum, fmt.Errorf("demo: survey score: %w", err)
			}
			if _, err := s.SubmitLinkResponse(ctx, send, score, demoComments[i]); err != nil {
				return sum, fmt.Errorf("demo: survey response: %w", err)
			}
			sum.Responses++
			if demoComments[i] != "" {
				sum.Comments++
			}
		}
		sum.Sent++
	}
	v.Active = false
	if err := s.UpdateSurvey(ctx, &v); err != nil {
		return sum, fmt.Errorf("demo: pause survey: %w", err)
	}
	return sum, nil
}
