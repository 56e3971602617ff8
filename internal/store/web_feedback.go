package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Read queries for the team UI's voice-of-the-customer pages: the triage inbox, the
// feedback list and a request's evidence page. They only read; every write goes
// through the functions in feedback.go, tags.go and requests.go.

// NextUntriaged returns the oldest new item whose id is above after ("" for the
// oldest of all), with its tags and requests, or ErrNotFound. Ids grow with the time
// the feedback was given, so id order is oldest first.
func (s *Store) NextUntriaged(ctx context.Context, after string) (feedback.Item, error) {
	q := s.read()
	it, err := scanFeedback(q.row(ctx, `SELECT `+feedbackCols+` FROM feedback WHERE status = 'new' AND id > ? ORDER BY id LIMIT 1`, after))
	if err != nil {
		return it, fmt.Errorf("store: next untriaged: %w", err)
	}
	it, _, err = s.withLinks(ctx, q, it)
	return it, wrapf(err, "store: next untriaged")
}

// FeedbackTagIDs returns the tag ids of each of the items, for lists that show tags
// next to many items at once.
func (s *Store) FeedbackTagIDs(ctx context.Context, itemIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	ph, args := placeholders(itemIDs)
	err := stringLists(ctx, s.read(), out, `SELECT feedback_id, tag_id FROM feedback_tags WHERE feedback_id IN (`+ph+`) ORDER BY feedback_id, added_at, tag_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: feedback tag ids: %w", err)
	}
	return out, nil
}

// AccountBrief is what a feedback list shows about the account behind an item.
type AccountBrief struct {
	ID, Name, Tier, Currency string
	MRR                      int64
}

// AccountBriefs returns name, tier and MRR of each account id that exists.
func (s *Store) AccountBriefs(ctx context.Context, accountIDs []string) (map[string]AccountBrief, error) {
	out := map[string]AccountBrief{}
	if len(accountIDs) == 0 {
		return out, nil
	}
	ph, args := placeholders(accountIDs)
	err := each(ctx, s.read(), func(sc scanner) error {
		var a AccountBrief
		err := sc.Scan(&a.ID, &a.Name, &a.Tier, &a.Currency, &a.MRR)
		out[a.ID] = a
		return err
	}, `SELECT id, name, tier, currency, mrr FROM accounts WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: account briefs: %w", err)
	}
	return out, nil
}

// EvidenceRow is one feedback item linked to a request, with who said it.
type EvidenceRow struct {
	FeedbackID  string
	RequestID   string // the request it is linked to (itself or one merged into it)
	Text, Quote string
	Source      feedback.Source
	Kind        feedback.Kind
	OccurredAt  time.Time
	AccountID   string
	AccountName string
	Tier        string
	MRR         int64
	Currency    string
	PersonID    string
	PersonName  string
	PersonEmail string
}

// requestScope picks the requests whose links and votes count for requestID: itself
// and everything merged into it (withMerged), or itself alone.
func requestScope(withMerged bool) string {
	if withMerged {
		return `r.root_id = ?`
	}
	return `r.id = ?`
}

// RequestEvidence returns the feedback linked to a request, newest first.
func (s *Store) RequestEvidence(ctx context.Context, requestID string, withMerged bool) ([]EvidenceRow, error) {
	rows, err := s.read().query(ctx, `SELECT fb.id, l.request_id, fb.text, fb.quote, fb.source, fb.kind, fb.occurred_at,
		COALESCE(fb.account_id, ''), COALESCE(a.name, ''), COALESCE(a.tier, ''), COALESCE(a.mrr, 0), COALESCE(a.currency, ''),
		COALESCE(fb.person_id, ''), COALESCE(p.name, ''), COALESCE(p.email, '')
		FROM request_links l JOIN requests r ON r.id = l.request_id JOIN feedback fb ON fb.id = l.feedback_id
		LEFT JOIN accounts a ON a.id = fb.account_id LEFT JOIN people p ON p.id = fb.person_id
		WHERE `+requestScope(withMerged)+` ORDER BY fb.occurred_at DESC, fb.id DESC`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: request evidence %s: %w", requestID, err)
	}
	defer rows.Close()
	var out []EvidenceRow
	seen := map[string]bool{}
	for rows.Next() {
		var e EvidenceRow
		var src, kind string
		var at int64
		if err := rows.Scan(&e.FeedbackID, &e.RequestID, &e.Text, &e.Quote, &src, &kind, &at, &e.AccountID, &e.AccountName,
			&e.Tier, &e.MRR, &e.Currency, &e.PersonID, &e.PersonName, &e.PersonEmail); err != nil {
			return nil, fmt.Errorf("store: request evidence %s: %w", requestID, err)
		}
		// An item linked to a request and to one merged into it is one quote, not two.
		if seen[e.FeedbackID] {
			continue
		}
		seen[e.FeedbackID] = true
		e.Source, e.Kind, e.OccurredAt = feedback.Source(src), feedback.Kind(kind), fromMS(at)
		out = append(out, e)
	}
	return out, wrapf(rows.Err(), "store: request evidence %s", requestID)
}

