package store

import "context"

// EmitHeld appends event kind in a transaction that stays open until held returns,
// then commits: a test's stand-in for a slow writer whose transaction is still in
// flight when another one commits.
func (s *Store) EmitHeld(ctx context.Context, kind string, held func()) error {
	return s.tx(ctx, func(q q) error {
		if _, err := s.emit(ctx, q, kind, map[string]string{"writer": "slow"}); err != nil {
			return err
		}
		held()
		return nil
	})
}
