package store

import (
	"context"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
)

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
		var err error
		if t, err = getTag(ctx, q, tagID); err != nil {
			return err
		}
		if p.ParentID != nil && *p.ParentID != t.ParentID {
			parent := strings.TrimSpace(*p.ParentID)
			if parent != "" {
				if err := refersTo(ctx, q, "parent_id", "tags", "tag", parent); err != nil {
					return err
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
