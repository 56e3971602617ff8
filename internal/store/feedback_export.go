package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/closeloop/closeloop/internal/feedback"
)

// FeedbackExport is one feedback item (with its tag and linked request ids) and the
// account and person it is from, as an export writes it.
type FeedbackExport struct {
	feedback.Item
	AccountExternalID, AccountName            string
	PersonExternalID, PersonEmail, PersonName string
}

// ExportFeedback calls fn for every feedback item, oldest id first. It reads pageSize
// items at a time (keyset on the primary key, so every page is one index range
// however deep into a million items it is), all inside one read-only transaction: the
// export is one consistent snapshot, even while items are captured with backdated ids
// behind the cursor, and memory holds one page. An error from fn stops the export and
// is returned.
func (s *Store) ExportFeedback(ctx context.Context, pageSize int, fn func(FeedbackExport) error) error {
	if pageSize <= 0 {
		pageSize = 1000
	}
	var opts *sql.TxOptions
	if s.d.name() == "postgres" {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	// SQLite: the read pool is query-only, and a deferred transaction on one
	// connection reads one WAL snapshot from its first query to its end.
	tx, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: export feedback: %w", err)
	}
	defer tx.Rollback()
	rq := q{tx, s.d}
	after := ""
	for {
		page, err := s.exportFeedbackPage(ctx, rq, after, pageSize)
		if err != nil {
			return fmt.Errorf("store: export feedback: %w", err)
		}
		for _, row := range page {
			if err := fn(row); err != nil {
				return fmt.Errorf("store: export feedback: %w", err)
			}
		}
		if len(page) < pageSize {
			return wrapf(tx.Commit(), "store: export feedback")
		}
		after = page[len(page)-1].ID
	}
}

func (s *Store) exportFeedbackPage(ctx context.Context, q q, after string, limit int) ([]FeedbackExport, error) {
	rows, err := q.query(ctx, `SELECT f.id, f.text, f.quote, f.source, f.kind, COALESCE(f.account_id, ''), COALESCE(f.person_id, ''),
		COALESCE(f.submitted_by, ''), f.external_url, f.external_id, f.status, f.occurred_at, f.created_at, f.updated_at,
		COALESCE(a.external_id, ''), COALESCE(a.name, ''), COALESCE(p.external_id, ''), COALESCE(p.email, ''), COALESCE(p.name, '')
		FROM feedback f LEFT JOIN accounts a ON a.id = f.account_id LEFT JOIN people p ON p.id = f.person_id
		WHERE f.id > ? ORDER BY f.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("export feedback page: %w", err)
	}
	defer rows.Close()
	var page []FeedbackExport
	index := map[string]int{}
	for rows.Next() {
		var e FeedbackExport
		var src, kind, status string
		var occ, created, updated int64
		if err := rows.Scan(&e.ID, &e.Text, &e.Quote, &src, &kind, &e.AccountID, &e.PersonID, &e.SubmittedBy, &e.ExternalURL,
			&e.ExternalID, &status, &occ, &created, &updated,
			&e.AccountExternalID, &e.AccountName, &e.PersonExternalID, &e.PersonEmail, &e.PersonName); err != nil {
			return nil, fmt.Errorf("export feedback page: %w", err)
		}
		e.Source, e.Kind, e.Status = feedback.Source(src), feedback.Kind(kind), feedback.Status(status)
		e.OccurredAt, e.CreatedAt, e.UpdatedAt = fromMS(occ), fromMS(created), fromMS(updated)
		index[e.ID] = len(page)
		page = append(page, e)
	}
	if err := rows.Err(); err != nil || len(page) == 0 {
		return page, wrapf(err, "export feedback page")
	}
	// Tags and links of the whole page: one range over the page's first..last id each,
	// rather than a query per item or a long IN list.
	first, last := page[0].ID, page[len(page)-1].ID
	for _, rel := range []struct {
		query string
		add   func(e *FeedbackExport, v string)
	}{
		{`SELECT feedback_id, tag_id FROM feedback_tags WHERE feedback_id >= ? AND feedback_id <= ? ORDER BY feedback_id, tag_id`,
			func(e *FeedbackExport, v string) { e.TagIDs = append(e.TagIDs, v) }},
		{`SELECT feedback_id, request_id FROM request_links WHERE feedback_id >= ? AND feedback_id <= ? ORDER BY feedback_id, request_id`,
			func(e *FeedbackExport, v string) { e.RequestIDs = append(e.RequestIDs, v) }},
	} {
		err := each(ctx, q, func(sc scanner) error {
			var fid, v string
			if err := sc.Scan(&fid, &v); err != nil {
				return err
			}
			if i, ok := index[fid]; ok {
				rel.add(&page[i], v)
			}
			return nil
		}, rel.query, first, last)
		if err != nil {
			return nil, fmt.Errorf("export feedback page: %w", err)
		}
	}
	return page, nil
}

// ExistingFeedbackIDs reports which of ids are feedback items in this database (an
// import of an export skips those: they are already here).
func (s *Store) ExistingFeedbackIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out, err := existingFeedback(ctx, s.read(), ids)
	return out, wrapf(err, "store: existing feedback ids")
}

// existingFeedback reports which of ids are feedback items, 500 ids a query.
func existingFeedback(ctx context.Context, q q, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	const chunk = 500
	err := chunked(ids, chunk, func(part []string) error {
		in, args := placeholders(part)
		return each(ctx, q, func(sc scanner) error {
			v, err := one[string](sc)
			out[v] = true
			return err
		}, `SELECT id FROM feedback WHERE id IN (`+in+`)`, args...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
