package web

import (
	"context"

	"github.com/closeloop/closeloop/internal/cancel"
)

// accountCancel is the account's latest cancellation survey answer with its options'
// labels, shown on the account page.
type accountCancel struct {
	cancel.Cancellation
	ReasonLabel string
	LikedLabels []string
}

func (ui *Web) loadAccountCancel(ctx context.Context, accountID string) (*accountCancel, error) {
	c, err := ui.Store.LatestCancellation(ctx, accountID)
	if err != nil || c == nil {
		return nil, err
	}
	set, err := ui.Store.CancellationSettings(ctx)
	if err != nil {
		return nil, err
	}
	out := &accountCancel{Cancellation: *c, ReasonLabel: cancel.Label(set.Reasons, c.Reason)}
	for _, l := range c.Liked {
		out.LikedLabels = append(out.LikedLabels, cancel.Label(set.Liked, l))
	}
	return out, nil
}
