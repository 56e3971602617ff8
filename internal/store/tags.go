package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
)

// Tag is a stored taxonomy node. Paths are computed from the tree, not stored, so a
// rename or move never has to rewrite descendants.
type Tag struct {
	ID          string `json:"id"`
	ParentID    string `json:"parent_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Archived    bool   `json:"archived"`
}

const tagCols = `id, COALESCE(parent_id, ''), name, description, archived`

func scanTag(sc scanner) (Tag, error) {
	var t Tag
	err := sc.Scan(&t.ID, &t.ParentID, &t.Name, &t.Description, &t.Archived)
	return t, err
}

// ListTags returns every tag (taxonomies are hundreds of rows: callers build the tree).
func (s *Store) ListTags(ctx context.Context) ([]Tag, error) {
	out, err := collect(ctx, s.read(), scanTag, `SELECT `+tagCols+` FROM tags ORDER BY id`)
	return out, wrapf(err, "store: list tags")
}

// GetTag returns one tag.
func (s *Store) GetTag(ctx context.Context, tagID string) (Tag, error) {
	t, err := getTag(ctx, s.read(), tagID)
	return t, wrapf(err, "store: get tag %s", tagID)
}

func getTag(ctx context.Context, q q, tagID string) (Tag, error) {
	t, err := scanTag(q.row(ctx, `SELECT `+tagCols+` FROM tags WHERE id = ?`, tagID))
	return t, notFound(err)
}

// CreateTag adds a tag under parentID ("" for a root) and its closure rows.
func (s *Store) CreateTag(ctx context.Context, t *Tag) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return errs.Invalid("name", "is required")
	}
	if strings.Contains(t.Name, "›") {
		return errs.Invalid("name", "cannot contain ›")
	}
	return wrapf(s.tx(ctx, func(q q) error { return s.insertTag(ctx, q, t) }), "store: create tag")
}

func (s *Store) insertTag(ctx context.Context, q q, t *Tag) error {
	now := s.Now()
	if t.ID == "" {
		t.ID = id.NewAt(now)
	}
	if strings.ContainsAny(t.ID, ",/ ") {
		// Ranking roll-ups pack subject ids into comma lists and prefix segments with "/".
		return errs.Invalid("id", "a tag id cannot hold commas, slashes or spaces")
	}
	if t.ParentID != "" {
		if err := refersTo(ctx, q, "parent_id", "tags", "tag", t.ParentID); err != nil {
			return err
		}
	}
	_, err := q.exec(ctx, `INSERT INTO tags (id, parent_id, name, description, archived, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, nullable(t.ParentID), t.Name, t.Description, t.Archived, ms(now), ms(now))
	if s.d.isUnique(err) {
		return errs.Invalidf("name", "a sibling tag is already called %q", t.Name)
	}
	if err != nil {
		return fmt.Errorf("insert tag: %w", err)
	}
	if _, err := q.exec(ctx, `INSERT INTO tag_closure (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)`, t.ID, t.ID); err != nil {
		return fmt.Errorf("insert tag: %w", err)
	}
	if t.ParentID != "" {
		_, err = q.exec(ctx, `INSERT INTO tag_closure (ancestor_id, descendant_id, depth)
			SELECT ancestor_id, ?, depth + 1 FROM tag_closure WHERE descendant_id = ?`, t.ID, t.ParentID)
	}
	return wrapf(err, "insert tag")
}

// UpdateTag renames, re-describes or (un)archives a tag.
func (s *Store) UpdateTag(ctx context.Context, t Tag) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || strings.Contains(t.Name, "›") {
		return errs.Invalid("name", "is required and cannot contain ›")
	}
	res, err := s.w.ExecContext(ctx, s.d.rebind(`UPDATE tags SET name = ?, description = ?, archived = ?, updated_at = ? WHERE id = ?`),
		t.Name, t.Description, t.Archived, ms(s.Now()), t.ID)
	if s.d.isUnique(err) {
		return errs.Invalidf("name", "a sibling tag is already called %q", t.Name)
	}
	return wrapf(changed(res, err), "store: update tag")
}

// ErrTagCycle refuses moving a tag under itself or one of its descendants.
var ErrTagCycle = errs.Conflict("parent_id", "a tag cannot move under itself or its own descendants")

