package api_test

import (
	"testing"
)

type sentimentItem struct {
	ID        string `json:"id"`
	Sentiment *struct {
		Label string  `json:"label"`
		Score float64 `json:"score"`
	} `json:"sentiment"`
}

// Every captured item carries its sentiment, and the list filters on it; scores as
// worked by hand in internal/sentiment's tests.
func TestFeedbackSentiment(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var bad, good, plain sentimentItem
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "This is not great"}`, 201, &bad)
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "This is great"}`, 201, &good)
		e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Please add an export to CSV"}`, 201, &plain)
		if bad.Sentiment == nil || bad.Sentiment.Label != "negative" || bad.Sentiment.Score != -0.5096 {
			t.Fatalf("negative item: %+v", bad.Sentiment)
		}
		if good.Sentiment == nil || good.Sentiment.Label != "positive" || good.Sentiment.Score != 0.6249 {
			t.Fatalf("positive item: %+v", good.Sentiment)
		}
		var got sentimentItem
		e.call(e.read, "GET", "/api/v1/feedback/"+plain.ID, nil, 200, &got)
		if got.Sentiment == nil || got.Sentiment.Label != "neutral" || got.Sentiment.Score != 0.3182 {
			t.Fatalf("read back: %+v", got.Sentiment)
		}
		var page struct {
			Items []sentimentItem `json:"items"`
		}
		e.call(e.read, "GET", "/api/v1/feedback?sentiment=negative", nil, 200, &page)
		if len(page.Items) != 1 || page.Items[0].ID != bad.ID || page.Items[0].Sentiment.Label != "negative" {
			t.Fatalf("negative page: %+v", page.Items)
		}
		e.call(e.read, "GET", "/api/v1/feedback?sentiment=positive", nil, 200, &page)
		if len(page.Items) != 1 || page.Items[0].ID != good.ID {
			t.Fatalf("positive page: %+v", page.Items)
		}
		e.fails(e.read, "GET", "/api/v1/feedback?sentiment=angry", nil, 400, "sentiment")
	})
}
