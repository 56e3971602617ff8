package store

import "context"

// ForgetSentiment makes the items unlabelled, as items from before migration 0022 are.
func (s *Store) ForgetSentiment(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		if _, err := s.w.ExecContext(ctx, s.d.rebind(`UPDATE feedback SET sentiment = '', sentiment_score = 0 WHERE id = ?`), id); err != nil {
			return err
		}
	}
	return nil
}
