package main

import (
	"context"

	"github.com/closeloop/closeloop/internal/store"
)

// rankRebuildAt is how many marked ranking units make a one-pass rebuild worth it
// over draining the marks batch by batch: after migration 0029, which marks every
// unit, a 1M-item database rebuilt in about a minute where draining took tens of
// minutes (BENCHMARKS.md), and a small backlog drains in moments.
const rankRebuildAt = 20000

// catchUpRanking rebuilds the ranking roll-ups in one pass when at least rebuildAt
// units are marked, and says whether it did and how many were marked.
func catchUpRanking(ctx context.Context, s *store.Store, rebuildAt int, progress func(store.RebuildProgress)) (bool, int, error) {
	backlog, err := s.Backlog(ctx, "ranking")
	if err != nil || backlog < rebuildAt {
		return false, backlog, err
	}
	return true, backlog, s.Rebuild(ctx, "ranking", s.Now(), progress)
}
