package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/sentiment"
)

const feedbackCols = `id, text, quote, source, kind, COALESCE(account_id, ''), COALESCE(person_id, ''), COALESCE(submitted_by, ''),
	external_url, external_id, status, occurred_at, created_at, updated_at, sentiment, sentiment_score`

func scanFeedback(sc interface{ Scan(...any) error }) (feedback.Item, error) {
	var it feedback.Item
	var src, kind, status string
	var occ, created, updated int64
	var sent sentiment.Result
	err := sc.Scan(&it.ID, &it.Text, &it.Quote, &src, &kind, &it.AccountID, &it.PersonID, &it.SubmittedBy,
		&it.ExternalURL, &it.ExternalID, &status, &occ, &created, &updated, &sent.Label, &sent.Score)
	if sent.Label != "" {
		it.Sentiment = &sent // "" until the backfill labels an item from before migration 0022
	}
	it.Source, it.Kind, it.Status = feedback.Source(src), feedback.Kind(kind), feedback.Status(status)
	it.OccurredAt, it.CreatedAt, it.UpdatedAt = fromMS(occ), fromMS(created), fromMS(updated)
	return it, wrapf(notFound(err), "scan feedback")
}

// Capture stores one piece of feedback from any channel; it is the single write path
// for the API, the web form, CSV, email, webhooks and the portal. A repeated
// idempotency key, or a repeated (source, external id), returns the existing item with
// created=false and writes nothing.
func (s *Store) Capture(ctx context.Context, c feedback.Capture) (it feedback.Item, created bool, err error) {
	c.Normalize(s.Now())
	if err := c.Validate(); err != nil {
		return it, false, err
	}
	return s.captureGrouped(ctx, c) // group commit: capture_group.go
}

// captureTx runs a capture transaction, again when it lost a race: on PostgreSQL two
// captures from one new sender (or with one idempotency key) can both find nothing and
// both insert; the loser's retry finds what the winner committed. A capture that
// PostgreSQL aborted to break a deadlock (with a group's transaction, or a roll-up
// sync deleting marks in another order) kept nothing and runs again too: it must not
// answer 500 for what another transaction did.
func (s *Store) captureTx(ctx context.Context, fn func(q) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.tx(ctx, fn); err == nil || !(errors.Is(err, errPersonTaken) || s.d.isUnique(err) || s.d.isConflict(err)) {
			return wrapf(err, "capture tx")
		}
	}
	return wrapf(err, "capture tx")
}

