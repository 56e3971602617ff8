package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// TrainingExample is a tagged feedback item, for learning tag suggestions.
type TrainingExample struct {
	Text   string
	TagIDs []string
}

// TrainingExamples returns the most recent limit tagged items with their tags.
func (s *Store) TrainingExamples(ctx context.Context, limit int) ([]TrainingExample, error) {
	rows, err := s.read().query(ctx, `SELECT f.id, f.text, ft.tag_id FROM feedback f JOIN feedback_tags ft ON ft.feedback_id = f.id
		WHERE f.id IN (SELECT id FROM feedback WHERE status <> 'new' AND EXISTS (SELECT 1 FROM feedback_tags x WHERE x.feedback_id = feedback.id) ORDER BY id DESC LIMIT ?)
		ORDER BY f.id`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: training examples: %w", err)
	}
	defer rows.Close()
	var out []TrainingExample
	last := ""
	for rows.Next() {
		var id, text, tag string
		if err := rows.Scan(&id, &text, &tag); err != nil {
			return nil, fmt.Errorf("store: training examples: %w", err)
		}
		if id != last {
			out = append(out, TrainingExample{Text: text})
			last = id
		}
		out[len(out)-1].TagIDs = append(out[len(out)-1].TagIDs, tag)
	}
	return out, wrapf(rows.Err(), "store: training examples")
}

// TaggingVersion changes whenever tagging or the taxonomy changes; the suggestion
// service polls it to know when to retrain (it works across app instances).
func (s *Store) TaggingVersion(ctx context.Context) (string, error) {
	var n, maxAdded, tags, maxTag int64
	if err := s.read().row(ctx, `SELECT COUNT(*), COALESCE(MAX(added_at), 0) FROM feedback_tags`).Scan(&n, &maxAdded); err != nil {
		return "", fmt.Errorf("store: tagging version: %w", err)
	}
	if err := s.read().row(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM tags`).Scan(&tags, &maxTag); err != nil {
		return "", fmt.Errorf("store: tagging version: %w", err)
	}
	var b strings.Builder
	for _, v := range []int64{n, maxAdded, tags, maxTag} {
		b.WriteString(strconv.FormatInt(v, 10))
		b.WriteByte('.')
	}
	return b.String(), nil
}

// SuggestionsShown records that tags were suggested for an item (once per item and tag).
func (s *Store) SuggestionsShown(ctx context.Context, itemID string, tagIDs []string, scores []float64) error {
	return wrapf(s.tx(ctx, func(q q) error {
		for i, t := range tagIDs {
			var n int
			if err := q.row(ctx, `SELECT COUNT(*) FROM suggestion_events WHERE feedback_id = ? AND tag_id = ?`, itemID, t).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := q.exec(ctx, `INSERT INTO suggestion_events (feedback_id, tag_id, score, shown_at) VALUES (?, ?, ?, ?)`,
				itemID, t, int(scores[i]*1000+0.5), ms(s.Now())); err != nil {
				return err
			}
		}
		return nil
	}), "store: suggestions shown %s", itemID)
}

// SuggestionAccepted marks a shown suggestion as accepted (a no-op if it was not shown).
func (s *Store) SuggestionAccepted(ctx context.Context, itemID, tagID string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`UPDATE suggestion_events SET accepted_at = ? WHERE feedback_id = ? AND tag_id = ? AND accepted_at = 0`),
		ms(s.Now()), itemID, tagID)
	return wrapf(err, "store: suggestion accepted itemID=%v tagID=%v", itemID, tagID)
}

// SuggestionRate is how often a tag was accepted when suggested.
type SuggestionRate struct {
	TagID    string `json:"tag_id"`
	Shown    int    `json:"shown"`
	Accepted int    `json:"accepted"`
}

// SuggestionRates returns the acceptance counts per tag.
func (s *Store) SuggestionRates(ctx context.Context) (map[string]SuggestionRate, error) {
	rows, err := s.read().query(ctx, `SELECT tag_id, COUNT(*), SUM(CASE WHEN accepted_at > 0 THEN 1 ELSE 0 END) FROM suggestion_events GROUP BY tag_id`)
	if err != nil {
		return nil, fmt.Errorf("store: suggestion rates: %w", err)
	}
	defer rows.Close()
	out := map[string]SuggestionRate{}
	for rows.Next() {
		var r SuggestionRate
		if err := rows.Scan(&r.TagID, &r.Shown, &r.Accepted); err != nil {
			return nil, fmt.Errorf("store: suggestion rates: %w", err)
		}
		out[r.TagID] = r
	}
	return out, wrapf(rows.Err(), "store: suggestion rates")
}

// SimilarDoc is a text the similarity index holds.
type SimilarDoc struct {
	ID   string // request id, or feedback id
	Text string
	Ref  string // for feedback: the request it is linked to, if any
}

// SimilarityCorpus returns the open requests (not merged, shipped or declined) with
// their title, description and up to 20 linked quotes, and the most recent limit
// triaged feedback items with the request each is linked to.
func (s *Store) SimilarityCorpus(ctx context.Context, limit int) (requests, items []SimilarDoc, err error) {
	q := s.read()
	rows, err := q.query(ctx, `SELECT id, title, description FROM requests
		WHERE merged_into IS NULL AND status NOT IN ('shipped', 'declined') ORDER BY id`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: similarity corpus: %w", err)
	}
	for rows.Next() {
		var d SimilarDoc
		var title, desc string
		if err := rows.Scan(&d.ID, &title, &desc); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("store: similarity corpus: %w", err)
		}
		d.Text = title + ". " + desc
		requests = append(requests, d)
	}
	rows.Close()
	for i := range requests {
		quotes, err := strs(ctx, q, `SELECT f.quote FROM request_links l JOIN feedback f ON f.id = l.feedback_id
			WHERE l.request_id = ? ORDER BY l.linked_at DESC LIMIT 20`, requests[i].ID)
		if err != nil {
			return nil, nil, fmt.Errorf("store: similarity corpus: %w", err)
		}
		requests[i].Text += " " + strings.Join(quotes, " ")
	}
	rows, err = q.query(ctx, `SELECT f.id, f.text, COALESCE((SELECT MIN(l.request_id) FROM request_links l WHERE l.feedback_id = f.id), '')
		FROM feedback f WHERE f.status <> 'new' ORDER BY f.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("store: similarity corpus: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d SimilarDoc
		if err := rows.Scan(&d.ID, &d.Text, &d.Ref); err != nil {
			return nil, nil, fmt.Errorf("store: similarity corpus: %w", err)
		}
		items = append(items, d)
	}
	return requests, items, wrapf(rows.Err(), "store: similarity corpus")
}
