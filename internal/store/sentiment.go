package store

import (
	"context"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/sentiment"
)

// Sentiment of feedback (migration 0022): labelled in the capture transaction; items
// from before the migration carry '' until BackfillSentiment labels them.

// BackfillSentiment labels up to limit unlabelled items, oldest first, and returns how
// many it labelled. Each batch is one short transaction.
func (s *Store) BackfillSentiment(ctx context.Context, limit int) (int, error) {
	type row struct{ id, text string }
	todo, err := collect(ctx, s.read(), func(sc scanner) (row, error) {
		var r row
		err := sc.Scan(&r.id, &r.text)
		return r, err
	}, `SELECT id, text FROM feedback WHERE sentiment = '' ORDER BY id LIMIT ?`, limit)
	if err != nil || len(todo) == 0 {
		return 0, wrapf(err, "store: backfill sentiment")
	}
	err = s.tx(ctx, func(q q) error {
		for _, r := range todo {
			res := sentiment.Analyze(r.text)
			// sentiment = '' again: a capture or a second run may have labelled it since.
			if _, err := q.exec(ctx, `UPDATE feedback SET sentiment = ?, sentiment_score = ? WHERE id = ? AND sentiment = ''`,
				string(res.Label), res.Score, r.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: backfill sentiment: %w", err)
	}
	return len(todo), nil
}

// SentimentCounts is how many items have each sentiment (unlabelled ones are left out).
type SentimentCounts struct {
	Negative, Neutral, Positive int
}

// Total is the number of labelled items.
func (c SentimentCounts) Total() int { return c.Negative + c.Neutral + c.Positive }

// TagSentiment counts the sentiment of the items tagged with the tag or a descendant.
func (s *Store) TagSentiment(ctx context.Context, tagID string) (SentimentCounts, error) {
	return s.sentimentCounts(ctx, `id IN (SELECT ft.feedback_id FROM feedback_tags ft JOIN tag_closure c ON c.descendant_id = ft.tag_id WHERE c.ancestor_id = ?)`, tagID)
}

// RequestSentiment counts the sentiment of the items linked to the request and, with
// withMerged, to the requests merged into it (as its page's evidence does).
func (s *Store) RequestSentiment(ctx context.Context, requestID string, withMerged bool) (SentimentCounts, error) {
	return s.sentimentCounts(ctx, `id IN (SELECT l.feedback_id FROM request_links l JOIN requests r ON r.id = l.request_id WHERE `+
		requestScope(withMerged)+`)`, requestID)
}

func (s *Store) sentimentCounts(ctx context.Context, where string, args ...any) (SentimentCounts, error) {
	var c SentimentCounts
	err := each(ctx, s.read(), func(sc scanner) error {
		var l string
		var n int
		if err := sc.Scan(&l, &n); err != nil {
			return err
		}
		switch sentiment.Label(l) {
		case sentiment.Negative:
			c.Negative = n
		case sentiment.Neutral:
			c.Neutral = n
		case sentiment.Positive:
			c.Positive = n
		}
		return nil
	}, `SELECT sentiment, COUNT(*) FROM feedback WHERE `+where+` GROUP BY sentiment`, args...)
	return c, wrapf(err, "sentiment counts")
}

// NegativeAspects splits negative feedback into what is about the service (support,
// response time, agents: sentiment.AboutService) and what is about the product.
type NegativeAspects struct{ Service, Product int }

// Total is the number of negative items.
func (a NegativeAspects) Total() int { return a.Service + a.Product }

// ServiceShare is the share of negative items about the service, 0 when there are none.
func (a NegativeAspects) ServiceShare() float64 {
	if a.Total() == 0 {
		return 0
	}
	return float64(a.Service) / float64(a.Total())
}

// NegativeAspects classifies every negative item captured at or after since (zero:
// all of them). The classification is a keyword match in Go, so the text is read.
func (s *Store) NegativeAspects(ctx context.Context, since time.Time) (NegativeAspects, error) {
	var a NegativeAspects
	err := each(ctx, s.read(), func(sc scanner) error {
		t, err := one[string](sc)
		if sentiment.AboutService(t) {
			a.Service++
		} else {
			a.Product++
		}
		return err
	}, `SELECT text FROM feedback WHERE sentiment = 'negative' AND occurred_at >= ?`, ms(since))
	return a, wrapf(err, "store: negative aspects")
}
