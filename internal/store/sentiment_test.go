package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/sentiment"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestSentimentAtCaptureFilterCountsAndBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tag := storetest.Tag(t, s, store.Tag{Name: "Exports"})
		child := storetest.Tag(t, s, store.Tag{Name: "CSV", ParentID: tag.ID})
		capture := func(text string, tags ...string) feedback.Item {
			it := storetest.Capture(t, s, feedback.Capture{Text: text, Source: feedback.SourceAPI, TagIDs: tags})
			return it
		}
		great := capture("This is great", child.ID)               // positive 0.6249
		notGreat := capture("This is not great", tag.ID)          // negative -0.5096
		plain := capture("Please add an export to CSV", child.ID) // neutral 0.3182
		slowSupport := capture("Support was terrible and slow")   // negative, about the service
		crash := capture("The export is terrible", tag.ID)        // negative, about the product
		if great.Sentiment == nil || great.Sentiment.Label != sentiment.Positive || great.Sentiment.Score != 0.6249 {
			t.Fatalf("capture's sentiment: %+v", great.Sentiment)
		}
		got, err := s.GetFeedback(ctx, notGreat.ID)
		if err != nil || got.Sentiment == nil || *got.Sentiment != (sentiment.Result{Label: sentiment.Negative, Score: -0.5096}) {
			t.Fatalf("stored sentiment: %+v %v", got.Sentiment, err)
		}

		neg, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Sentiment: sentiment.Negative})
		if err != nil || len(neg) != 3 || neg[0].ID != crash.ID || neg[1].ID != slowSupport.ID || neg[2].ID != notGreat.ID {
			t.Fatalf("filter negative: %d %v", len(neg), err)
		}
		neu, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Sentiment: sentiment.Neutral, TagID: tag.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(neu) != 1 || neu[0].ID != plain.ID {
			t.Fatalf("filter neutral under the tag: %+v", neu)
		}

		// The tag counts its descendants' items: great and plain (CSV), notGreat and crash.
		c, err := s.TagSentiment(ctx, tag.ID)
		if err != nil || c != (store.SentimentCounts{Negative: 2, Neutral: 1, Positive: 1}) || c.Total() != 4 {
			t.Fatalf("tag counts: %+v %v", c, err)
		}
		r := storetest.Request(t, s, feedback.Request{Title: "Better exports"})
		for _, id := range []string{great.ID, crash.ID, slowSupport.ID} {
			if err := s.LinkFeedback(ctx, r.ID, id, ""); err != nil {
				t.Fatal(err)
			}
		}
		if c, err := s.RequestSentiment(ctx, r.ID, true); err != nil || c != (store.SentimentCounts{Negative: 2, Positive: 1}) {
			t.Fatalf("request counts: %+v %v", c, err)
		}
		// A request merged into r brings its evidence (plain, neutral) with it.
		dup := storetest.Request(t, s, feedback.Request{Title: "CSV export"})
		if err := s.LinkFeedback(ctx, dup.ID, plain.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.MergeRequest(ctx, dup.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.RequestSentiment(ctx, r.ID, true); c != (store.SentimentCounts{Negative: 2, Neutral: 1, Positive: 1}) {
			t.Fatalf("with the merged request: %+v", c)
		}
		if c, _ := s.RequestSentiment(ctx, r.ID, false); c != (store.SentimentCounts{Negative: 2, Positive: 1}) {
			t.Fatalf("its own links only: %+v", c)
		}
		// Negative: "Support was terrible and slow" is about the service; the other two
		// about the product.
		a, err := s.NegativeAspects(ctx, time.Time{})
		if err != nil || a != (store.NegativeAspects{Service: 1, Product: 2}) || a.ServiceShare() != 1.0/3 {
			t.Fatalf("aspects: %+v %v", a, err)
		}

		// Items from before sentiment existed carry none until the backfill labels them.
		if err := s.ForgetSentiment(ctx, great.ID, notGreat.ID); err != nil {
			t.Fatal(err)
		}
		if it, _ := s.GetFeedback(ctx, great.ID); it.Sentiment != nil {
			t.Fatalf("forgotten: %+v", it.Sentiment)
		}
		if c, _ := s.TagSentiment(ctx, tag.ID); c.Total() != 2 {
			t.Fatalf("unlabelled items counted: %+v", c)
		}
		n, err := s.BackfillSentiment(ctx, 1)
		if err != nil || n != 1 {
			t.Fatalf("backfill batch: %d %v", n, err)
		}
		if n, _ := s.BackfillSentiment(ctx, 500); n != 1 {
			t.Fatalf("second batch: %d", n)
		}
		if n, _ := s.BackfillSentiment(ctx, 500); n != 0 {
			t.Fatalf("nothing left, got %d", n)
		}
		if it, _ := s.GetFeedback(ctx, great.ID); it.Sentiment == nil || *it.Sentiment != (sentiment.Result{Label: sentiment.Positive, Score: 0.6249}) {
			t.Fatalf("backfilled: %+v", it.Sentiment)
		}
		if c, _ := s.TagSentiment(ctx, tag.ID); c != (store.SentimentCounts{Negative: 2, Neutral: 1, Positive: 1}) {
			t.Fatalf("after backfill: %+v", c)
		}
	})
}
