package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
)

const requestCols = `id, title, description, status, public, quarter, strategic_score, COALESCE(merged_into, ''), release_note,
	shipped_at, COALESCE(created_by, ''), created_at, updated_at`

func scanRequest(sc interface{ Scan(...any) error }) (feedback.Request, error) {
	var r feedback.Request
	var status string
	var shipped, created, updated int64
	err := sc.Scan(&r.ID, &r.Title, &r.Description, &status, &r.Public, &r.Quarter, &r.StrategicScore, &r.MergedInto,
		&r.ReleaseNote, &shipped, &r.CreatedBy, &created, &updated)
	r.Status = feedback.RequestStatus(status)
	r.ShippedAt, r.CreatedAt, r.UpdatedAt = fromMS(shipped), fromMS(created), fromMS(updated)
	return r, wrapf(notFound(err), "scan request")
}

// CreateRequest validates and stores a new feature request.
func (s *Store) CreateRequest(ctx context.Context, r *feedback.Request) error {
	if err := clean(r); err != nil {
		return err
	}
	now := s.Now()
	r.ID, r.CreatedAt, r.UpdatedAt = id.NewAt(now), now, now
	if r.Status == feedback.Shipped {
		r.ShippedAt = now
	}
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO requests (id, title, description, status, public, quarter, strategic_score,
		root_id, release_note, shipped_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.Title, r.Description, string(r.Status), r.Public, r.Quarter, r.StrategicScore, r.ID, r.ReleaseNote, ms(r.ShippedAt),
		nullable(r.CreatedBy), ms(now), ms(now))
	return wrapf(err, "store: create request")
}

// GetRequest returns one request.
func (s *Store) GetRequest(ctx context.Context, requestID string) (feedback.Request, error) {
	return scanRequest(s.read().row(ctx, `SELECT `+requestCols+` FROM requests WHERE id = ?`, requestID))
}

// UpdateRequest saves the editable fields. Moving to shipped stamps shipped_at; the
// previous status is returned so callers can react to the change (close the loop,
// outbound webhooks).
func (s *Store) UpdateRequest(ctx context.Context, r *feedback.Request) (previous feedback.RequestStatus, err error) {
	if err := clean(r); err != nil {
		return "", err
	}
	err = s.tx(ctx, func(q q) error {
		old, err := scanRequest(q.row(ctx, `SELECT `+requestCols+` FROM requests WHERE id = ?`, r.ID))
		if err != nil {
			return err
		}
		previous = old.Status
		r.ShippedAt = old.ShippedAt
		if r.Status == feedback.Shipped && old.Status != feedback.Shipped {
			r.ShippedAt = s.Now()
		}
		r.UpdatedAt = s.Now()
		_, err = q.exec(ctx, `UPDATE requests SET title = ?, description = ?, status = ?, public = ?, quarter = ?, strategic_score = ?,
			release_note = ?, shipped_at = ?, updated_at = ? WHERE id = ?`,
			r.Title, r.Description, string(r.Status), r.Public, r.Quarter, r.StrategicScore, r.ReleaseNote, ms(r.ShippedAt), ms(r.UpdatedAt), r.ID)
		if err != nil || r.Status == old.Status {
			return err
		}
		r.CreatedBy, r.CreatedAt, r.MergedInto = old.CreatedBy, old.CreatedAt, old.MergedInto
		_, err = s.emit(ctx, q, EventRequestStatusChanged, StatusChange{Request: *r, Previous: old.Status})
		return err
	})
	return previous, wrapf(err, "store: update request")
}

// RequestFilter selects requests.
type RequestFilter struct {
	Status        feedback.RequestStatus
	IncludeMerged bool
	PublicOnly    bool
}

// ListRequests returns requests (not merged ones unless asked), newest first.
func (s *Store) ListRequests(ctx context.Context, f RequestFilter) ([]feedback.Request, error) {
	query := `SELECT ` + requestCols + ` FROM requests WHERE 1=1`
	var args []any
	if !f.IncludeMerged {
		query += ` AND merged_into IS NULL`
	}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.PublicOnly {
		query += ` AND public = TRUE`
	}
	out, err := collect(ctx, s.read(), scanRequest, query+` ORDER BY id DESC`, args...)
	return out, wrapf(err, "store: list requests")
}

