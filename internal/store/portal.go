package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
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

// ResolvePerson finds or creates the person a portal sign-in names, the way Capture
// resolves a sender: by externalID, else by email. A new person is attached to the
// account with accountExternalID, else to the account whose domain is the email's.
// Unlike Capture, an unknown accountExternalID is not an error: a customer must still
// be able to sign in when the host product knows an account closeloop does not.
//
// An existing person only has blanks filled (name, external id, email, account): the
// team's edits win over what the host product says.
func (s *Store) ResolvePerson(ctx context.Context, email, name, externalID, accountExternalID string) (p account.Person, created bool, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	externalID = strings.TrimSpace(externalID)
	accountExternalID = strings.TrimSpace(accountExternalID)
	if len(name) > 200 {
		name = name[:200]
	}
	err = s.tx(ctx, func(q q) error {
		accountID := ""
		if accountExternalID != "" {
			err := q.row(ctx, `SELECT id FROM accounts WHERE external_id = ? AND external_id <> ''`, accountExternalID).Scan(&accountID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if accountID == "" && email != "" {
			if dom := account.EmailDomain(email); dom != "" {
				err := q.row(ctx, `SELECT id FROM accounts WHERE domain = ? ORDER BY created_at, id LIMIT 1`, dom).Scan(&accountID)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
		}

		var err error = ErrNotFound
		if externalID != "" {
			p, err = scanPerson(q.row(ctx, `SELECT `+personCols+` FROM people WHERE external_id = ? AND external_id <> ''`, externalID))
		}
		if errors.Is(err, ErrNotFound) && email != "" {
			p, err = scanPerson(q.row(ctx, `SELECT `+personCols+` FROM people WHERE email = ?`, email))
		}
		switch {
		case errors.Is(err, ErrNotFound):
			p = account.Person{Email: email, Name: name, ExternalID: externalID, AccountID: accountID}
			created = true
			return s.insertPerson(ctx, q, &p)
		case err != nil:
			return err
		}

		changed := false
		if p.Name == "" && name != "" {
			p.Name, changed = name, true
		}
		if p.AccountID == "" && accountID != "" {
			p.AccountID, changed = accountID, true
		}
		if p.ExternalID == "" && externalID != "" {
			// We got here by email, so nobody holds externalID.
			p.ExternalID, changed = externalID, true
		}
		if p.Email == "" && email != "" {
			// Found by external id: take the email only if no other person has it.
			var n int
			if err := q.row(ctx, `SELECT COUNT(*) FROM people WHERE email = ?`, email).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				p.Email, changed = email, true
			}
		}
		if !changed {
			return nil
		}
		return s.updatePerson(ctx, q, &p)
	})
	return p, created, wrapf(err, "store: resolve person externalID=%v accountExternalID=%v", externalID, accountExternalID)
}

// PutSettingIfAbsent stores v under key unless the key is set, and reports whether it
// stored. Used for generated secrets: when two instances race to create one, both end
// up reading the single winner instead of each signing with its own.
func (s *Store) PutSettingIfAbsent(ctx context.Context, key string, v any) (bool, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("store: put setting if absent: %w", err)
	}
	res, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`),
		key, string(raw), ms(s.Now()))
	if err != nil {
		return false, fmt.Errorf("store: put setting if absent: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, wrapf(err, "store: put setting if absent")
}
