package app

import (
	"context"
	"time"
)

// rankSyncEvery is how often the ranking roll-ups catch up with new evidence in the
// background, so that a ranking page rarely has more than a few seconds' worth of
// changes to count before it answers.
const rankSyncEvery = 5 * time.Second

func (a *App) syncRankings(ctx context.Context) {
	t := time.NewTicker(rankSyncEvery)
	defer t.Stop()
	for {
		if err := a.Store.SyncRank(ctx, a.Store.Now()); err != nil && ctx.Err() == nil {
			a.Log.Warn("ranking roll-up sync failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
