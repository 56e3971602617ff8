package store

import (
	"context"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
)

// The customer portal's reads and writes. The portal shows only public, unmerged
// requests with plain vote counts (never revenue). A request's votes include those
// cast on requests merged into it (same root_id), counted once per person.

// PortalRequest is a public request as the portal shows it.
type PortalRequest struct {
	feedback.Request
	RootID string // the request this one is (transitively) merged into; ID when not merged
	Votes  int    // distinct people who voted for it or for a request merged into it
	Voted  bool   // the viewing person is among them
}

// Portal sort orders.
const (
	PortalSortVotes   = "votes"
	PortalSortNewest  = "newest"
	PortalSortShipped = "shipped" // changelog: most recently shipped first
)

// PortalFilter selects public requests for the portal.
type PortalFilter struct {
	Statuses []feedback.RequestStatus // any of these; none means all
	Q        string                   // matches title or description
	Sort     string                   // PortalSortVotes (default), PortalSortNewest, PortalSortShipped
	PersonID string                   // fills Voted; "" for anonymous visitors
	Limit    int                      // default 200, at most 1000
}

// portalVoteCols counts votes over a request's merge group; the first placeholder is
// the viewer's person id.
const portalVoteCols = `(SELECT COUNT(DISTINCT v.person_id) FROM votes v JOIN requests m ON m.id = v.request_id WHERE m.root_id = r.id),
	(SELECT COUNT(*) FROM votes v JOIN requests m ON m.id = v.request_id WHERE m.root_id = r.id AND v.person_id = ?)`

const portalRequestCols = `r.id, r.title, r.description, r.status, r.public, r.quarter, r.strategic_score, COALESCE(r.merged_into, ''),
	r.release_note, r.shipped_at, COALESCE(r.created_by, ''), r.created_at, r.updated_at, r.root_id, ` + portalVoteCols

func scanPortalRequest(sc interface{ Scan(...any) error }) (PortalRequest, error) {
	var pr PortalRequest
	var status string
	var shipped, created, updated int64
	var mine int
	r := &pr.Request
	err := sc.Scan(&r.ID, &r.Title, &r.Description, &status, &r.Public, &r.Quarter, &r.StrategicScore, &r.MergedInto,
		&r.ReleaseNote, &shipped, &r.CreatedBy, &created, &updated, &pr.RootID, &pr.Votes, &mine)
	r.Status = feedback.RequestStatus(status)
	r.ShippedAt, r.CreatedAt, r.UpdatedAt = fromMS(shipped), fromMS(created), fromMS(updated)
	pr.Voted = mine > 0
	return pr, wrapf(notFound(err), "scan portal request")
}

// ListPortalRequests returns public, unmerged requests with their vote counts.
func (s *Store) ListPortalRequests(ctx context.Context, f PortalFilter) ([]PortalRequest, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	if f.Limit > 1000 {
		f.Limit = 1000
	}
	query := `SELECT ` + portalRequestCols + ` FROM requests r WHERE r.public = TRUE AND r.merged_into IS NULL`
	args := []any{f.PersonID}
	if len(f.Statuses) > 0 {
		query += ` AND r.status IN (?` + strings.Repeat(`, ?`, len(f.Statuses)-1) + `)`
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if qs := strings.TrimSpace(f.Q); qs != "" {
		query += ` AND (LOWER(r.title) LIKE ? ESCAPE '\' OR LOWER(r.description) LIKE ? ESCAPE '\')`
		args = append(args, likePattern(qs), likePattern(qs))
	}
	switch f.Sort {
	case PortalSortNewest:
		query += ` ORDER BY r.id DESC`
	case PortalSortShipped:
		query += ` ORDER BY r.shipped_at DESC, r.id DESC`
	default:
		// Repeating the count (rather than ordering by an alias) keeps one SQL source
		// valid on both dialects.
		query += ` ORDER BY (SELECT COUNT(DISTINCT v.person_id) FROM votes v JOIN requests m ON m.id = v.request_id WHERE m.root_id = r.id) DESC, r.id DESC`
	}
	query += ` LIMIT ?`
	args = append(args, f.Limit)
	out, err := collect(ctx, s.read(), scanPortalRequest, query, args...)
	return out, wrapf(err, "store: list portal requests")
}

// GetPortalRequest returns one request (public or not, merged or not: the caller
// decides what to show) with its group's vote count and whether personID voted.
func (s *Store) GetPortalRequest(ctx context.Context, requestID, personID string) (PortalRequest, error) {
	return scanPortalRequest(s.read().row(ctx, `SELECT `+portalRequestCols+` FROM requests r WHERE r.id = ?`, personID, requestID))
}

// UnvotePortal removes every vote personID has in rootID's merge group, so "remove
// my vote" works even when the vote was cast on a request later merged into this one.
func (s *Store) UnvotePortal(ctx context.Context, rootID, personID string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM votes WHERE person_id = ? AND request_id IN (SELECT id FROM requests WHERE root_id = ?)`),
		personID, rootID)
	return wrapf(err, "store: unvote portal rootID=%v personID=%v", rootID, personID)
}