// MoveTag re-parents a tag (and its subtree), rewriting the closure rows that cross
// the subtree boundary.
func (s *Store) MoveTag(ctx context.Context, tagID, newParentID string) error {
	return wrapf(s.tx(ctx, func(q q) error { return s.moveTag(ctx, q, tagID, newParentID) }), "store: move tag tagID=%v newParentID=%v", tagID, newParentID)
}

func (s *Store) moveTag(ctx context.Context, q q, tagID, newParentID string) error {
	if newParentID != "" {
		var n int
		if err := q.row(ctx, `SELECT COUNT(*) FROM tag_closure WHERE ancestor_id = ? AND descendant_id = ?`, tagID, newParentID).Scan(&n); err != nil {
			return fmt.Errorf("move tag: %w", err)
		}
		if n > 0 {
			return ErrTagCycle
		}
	}
	res, err := q.exec(ctx, `UPDATE tags SET parent_id = ?, updated_at = ? WHERE id = ?`, nullable(newParentID), ms(s.Now()), tagID)
	if s.d.isUnique(err) {
		return errs.Invalid("parent_id", "the new parent already has a tag of this name")
	}
	if err != nil {
		return fmt.Errorf("move tag: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	// Drop links from the old ancestors to the subtree, then link the new ones.
	if _, err := q.exec(ctx, `DELETE FROM tag_closure
		WHERE descendant_id IN (SELECT descendant_id FROM tag_closure WHERE ancestor_id = ?)
		  AND ancestor_id NOT IN (SELECT descendant_id FROM tag_closure WHERE ancestor_id = ?)`, tagID, tagID); err != nil {
		return fmt.Errorf("move tag: %w", err)
	}
	if newParentID == "" {
		return nil
	}
	_, err = q.exec(ctx, `INSERT INTO tag_closure (ancestor_id, descendant_id, depth)
		SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1
		FROM tag_closure a, tag_closure d
		WHERE a.descendant_id = ? AND d.ancestor_id = ?`, newParentID, tagID)
	return wrapf(err, "move tag")
}

// MergeTag moves every feedback item tagged from onto into, re-parents from's children
// under into, records the merge and deletes from.
func (s *Store) MergeTag(ctx context.Context, fromID, intoID string) error {
	if fromID == intoID {
		return errs.Invalid("into", "cannot merge a tag into itself")
	}
	return wrapf(s.tx(ctx, func(q q) error {
		var n int
		if err := q.row(ctx, `SELECT COUNT(*) FROM tag_closure WHERE ancestor_id = ? AND descendant_id = ?`, fromID, intoID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrTagCycle
		}
		if err := q.row(ctx, `SELECT COUNT(*) FROM tags WHERE id IN (?, ?)`, fromID, intoID).Scan(&n); err != nil {
			return err
		}
		if n != 2 {
			return ErrNotFound
		}
		now := s.Now()
		if _, err := q.exec(ctx, `INSERT INTO feedback_tags (feedback_id, tag_id, added_by, added_at)
			SELECT f.feedback_id, ?, f.added_by, f.added_at FROM feedback_tags f
			WHERE f.tag_id = ? AND NOT EXISTS (SELECT 1 FROM feedback_tags g WHERE g.feedback_id = f.feedback_id AND g.tag_id = ?)`,
			intoID, fromID, intoID); err != nil {
			return err
		}
		children, err := collect(ctx, q, one[string], `SELECT id FROM tags WHERE parent_id = ?`, fromID)
		if err != nil {
			return err
		}
		for _, c := range children {
			if err := s.moveTag(ctx, q, c, intoID); err != nil {
				return fmt.Errorf("re-parent child %s: %w", c, err)
			}
		}
		// Earlier merges into from now point at into, so old ids keep resolving.
		if _, err := q.exec(ctx, `UPDATE tag_merges SET into_id = ? WHERE into_id = ?`, intoID, fromID); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO tag_merges (from_id, into_id, merged_at) VALUES (?, ?, ?)`, fromID, intoID, ms(now)); err != nil {
			return err
		}
		_, err = q.exec(ctx, `DELETE FROM tags WHERE id = ?`, fromID)
		return err
	}), "store: merge tag fromID=%v intoID=%v", fromID, intoID)
}

// TagMerges returns merged-away tag ids and where they went.
func (s *Store) TagMerges(ctx context.Context) (map[string]string, error) {
	out, err := stringMap(ctx, s.read(), `SELECT from_id, into_id FROM tag_merges`)
	return out, wrapf(err, "store: tag merges")
}