// VoteRow is a vote with the voter's name and account.
type VoteRow struct {
	feedback.Vote
	PersonName, PersonEmail, AccountName string
}

// RequestVotes returns the votes for a request, newest first.
func (s *Store) RequestVotes(ctx context.Context, requestID string, withMerged bool) ([]VoteRow, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (VoteRow, error) {
		var v VoteRow
		var src string
		var at int64
		err := sc.Scan(&v.RequestID, &v.PersonID, &v.AccountID, &src, &v.CastBy, &at, &v.PersonName, &v.PersonEmail, &v.AccountName)
		v.Source, v.CreatedAt = feedback.VoteSource(src), fromMS(at)
		return v, err
	}, `SELECT v.request_id, v.person_id, COALESCE(v.account_id, ''), v.source, COALESCE(v.cast_by, ''), v.created_at,
		COALESCE(p.name, ''), COALESCE(p.email, ''), COALESCE(a.name, '')
		FROM votes v JOIN requests r ON r.id = v.request_id LEFT JOIN people p ON p.id = v.person_id LEFT JOIN accounts a ON a.id = v.account_id
		WHERE `+requestScope(withMerged)+` ORDER BY v.created_at DESC, v.person_id`, requestID)
	return out, wrapf(err, "store: request votes %s", requestID)
}

// TagCount is a tag and how many items carry it.
type TagCount struct {
	TagID string
	Items int
}

// RequestTagCounts counts the tags on the feedback linked to a request, most used first.
func (s *Store) RequestTagCounts(ctx context.Context, requestID string, withMerged bool) ([]TagCount, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (TagCount, error) {
		var c TagCount
		err := sc.Scan(&c.TagID, &c.Items)
		return c, err
	}, `SELECT ft.tag_id, COUNT(DISTINCT ft.feedback_id) FROM feedback_tags ft
		JOIN request_links l ON l.feedback_id = ft.feedback_id JOIN requests r ON r.id = l.request_id
		WHERE `+requestScope(withMerged)+` GROUP BY ft.tag_id ORDER BY COUNT(DISTINCT ft.feedback_id) DESC, ft.tag_id`, requestID)
	return out, wrapf(err, "store: request tag counts %s", requestID)
}

// PersonHit is a type-ahead result for people.
type PersonHit struct {
	ID, Name, Email, AccountID, AccountName string
}

// SearchPeople finds people by name, email or account name, for pickers (a team vote
// on a customer's behalf). Names starting with the text come first.
func (s *Store) SearchPeople(ctx context.Context, text string, limit int) ([]PersonHit, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	like := likePattern(text)
	prefix := strings.TrimSuffix(like, "%")[1:] + "%"
	out, err := collect(ctx, s.read(), func(sc scanner) (PersonHit, error) {
		var h PersonHit
		err := sc.Scan(&h.ID, &h.Name, &h.Email, &h.AccountID, &h.AccountName)
		return h, err
	}, `SELECT p.id, p.name, p.email, COALESCE(p.account_id, ''), COALESCE(a.name, '')
		FROM people p LEFT JOIN accounts a ON a.id = p.account_id
		WHERE LOWER(p.name) LIKE ? ESCAPE '\' OR p.email LIKE ? ESCAPE '\' OR LOWER(a.name) LIKE ? ESCAPE '\'
		ORDER BY CASE WHEN LOWER(p.name) LIKE ? ESCAPE '\' OR p.email LIKE ? ESCAPE '\' THEN 0 ELSE 1 END, p.name, p.email, p.id LIMIT ?`,
		like, like, like, prefix, prefix, limit)
	return out, wrapf(err, "store: search people")
}