// CaptureBatch captures items in one transaction: all or nothing, with the failing
// item's index in an *errs.ItemError.
func (s *Store) CaptureBatch(ctx context.Context, cs []feedback.Capture) (items []feedback.Item, created int, err error) {
	now := s.Now()
	for i := range cs {
		cs[i].Normalize(now)
		if err := cs[i].Validate(); err != nil {
			return nil, 0, errs.Item(i, err)
		}
	}
	err = s.captureTx(ctx, func(q q) error {
		items, created = items[:0], 0
		for i := range cs {
			it, c, err := s.capture(ctx, q, &cs[i])
			if err != nil {
				return errs.Item(i, err)
			}
			if c {
				created++
			}
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: capture batch: %w", err)
	}
	return items, created, nil
}

// The look-ups of a repeated capture and of its sender repeat the partial unique indexes' condition
// (the value is not empty): SQLite uses a partial index only when the query implies
// its WHERE, and a bound parameter does not, so without it every capture with a key
// or an external id scanned the whole table.
const (
	feedbackByKey      = `SELECT ` + feedbackCols + ` FROM feedback WHERE idempotency_key = ? AND idempotency_key <> ''`
	feedbackByExternal = `SELECT ` + feedbackCols + ` FROM feedback WHERE source = ? AND external_id = ? AND external_id <> ''`
	accountByExternal  = `SELECT id FROM accounts WHERE external_id = ? AND external_id <> ''`
	senderColumns      = `SELECT id, COALESCE(account_id, ''), email FROM people WHERE `
	senderByExternal   = `external_id = ? AND external_id <> ''`
	senderByEmail      = `email = ? AND email <> ''`
)

func (s *Store) capture(ctx context.Context, q q, c *feedback.Capture) (feedback.Item, bool, error) {
	if c.IdempotencyKey != "" {
		it, err := scanFeedback(q.row(ctx, feedbackByKey, c.IdempotencyKey))
		if err == nil {
			return s.withLinks(ctx, q, it)
		}
		if !errors.Is(err, ErrNotFound) {
			return it, false, wrapf(err, "capture")
		}
	}
	if c.ExternalID != "" {
		it, err := scanFeedback(q.row(ctx, feedbackByExternal, string(c.Source), c.ExternalID))
		if err == nil {
			return s.withLinks(ctx, q, it)
		}
		if !errors.Is(err, ErrNotFound) {
			return it, false, wrapf(err, "capture")
		}
	}
	accountID, personID, err := s.resolveSender(ctx, q, c)
	if err != nil {
		return feedback.Item{}, false, fmt.Errorf("capture: %w", err)
	}
	now := s.Now()
	it := feedback.Item{ID: id.NewAt(c.OccurredAt), Text: c.Text, Quote: c.Quote, Source: c.Source, Kind: c.Kind,
		AccountID: accountID, PersonID: personID, SubmittedBy: c.SubmittedBy, ExternalURL: c.ExternalURL,
		ExternalID: c.ExternalID, Status: feedback.New, OccurredAt: c.OccurredAt, CreatedAt: now, UpdatedAt: now}
	if len(c.TagIDs) > 0 || len(c.RequestIDs) > 0 {
		it.Status = feedback.Triaged // tagged or linked at capture: nothing left to triage
	}
	sent := sentiment.Analyze(it.Text)
	it.Sentiment = &sent
	_, err = q.exec(ctx, `INSERT INTO feedback (id, text, quote, source, kind, account_id, person_id, submitted_by, external_url,
		external_id, idempotency_key, status, occurred_at, created_at, updated_at, sentiment, sentiment_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.ID, it.Text, it.Quote, string(it.Source), string(it.Kind), nullable(accountID), nullable(personID), nullable(c.SubmittedBy),
		it.ExternalURL, it.ExternalID, c.IdempotencyKey, string(it.Status), ms(it.OccurredAt), ms(now), ms(now), string(sent.Label), sent.Score)
	if err != nil {
		return it, false, fmt.Errorf("capture: %w", err)
	}
	if c.Original != "" {
		if _, err := q.exec(ctx, `INSERT INTO feedback_originals (feedback_id, body) VALUES (?, ?)`, it.ID, c.Original); err != nil {
			return it, false, fmt.Errorf("store: keep the original message: %w", err)
		}
	}
	for _, t := range c.TagIDs {
		if err := s.addTag(ctx, q, it.ID, t, c.SubmittedBy); err != nil {
			return it, false, fmt.Errorf("capture: %w", err)
		}
	}
	for _, r := range c.RequestIDs {
		if err := s.link(ctx, q, r, it.ID, c.SubmittedBy); err != nil {
			return it, false, fmt.Errorf("capture: %w", err)
		}
	}
	it.TagIDs, it.RequestIDs = c.TagIDs, c.RequestIDs
	if _, err := s.emit(ctx, q, EventFeedbackCreated, it); err != nil {
		return it, false, fmt.Errorf("capture: %w", err)
	}
	return it, true, nil
}

// resolveSender finds (or creates) the person and account behind a capture.
func (s *Store) resolveSender(ctx context.Context, q q, c *feedback.Capture) (accountID, personID string, err error) {
	accountID = c.AccountID
	if accountID != "" {
		if err := s.checkAccount(ctx, q, accountID); err != nil {
			return "", "", err
		}
	} else if c.AccountExternalID != "" {
		if err := q.row(ctx, accountByExternal, c.AccountExternalID).Scan(&accountID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return "", "", errs.Invalidf("account_external_id", "no account with external_id %q", c.AccountExternalID)
			}
			return "", "", fmt.Errorf("resolve sender: %w", err)
		}
	}
	var personAccount, personEmail string
	lookup := func(where string, arg any) error {
		err := q.row(ctx, senderColumns+where, arg).Scan(&personID, &personAccount, &personEmail)
		if errors.Is(err, sql.ErrNoRows) {
			personID = ""
			return nil
		}
		return err
	}
	// byDomain is the account whose domain is the email's, or "".
	byDomain := func(email string) (string, error) {
		var id string
		if dom := account.EmailDomain(email); dom != "" {
			err := q.row(ctx, `SELECT id FROM accounts WHERE domain = ? ORDER BY created_at, id LIMIT 1`, dom).Scan(&id)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return "", err
			}
		}
		return id, nil
	}
	if c.PersonExternalID != "" {
		if err := lookup(senderByExternal, c.PersonExternalID); err != nil {
			return "", "", fmt.Errorf("resolve sender: %w", err)
		}
		if personID != "" && personEmail == "" && c.Email != "" {
			// Known by external id only (say a Slack author whose email lookup failed
			// the first time): learn the email now, unless someone else has it, and the
			// account by its domain if the person has none.
			if err := s.learnEmail(ctx, q, personID, c.Email, &personAccount, byDomain); err != nil {
				return "", "", fmt.Errorf("resolve sender: %w", err)
			}
		}
	}
	if personID == "" && c.Email != "" {
		if err := lookup(senderByEmail, c.Email); err != nil {
			return "", "", fmt.Errorf("resolve sender: %w", err)
		}
	}
	if personID == "" && (c.Email != "" || c.PersonExternalID != "") {
		// An unknown sender becomes a person, attached to the given account or to the
		// account whose domain is the email's.
		if accountID == "" && c.Email != "" {
			if personAccount, err = byDomain(c.Email); err != nil {
				return "", "", fmt.Errorf("resolve sender: %w", err)
			}
		} else {
			personAccount = accountID
		}
		p := account.Person{Email: c.Email, ExternalID: c.PersonExternalID, Name: c.Name, AccountID: personAccount}
		if err := s.insertPerson(ctx, q, &p); err != nil {
			return "", "", fmt.Errorf("resolve sender: %w", err)
		}
		personID = p.ID
	}
	if accountID == "" {
		accountID = personAccount
	}
	return accountID, personID, nil
}

// learnEmail gives a person known only by external id the email a capture brings,
// unless another person already has it.
func (s *Store) learnEmail(ctx context.Context, q q, personID, email string, personAccount *string, byDomain func(string) (string, error)) error {
	var n int
	if err := q.row(ctx, `SELECT COUNT(*) FROM people WHERE email = ?`, email).Scan(&n); err != nil || n > 0 {
		return wrapf(err, "learn email")
	}
	if *personAccount == "" {
		acct, err := byDomain(email)
		if err != nil {
			return fmt.Errorf("learn email: %w", err)
		}
		*personAccount = acct
	}
	_, err := q.exec(ctx, `UPDATE people SET email = ?, account_id = ?, updated_at = ? WHERE id = ?`, email, nullable(*personAccount), ms(s.Now()), personID)
	return wrapf(err, "learn email")
}

func (s *Store) withLinks(ctx context.Context, q q, it feedback.Item) (feedback.Item, bool, error) {
	var err error
	it.TagIDs, err = strs(ctx, q, `SELECT tag_id FROM feedback_tags WHERE feedback_id = ? ORDER BY tag_id`, it.ID)
	if err != nil {
		return it, false, fmt.Errorf("with links: %w", err)
	}
	it.RequestIDs, err = strs(ctx, q, `SELECT request_id FROM request_links WHERE feedback_id = ? ORDER BY request_id`, it.ID)
	return it, false, wrapf(err, "with links")
}

// GetFeedback returns one item with its tags and linked requests.
func (s *Store) GetFeedback(ctx context.Context, itemID string) (feedback.Item, error) {
	q := s.read()
	it, err := scanFeedback(q.row(ctx, `SELECT `+feedbackCols+` FROM feedback WHERE id = ?`, itemID))
	if err != nil {
		return it, fmt.Errorf("store: get feedback %s: %w", itemID, err)
	}
	it, _, err = s.withLinks(ctx, q, it)
	return it, wrapf(err, "store: get feedback %s", itemID)
}

// FeedbackFilter selects feedback, newest first.
type FeedbackFilter struct {
	Status    feedback.Status
	Kind      feedback.Kind
	Source    feedback.Source
	Sentiment sentiment.Label
	AccountID string
	TagID     string // includes descendants of the tag
	Q         string
	Before    string // cursor: an id
	Limit     int
}

// ListFeedback returns a page of items (without tags; GetFeedback has them) and the
// cursor of the next page.
func (s *Store) ListFeedback(ctx context.Context, f FeedbackFilter) ([]feedback.Item, string, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var c conds
	c.eq(`status = ?`, string(f.Status))
	c.eq(`kind = ?`, string(f.Kind))
	c.eq(`source = ?`, string(f.Source))
	c.eq(`sentiment = ?`, string(f.Sentiment))
	c.eq(`account_id = ?`, f.AccountID)
	c.eq(`id IN (SELECT ft.feedback_id FROM feedback_tags ft JOIN tag_closure c ON c.descendant_id = ft.tag_id WHERE c.ancestor_id = ?)`, f.TagID)
	if qs := strings.TrimSpace(f.Q); qs != "" {
		c.add(`LOWER(text) LIKE ? ESCAPE '\'`, likePattern(qs))
	}
	out, next, err := idPageDesc(ctx, s.read(), scanFeedback, func(it feedback.Item) string { return it.ID },
		`SELECT `+feedbackCols+` FROM feedback WHERE 1=1`+c.and(), c.args, "id", f.Before, f.Limit)
	return out, next, wrapf(err, "store: list feedback")
}

// Triage changes an item's kind and status; nil leaves a field alone.
func (s *Store) Triage(ctx context.Context, itemID string, kind *feedback.Kind, status *feedback.Status) error {
	if kind != nil && !kind.Valid() {
		return errs.Invalidf("kind", "%q is not a feedback kind", *kind)
	}
	if status != nil && !status.Valid() {
		return errs.Invalidf("status", "%q is not new, triaged or archived", *status)
	}
	return wrapf(s.tx(ctx, func(q q) error {
		var k, st string
		if err := q.row(ctx, `SELECT kind, status FROM feedback WHERE id = ?`, itemID).Scan(&k, &st); err != nil {
			return notFound(err)
		}
		if kind != nil {
			k = string(*kind)
		}
		if status != nil {
			st = string(*status)
		}
		_, err := q.exec(ctx, `UPDATE feedback SET kind = ?, status = ?, updated_at = ? WHERE id = ?`, k, st, ms(s.Now()), itemID)
		return err
	}), "store: triage %s", itemID)
}

// TagFeedback adds a tag to an item (no-op when present) and marks it triaged.
func (s *Store) TagFeedback(ctx context.Context, itemID, tagID, memberID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		if err := s.addTag(ctx, q, itemID, tagID, memberID); err != nil {
			return err
		}
		return s.markTriaged(ctx, q, itemID)
	}), "store: tag feedback itemID=%v tagID=%v memberID=%v", itemID, tagID, memberID)
}

