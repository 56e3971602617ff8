package store

import (
	"context"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// A request's evidence: the feedback linked to it, its votes and the tags on that
// feedback, with or without the requests merged into it. They only read; every write
// goes through the functions in feedback.go, tags.go and requests.go.

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
	var out []EvidenceRow
	seen := map[string]bool{}
	err := each(ctx, s.read(), func(sc scanner) error {
		var e EvidenceRow
		var src, kind string
		var at int64
		if err := sc.Scan(&e.FeedbackID, &e.RequestID, &e.Text, &e.Quote, &src, &kind, &at, &e.AccountID, &e.AccountName,
			&e.Tier, &e.MRR, &e.Currency, &e.PersonID, &e.PersonName, &e.PersonEmail); err != nil {
			return err
		}
		// An item linked to a request and to one merged into it is one quote, not two.
		if seen[e.FeedbackID] {
			return nil
		}
		seen[e.FeedbackID] = true
		e.Source, e.Kind, e.OccurredAt = feedback.Source(src), feedback.Kind(kind), fromMS(at)
		out = append(out, e)
		return nil
	}, `SELECT fb.id, l.request_id, fb.text, fb.quote, fb.source, fb.kind, fb.occurred_at,
		COALESCE(fb.account_id, ''), COALESCE(a.name, ''), COALESCE(a.tier, ''), COALESCE(a.mrr, 0), COALESCE(a.currency, ''),
		COALESCE(fb.person_id, ''), COALESCE(p.name, ''), COALESCE(p.email, '')
		FROM request_links l JOIN requests r ON r.id = l.request_id JOIN feedback fb ON fb.id = l.feedback_id
		LEFT JOIN accounts a ON a.id = fb.account_id LEFT JOIN people p ON p.id = fb.person_id
		WHERE `+requestScope(withMerged)+` ORDER BY fb.occurred_at DESC, fb.id DESC`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: request evidence %s: %w", requestID, err)
	}
	return out, nil
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
