package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
)

// Bulk is one change applied to many feedback items at once (the list's ticked
// items): archive (Status), add a tag (TagID) or link to a request (RequestID).
// Exactly one is set.
type Bulk struct {
	Status    *feedback.Status
	TagID     string
	RequestID string
}

// BulkFeedback applies b to every item in ids in one transaction: all or nothing. An
// id that names no item is a 404 naming it (and every other missing one), checked
// before anything is written, so a stale selection changes nothing.
func (s *Store) BulkFeedback(ctx context.Context, ids []string, b Bulk, memberID string) error {
	if b.Status != nil && !b.Status.Valid() {
		return errs.Invalidf("status", "%q is not new, triaged or archived", *b.Status)
	}
	return wrapf(s.tx(ctx, func(q q) error {
		if err := missingFeedback(ctx, q, ids); err != nil {
			return err
		}
		now := ms(s.Now())
		for _, id := range ids {
			switch {
			case b.Status != nil:
				if _, err := q.exec(ctx, `UPDATE feedback SET status = ?, updated_at = ? WHERE id = ?`, string(*b.Status), now, id); err != nil {
					return err
				}
				continue
			case b.TagID != "":
				if err := s.addTag(ctx, q, id, b.TagID, memberID); err != nil {
					return err
				}
			case b.RequestID != "":
				if err := s.link(ctx, q, b.RequestID, id, memberID); err != nil {
					return err
				}
			default:
				return errs.Invalid("action", "names no change")
			}
			if _, err := q.exec(ctx, `UPDATE feedback SET status = CASE WHEN status = 'new' THEN 'triaged' ELSE status END, updated_at = ? WHERE id = ?`, now, id); err != nil {
				return err
			}
		}
		return nil
	}), "store: bulk feedback %s", memberID)
}

// missingFeedback answers a NotFoundError naming every id in ids with no item.
func missingFeedback(ctx context.Context, q q, ids []string) error {
	found, err := existingFeedback(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("missing feedback: %w", err)
	}
	var missing []string
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, fmt.Sprintf("%q", id))
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return errs.NotFound("feedback item " + missing[0])
	}
	return errs.NotFound("feedback items " + strings.Join(missing, ", "))
}
