package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// RankBothWays syncs the roll-ups and returns, for requests and for tags, the
// tallies they hold and the tallies counted straight from the evidence, each sorted by
// subject, so a test can require them to be equal.
func (s *Store) RankBothWays(ctx context.Context, now time.Time) (roll, raw [2][]feedback.Tally, err error) {
	return s.RankFilteredBothWays(ctx, RankFilter{}, now)
}

// RankFilteredBothWays is RankBothWays for any filter the roll-ups hold: none, one
// tier or one kind.
func (s *Store) RankFilteredBothWays(ctx context.Context, f RankFilter, now time.Time) (roll, raw [2][]feedback.Tally, err error) {
	if err = s.SyncRank(ctx, now); err != nil {
		return
	}
	settings, err := s.RankSettings(ctx)
	if err != nil {
		return
	}
	for i, base := range []string{rankRequest, rankTag} {
		kind, ok := rollupKind(base, f)
		if !ok {
			return roll, raw, fmt.Errorf("no roll-up holds %+v", f)
		}
		if roll[i], err = s.rankTallies(ctx, kind); err != nil {
			return
		}
	}
	if raw[0], err = s.rawRequestTallies(ctx, f.resolve(now), settings, now); err != nil {
		return
	}
	if raw[1], err = s.rawTagTallies(ctx, f.resolve(now), settings, now); err != nil {
		return
	}
	for _, ts := range [][]feedback.Tally{roll[0], roll[1], raw[0], raw[1]} {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Subject < ts[j].Subject })
	}
	return
}

// MigrationVersions lists the migration versions this dialect would apply.
func (s *Store) MigrationVersions() ([]int, error) {
	ms, err := s.migrations()
	if err != nil {
		return nil, err
	}
	var out []int
	for _, m := range ms {
		out = append(out, m.version)
	}
	return out, nil
}
