package store

// SetUsageDedupMaxIDs lowers the bound of SQLite's in-memory de-duplication window,
// so a test can reach it with a few ids.
func (s *Store) SetUsageDedupMaxIDs(n int) {
	if s.seen != nil {
		s.seen.mu.Lock()
		s.seen.max = n
		s.seen.mu.Unlock()
	}
}