// LinkFeedback links a feedback item to a request (no-op when linked) and marks the
// item triaged.
func (s *Store) LinkFeedback(ctx context.Context, requestID, itemID, memberID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		if err := s.link(ctx, q, requestID, itemID, memberID); err != nil {
			return err
		}
		return s.markTriaged(ctx, q, itemID)
	}), "store: link feedback requestID=%v itemID=%v memberID=%v", requestID, itemID, memberID)
}

func (s *Store) link(ctx context.Context, q q, requestID, itemID, memberID string) error {
	if err := refersTo(ctx, q, "request_ids", "requests", "request", requestID); err != nil {
		return err
	}
	if ok, err := exists(ctx, q, "feedback", itemID); err != nil {
		return err
	} else if !ok {
		return ErrNotFound
	}
	return wrapf(insertOnce(ctx, q, `SELECT COUNT(*) FROM request_links WHERE request_id = ? AND feedback_id = ?`,
		`INSERT INTO request_links (request_id, feedback_id, linked_by, linked_at) VALUES (?, ?, ?, ?)`,
		[]any{requestID, itemID}, nullable(memberID), ms(s.Now())), "link")
}

// UnlinkFeedback removes a link.
func (s *Store) UnlinkFeedback(ctx context.Context, requestID, itemID string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM request_links WHERE request_id = ? AND feedback_id = ?`), requestID, itemID)
	return wrapf(err, "store: unlink feedback requestID=%v itemID=%v", requestID, itemID)
}

// Vote records a person's vote for a request (once per person; a repeat is a no-op
// that reports created=false).
func (s *Store) Vote(ctx context.Context, v *feedback.Vote) (created bool, err error) {
	if v.Source != feedback.VoteTeam && v.Source != feedback.VotePortal {
		return false, errs.Invalid("source", "must be team or portal")
	}
	err = s.tx(ctx, func(q q) error {
		if err := q.row(ctx, `SELECT COALESCE(account_id, '') FROM people WHERE id = ?`, v.PersonID).Scan(&v.AccountID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.Invalidf("person_id", "no person with id %q", v.PersonID)
			}
			return err
		}
		if ok, err := exists(ctx, q, "requests", v.RequestID); err != nil {
			return err
		} else if !ok {
			return ErrNotFound
		}
		var n int
		if err := q.row(ctx, `SELECT COUNT(*) FROM votes WHERE request_id = ? AND person_id = ?`, v.RequestID, v.PersonID).Scan(&n); err != nil || n > 0 {
			return err
		}
		v.CreatedAt = s.Now()
		if _, err := q.exec(ctx, `INSERT INTO votes (request_id, person_id, account_id, source, cast_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			v.RequestID, v.PersonID, nullable(v.AccountID), string(v.Source), nullable(v.CastBy), ms(v.CreatedAt)); err != nil {
			return err
		}
		created = true
		_, err := s.emit(ctx, q, EventVoteCreated, *v)
		return err
	})
	return created, wrapf(err, "store: vote")
}