// markTriaged moves a new item to triaged, as tagging or linking it does; an item
// past new keeps its status.
func (s *Store) markTriaged(ctx context.Context, q q, itemID string) error {
	_, err := q.exec(ctx, `UPDATE feedback SET status = CASE WHEN status = 'new' THEN 'triaged' ELSE status END, updated_at = ? WHERE id = ?`, ms(s.Now()), itemID)
	return err
}

// UntagFeedback removes a tag from an item.
func (s *Store) UntagFeedback(ctx context.Context, itemID, tagID string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM feedback_tags WHERE feedback_id = ? AND tag_id = ?`), itemID, tagID)
	return wrapf(err, "store: untag feedback itemID=%v tagID=%v", itemID, tagID)
}

func (s *Store) addTag(ctx context.Context, q q, itemID, tagID, memberID string) error {
	if err := refersTo(ctx, q, "tag_ids", "tags", "tag", tagID); err != nil {
		return err
	}
	return wrapf(insertOnce(ctx, q, `SELECT COUNT(*) FROM feedback_tags WHERE feedback_id = ? AND tag_id = ?`,
		`INSERT INTO feedback_tags (feedback_id, tag_id, added_by, added_at) VALUES (?, ?, ?, ?)`,
		[]any{itemID, tagID}, nullable(memberID), ms(s.Now())), "add tag")
}

// CountFeedback counts items with a status ("" for all).
func (s *Store) CountFeedback(ctx context.Context, status feedback.Status) (int, error) {
	var n int
	var err error
	if status == "" {
		err = s.read().row(ctx, `SELECT COUNT(*) FROM feedback`).Scan(&n)
	} else {
		err = s.read().row(ctx, `SELECT COUNT(*) FROM feedback WHERE status = ?`, string(status)).Scan(&n)
	}
	return n, wrapf(err, "store: count feedback")
}

// FeedbackOriginal is the whole message an item was cut from ("" when the item's text
// is all there was).
func (s *Store) FeedbackOriginal(ctx context.Context, feedbackID string) (string, error) {
	var body string
	err := s.read().row(ctx, `SELECT body FROM feedback_originals WHERE feedback_id = ?`, feedbackID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: original of %s: %w", feedbackID, err)
	}
	return body, nil
}

// FeedbackLinks returns the tags and requests of each of the items, so a list page can
// show them without one query per item.
func (s *Store) FeedbackLinks(ctx context.Context, itemIDs []string) (tags, requests map[string][]string, err error) {
	tags, requests = map[string][]string{}, map[string][]string{}
	if err := eachIn(ctx, s.read(), itemIDs, listInto(tags), `SELECT feedback_id, tag_id FROM feedback_tags WHERE feedback_id IN (%s) ORDER BY feedback_id, tag_id`); err != nil {
		return nil, nil, fmt.Errorf("store: feedback links: %w", err)
	}
	if err := eachIn(ctx, s.read(), itemIDs, listInto(requests), `SELECT feedback_id, request_id FROM request_links WHERE feedback_id IN (%s) ORDER BY feedback_id, request_id`); err != nil {
		return nil, nil, fmt.Errorf("store: feedback links: %w", err)
	}
	return tags, requests, nil
}

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
	err := eachIn(ctx, s.read(), itemIDs, listInto(out), `SELECT feedback_id, tag_id FROM feedback_tags WHERE feedback_id IN (%s) ORDER BY feedback_id, added_at, tag_id`)
	if err != nil {
		return nil, fmt.Errorf("store: feedback tag ids: %w", err)
	}
	return out, nil
}
