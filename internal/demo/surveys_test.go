package demo_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// The demo's NPS survey: sent to 20 people, 16 answers — 8 promoters, 4 passives, 4
// detractors, so NPS = 50% − 25% = 25 — six comments, each a feedback item of source
// survey; the survey is paused and no email waits in the outbox.
func TestGenerateSurveysShowsARealNPS(t *testing.T) {
	eachGenerated(t, demo.Options{Accounts: 60, Seed: 3, Now: storyDay}, func(t *testing.T, s *store.Store, _ demo.Summary) {
		ctx := context.Background()
		sum, err := demo.GenerateSurveys(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Sent != 20 || sum.Responses != 16 || sum.Comments != 6 {
			t.Fatalf("summary %+v", sum)
		}
		v, err := s.GetSurvey(ctx, sum.SurveyID)
		if err != nil || v.Active || v.Kind != survey.NPS {
			t.Fatalf("survey %+v %v", v, err)
		}
		pts, err := s.SurveyPoints(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		o := survey.Compute(v, pts).Overall
		if o.Responses != 16 || o.Promoters != 8 || o.Passives != 4 || o.Detractors != 4 || o.Score != 25 {
			t.Fatalf("results %+v", o)
		}
		if n, err := s.CountSurveySends(ctx, v.ID); err != nil || n != 20 {
			t.Fatalf("sends %d %v", n, err)
		}
		items, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Source: feedback.SourceSurvey, Limit: 100})
		if err != nil || len(items) != 6 {
			t.Fatalf("%d survey feedback items, %v", len(items), err)
		}
		if q, err := s.ListOutbox(ctx, store.OutboxFilter{Status: store.OutboxQueued}); err != nil || len(q) != 0 {
			t.Fatalf("%d emails queued, %v", len(q), err)
		}
	})
}