// Unvote removes a person's vote.
func (s *Store) Unvote(ctx context.Context, requestID, personID string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM votes WHERE request_id = ? AND person_id = ?`), requestID, personID)
	return wrapf(err, "store: unvote requestID=%v personID=%v", requestID, personID)
}

// ErrMerge refuses a merge that would loop or that needs an unmerge first.
var ErrMerge = errs.Conflict("into", "cannot merge: a request can be merged once, not into itself or into a request merged into it")

// MergeRequest folds from into into: from disappears from lists and its feedback,
// votes and merged requests count toward into's root. Unmerge restores it.
func (s *Store) MergeRequest(ctx context.Context, fromID, intoID string) error {
	if fromID == intoID {
		return ErrMerge
	}
	return wrapf(s.tx(ctx, func(q q) error {
		var fromMerged, intoRoot string
		if err := q.row(ctx, `SELECT COALESCE(merged_into, '') FROM requests WHERE id = ?`, fromID).Scan(&fromMerged); err != nil {
			return notFound(err)
		}
		if err := q.row(ctx, `SELECT root_id FROM requests WHERE id = ?`, intoID).Scan(&intoRoot); err != nil {
			return notFound(err)
		}
		if fromMerged != "" || intoRoot == fromID {
			return ErrMerge
		}
		now := ms(s.Now())
		if _, err := q.exec(ctx, `UPDATE requests SET merged_into = ?, updated_at = ? WHERE id = ?`, intoID, now, fromID); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE requests SET root_id = ?, updated_at = ? WHERE root_id = ?`, intoRoot, now, fromID)
		return err
	}), "store: merge request fromID=%v intoID=%v", fromID, intoID)
}

// UnmergeRequest separates a merged request (with whatever was merged into it) again.
func (s *Store) UnmergeRequest(ctx context.Context, requestID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		var merged, root string
		if err := q.row(ctx, `SELECT COALESCE(merged_into, ''), root_id FROM requests WHERE id = ?`, requestID).Scan(&merged, &root); err != nil {
			return notFound(err)
		}
		if merged == "" {
			return errs.Invalid("id", "this request is not merged")
		}
		// Find requestID's subtree among the requests of its current root.
		subtree, err := subtreeUnder(ctx, q, root, requestID)
		if err != nil {
			return err
		}
		now := ms(s.Now())
		if _, err := q.exec(ctx, `UPDATE requests SET merged_into = NULL, updated_at = ? WHERE id = ?`, now, requestID); err != nil {
			return err
		}
		for _, id := range subtree {
			if _, err := q.exec(ctx, `UPDATE requests SET root_id = ?, updated_at = ? WHERE id = ?`, requestID, now, id); err != nil {
				return err
			}
		}
		return nil
	}), "store: unmerge request %s", requestID)
}

// subtreeUnder returns top and every request merged into it, directly or through
// others, among the requests of root (all of them share its root_id, so one indexed
// query fetches the candidates and the tree is walked here).
func subtreeUnder(ctx context.Context, q q, root, top string) ([]string, error) {
	children := map[string][]string{}
	err := each(ctx, q, func(sc scanner) error {
		var id, parent string
		if err := sc.Scan(&id, &parent); err != nil {
			return err
		}
		children[parent] = append(children[parent], id)
		return nil
	}, `SELECT id, COALESCE(merged_into, '') FROM requests WHERE root_id = ?`, root)
	if err != nil {
		return nil, err
	}
	out := []string{}
	stack := []string{top}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, cur)
		stack = append(stack, children[cur]...)
	}
	return out, nil
}

// PersonVotes lists a person's votes, newest first.
func (s *Store) PersonVotes(ctx context.Context, personID string) ([]feedback.Vote, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (feedback.Vote, error) {
		var v feedback.Vote
		var src string
		var at int64
		err := sc.Scan(&v.RequestID, &v.PersonID, &v.AccountID, &src, &v.CastBy, &at)
		v.Source, v.CreatedAt = feedback.VoteSource(src), fromMS(at)
		return v, err
	}, `SELECT request_id, person_id, COALESCE(account_id, ''), source, COALESCE(cast_by, ''), created_at
		FROM votes WHERE person_id = ? ORDER BY created_at DESC, request_id`, personID)
	return out, wrapf(err, "store: person votes %s", personID)
}

// requestSubtree returns requestID and every request merged into it, directly or
// through others. All of them share requestID's root_id, so one indexed query fetches
// the candidates and the tree is walked here.
func (s *Store) requestSubtree(ctx context.Context, q q, requestID string) ([]string, error) {
	var root string
	if err := q.row(ctx, `SELECT root_id FROM requests WHERE id = ?`, requestID).Scan(&root); err != nil {
		return nil, wrapf(notFound(err), "request subtree")
	}
	out, err := subtreeUnder(ctx, q, root, requestID)
	return out, wrapf(err, "request subtree")
}
