package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
)

// GetTag returns one tag.
func (s *Store) GetTag(ctx context.Context, tagID string) (Tag, error) {
	var t Tag
	err := s.read().row(ctx, `SELECT id, COALESCE(parent_id, ''), name, description, archived FROM tags WHERE id = ?`, tagID).
		Scan(&t.ID, &t.ParentID, &t.Name, &t.Description, &t.Archived)
	return t, wrapf(notFound(err), "store: get tag %s", tagID)
}

// TagPatch changes some of a tag's fields; nil leaves a field as it is. ParentID ""
// makes the tag a root.
type TagPatch struct {
	Name        *string
	Description *string
	Archived    *bool
	ParentID    *string
}

// PatchTag applies p in one transaction, so a rename that collides with a sibling
// under the new parent leaves the tag where it was instead of half moved.
func (s *Store) PatchTag(ctx context.Context, tagID string, p TagPatch) (Tag, error) {
	var t Tag
	if p.Name != nil {
		n := strings.TrimSpace(*p.Name)
		if n == "" {
			return t, errs.Invalid("name", "is required")
		}
		if strings.Contains(n, "›") {
			return t, errs.Invalid("name", "cannot contain ›")
		}
		p.Name = &n
	}
	err := s.tx(ctx, func(q q) error {
		err := q.row(ctx, `SELECT id, COALESCE(parent_id, ''), name, description, archived FROM tags WHERE id = ?`, tagID).
			Scan(&t.ID, &t.ParentID, &t.Name, &t.Description, &t.Archived)
		if err != nil {
			return notFound(err)
		}
		if p.ParentID != nil && *p.ParentID != t.ParentID {
			parent := strings.TrimSpace(*p.ParentID)
			if parent != "" {
				var n int
				if err := q.row(ctx, `SELECT COUNT(*) FROM tags WHERE id = ?`, parent).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					return errs.Invalidf("parent_id", "no tag with id %q", parent)
				}
			}
			if err := s.moveTag(ctx, q, tagID, parent); err != nil {
				return err
			}
			t.ParentID = parent
		}
		if p.Name != nil {
			t.Name = *p.Name
		}
		if p.Description != nil {
			t.Description = *p.Description
		}
		if p.Archived != nil {
			t.Archived = *p.Archived
		}
		_, err = q.exec(ctx, `UPDATE tags SET name = ?, description = ?, archived = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.Description, t.Archived, ms(s.Now()), tagID)
		if s.d.isUnique(err) {
			return errs.Invalidf("name", "a sibling tag is already called %q", t.Name)
		}
		return err
	})
	return t, wrapf(err, "store: patch tag %s", tagID)
}

// FeedbackLinks returns the tags and requests of each of the items, so a list page can
// show them without one query per item.
func (s *Store) FeedbackLinks(ctx context.Context, itemIDs []string) (tags, requests map[string][]string, err error) {
	tags, requests = map[string][]string{}, map[string][]string{}
	if len(itemIDs) == 0 {
		return tags, requests, nil
	}
	in, args := placeholders(itemIDs)
	if err := stringLists(ctx, s.read(), tags, `SELECT feedback_id, tag_id FROM feedback_tags WHERE feedback_id IN (`+in+`) ORDER BY feedback_id, tag_id`, args...); err != nil {
		return nil, nil, fmt.Errorf("store: feedback links: %w", err)
	}
	if err := stringLists(ctx, s.read(), requests, `SELECT feedback_id, request_id FROM request_links WHERE feedback_id IN (`+in+`) ORDER BY feedback_id, request_id`, args...); err != nil {
		return nil, nil, fmt.Errorf("store: feedback links: %w", err)
	}
	return tags, requests, nil
}
