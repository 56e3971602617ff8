package store

import (
	"context"

	"github.com/closeloop/closeloop/internal/feedback"
)

// CaptureGroup commits cs as one group, as the capture committer does with the
// captures that arrive together: a test's way to make a group of known members.
func (s *Store) CaptureGroup(ctx context.Context, cs []feedback.Capture) ([]feedback.Item, []bool, []error, error) {
	for i := range cs {
		cs[i].Normalize(s.Now())
	}
	outs, err := s.commitCaptures(ctx, cs)
	if err != nil {
		return nil, nil, nil, err
	}
	items, created, errs := make([]feedback.Item, len(outs)), make([]bool, len(outs)), make([]error, len(outs))
	for i, o := range outs {
		items[i], created[i], errs[i] = o.item, o.created, o.err
	}
	return items, created, errs, nil
}
