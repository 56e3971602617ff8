package app

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/sentiment"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The sentiment-backfill job labels every item left unlabelled (as items from before
// migration 0022 are), across more than one batch, and leaves labelled ones alone.
func TestSentimentBackfillJob(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			s := storetest.OpenDSN(t, dsn)
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i := 0; i < 501; i++ { // one more than a batch
				it, _, err := s.Capture(ctx, feedback.Capture{Text: "This is not great", Source: feedback.SourceAPI})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, it.ID)
			}
			kept, _, err := s.Capture(ctx, feedback.Capture{Text: "This is great", Source: feedback.SourceAPI})
			if err != nil {
				t.Fatal(err)
			}
			// Forget the 501 labels behind the store's back, as the migration leaves them.
			driver, raw := "pgx", dsn
			if d == "sqlite" {
				driver, raw = "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")
			}
			db, err := sql.Open(driver, raw)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`UPDATE feedback SET sentiment = '', sentiment_score = 0 WHERE text = 'This is not great'`); err != nil {
				t.Fatal(err)
			}
			if it, _ := s.GetFeedback(ctx, ids[0]); it.Sentiment != nil {
				t.Fatalf("not forgotten: %+v", it.Sentiment)
			}

			job := sentimentBackfillJob(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if job.Name != "sentiment-backfill" || job.Schedule == nil {
				t.Fatalf("job %+v", job)
			}
			if err := job.Run(ctx, ""); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{ids[0], ids[500]} {
				it, err := s.GetFeedback(ctx, id)
				if err != nil || it.Sentiment == nil || *it.Sentiment != (sentiment.Result{Label: sentiment.Negative, Score: -0.5096}) {
					t.Fatalf("item %s after the job: %+v %v", id, it.Sentiment, err)
				}
			}
			if it, _ := s.GetFeedback(ctx, kept.ID); it.Sentiment == nil || it.Sentiment.Label != sentiment.Positive {
				t.Fatalf("labelled item: %+v", it.Sentiment)
			}
			if n, err := s.BackfillSentiment(ctx, 500); err != nil || n != 0 {
				t.Fatalf("left after the job: %d %v", n, err)
			}
		})
	}
}
