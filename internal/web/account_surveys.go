package web

import (
	"context"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// accountSurveys is the account page's survey section: the latest responses and the
// latest NPS response (the one account health reads).
type accountSurveys struct {
	Responses []survey.Response
	More      bool
	NPS       *survey.Response
}

const accountResponses = 10

func (ui *Web) loadAccountSurveys(ctx context.Context, accountID string) (accountSurveys, error) {
	page, err := ui.Store.ListSurveyResponses(ctx, store.ResponseFilter{AccountID: accountID, Limit: accountResponses})
	if err != nil {
		return accountSurveys{}, err
	}
	out := accountSurveys{Responses: page.Responses, More: page.Next != ""}
	if out.NPS, err = ui.Store.LatestNPS(ctx, accountID); err != nil {
		return out, err
	}
	return out, nil
}

// surveyScores labels the survey comments among items with their score ("NPS 3"),
// so a survey comment shows the score it came with wherever feedback is listed.
func (ui *Web) surveyScores(ctx context.Context, items []feedback.Item) (map[string]string, error) {
	var ids []string
	for _, it := range items {
		if it.Source == feedback.SourceSurvey {
			ids = append(ids, it.ID)
		}
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	scores, err := ui.Store.SurveyScoresOf(ctx, ids)
	for id, sc := range scores {
		out[id] = sc.Label()
	}
	return out, err
}
