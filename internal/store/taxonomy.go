package store

import (
	"context"
	"fmt"

	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// TagTree loads every tag as a taxonomy.Tree (paths, search, rules).
func (s *Store) TagTree(ctx context.Context) (*taxonomy.Tree, error) {
	tags, err := s.ListTags(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: tag tree: %w", err)
	}
	tt := make([]taxonomy.Tag, len(tags))
	for i, t := range tags {
		tt[i] = taxonomy.Tag{ID: t.ID, ParentID: t.ParentID, Name: t.Name, Description: t.Description, Archived: t.Archived}
	}
	return taxonomy.NewTree(tt)
}

// ImportTaxonomy applies an import plan (taxonomy.Plan of a parsed CSV or JSON file
// against the current tree) in one transaction: new tags parents first, then updated
// descriptions and archived flags. A 700-tag file is one call.
func (s *Store) ImportTaxonomy(ctx context.Context, plan taxonomy.ImportPlan) (created, updated int, err error) {
	err = s.tx(ctx, func(q q) error {
		ids := make([]string, len(plan.New))
		now := s.Now()
		for i, n := range plan.New {
			parent := n.ParentID
			if n.ParentIndex >= 0 {
				parent = ids[n.ParentIndex]
			}
			t := Tag{ID: id.NewAt(now), ParentID: parent, Name: n.Name, Description: n.Description, Archived: n.Archived}
			if err := s.insertTag(ctx, q, &t); err != nil {
				return fmt.Errorf("line %d (%s): %w", n.Line, t.Name, err)
			}
			ids[i] = t.ID
		}
		for _, u := range plan.Updated {
			if _, err := q.exec(ctx, `UPDATE tags SET description = ?, archived = ?, updated_at = ? WHERE id = ?`,
				u.Description, u.Archived, ms(now), u.ID); err != nil {
				return fmt.Errorf("line %d: %w", u.Line, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: import taxonomy: %w", err)
	}
	return len(plan.New), len(plan.Updated), nil
}
