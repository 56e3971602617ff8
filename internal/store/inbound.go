package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/sentiment"
)

// Inbound webhooks (migration 0012): the replay cache every instance shares, feedback
// waiting for an account that does not exist yet, and the raw deliveries kept so a
// parsing fix can be re-run.

// ReserveDelivery records a delivery's key until now+ttl and reports whether it was
// new (or its earlier record had expired). It is one statement, so two instances
// reserving the same key at once cannot both win.
func (s *Store) ReserveDelivery(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := q{s.w, s.d}.exec(ctx, `INSERT INTO inbound_deliveries (delivery_key, expires_at) VALUES (?, ?)
		ON CONFLICT (delivery_key) DO UPDATE SET expires_at = excluded.expires_at
		WHERE inbound_deliveries.expires_at <= ?`, key, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, fmt.Errorf("store: reserve delivery: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrapf(err, "store: reserve delivery")
}

// ReleaseDelivery forgets a key: the delivery was not processed, so the vendor's retry
// must be let in.
func (s *Store) ReleaseDelivery(ctx context.Context, key string) error {
	_, err := q{s.w, s.d}.exec(ctx, `DELETE FROM inbound_deliveries WHERE delivery_key = ?`, key)
	return wrapf(err, "store: release delivery")
}

// PendingAccount is a captured item whose help desk named an organisation that is
// not (yet) an account.
type PendingAccount struct {
	FeedbackID        string
	Source            string
	AccountExternalID string
	CreatedAt         time.Time
}

// AddPendingAccount remembers that an item names an account external id that does not
// exist yet, so it is attached when it does.
func (s *Store) AddPendingAccount(ctx context.Context, feedbackID, source, accountExternalID string) error {
	_, err := q{s.w, s.d}.exec(ctx, `INSERT INTO inbound_pending_accounts (feedback_id, source, account_external_id, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (feedback_id) DO NOTHING`, feedbackID, source, accountExternalID, ms(s.Now()))
	return wrapf(err, "store: add pending account feedbackID=%v accountExternalID=%v", feedbackID, accountExternalID)
}

// PendingAccounts lists the items waiting for an account, oldest first.
func (s *Store) PendingAccounts(ctx context.Context, limit int) ([]PendingAccount, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out, err := collect(ctx, s.read(), func(sc scanner) (PendingAccount, error) {
		var p PendingAccount
		var at int64
		err := sc.Scan(&p.FeedbackID, &p.Source, &p.AccountExternalID, &at)
		p.CreatedAt = time.UnixMilli(at).UTC()
		return p, err
	}, `SELECT feedback_id, source, account_external_id, created_at FROM inbound_pending_accounts
		ORDER BY created_at, feedback_id LIMIT ?`, limit)
	return out, wrapf(err, "store: pending accounts")
}

// AttachPendingAccounts gives each waiting item (and its person, if they have no
// account) the account that now carries the external id it named, and forgets it. An
// item someone attached by hand in the meantime keeps its account. It returns how
// many items were attached.
func (s *Store) AttachPendingAccounts(ctx context.Context) (int, error) {
	type match struct{ feedbackID, accountID string }
	var found []match
	rows, err := s.read().query(ctx, `SELECT p.feedback_id, a.id FROM inbound_pending_accounts p
		JOIN accounts a ON a.external_id = p.account_external_id ORDER BY p.created_at LIMIT 500`)
	if err != nil {
		return 0, fmt.Errorf("store: attach pending accounts: %w", err)
	}
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.feedbackID, &m.accountID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: attach pending accounts: %w", err)
		}
		found = append(found, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: attach pending accounts: %w", err)
	}
	n := 0
	for _, m := range found {
		err := s.tx(ctx, func(q q) error {
			now := ms(s.Now())
			var person sql.NullString
			err := q.row(ctx, `SELECT person_id FROM feedback WHERE id = ? AND account_id IS NULL`, m.feedbackID).Scan(&person)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				// attached by hand meanwhile (or gone): nothing to do but forget it
			case err != nil:
				return err
			default:
				if _, err := q.exec(ctx, `UPDATE feedback SET account_id = ?, updated_at = ? WHERE id = ?`, m.accountID, now, m.feedbackID); err != nil {
					return err
				}
				if person.Valid {
					if _, err := q.exec(ctx, `UPDATE people SET account_id = ?, updated_at = ? WHERE id = ? AND account_id IS NULL`, m.accountID, now, person.String); err != nil {
						return err
					}
				}
				n++
			}
			_, err = q.exec(ctx, `DELETE FROM inbound_pending_accounts WHERE feedback_id = ?`, m.feedbackID)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("store: attach pending accounts: %w", err)
		}
	}
	return n, nil
}

// RawDelivery is the delivery behind a captured item.
type RawDelivery struct {
	FeedbackID string
	Source     string
	Headers    string // JSON object of the headers that matter for parsing
	Body       []byte
	ReceivedAt time.Time
}

// KeepRawDelivery stores the raw delivery of a captured item until keepFor has passed.
func (s *Store) KeepRawDelivery(ctx context.Context, feedbackID, source, headers string, body []byte, receivedAt time.Time, keepFor time.Duration) error {
	if body == nil {
		body = []byte{}
	}
	_, err := q{s.w, s.d}.exec(ctx, `INSERT INTO inbound_payloads (feedback_id, source, headers, body, received_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (feedback_id) DO NOTHING`,
		feedbackID, source, headers, body, ms(receivedAt), ms(receivedAt.Add(keepFor)))
	return wrapf(err, "store: keep raw delivery %s", feedbackID)
}

// RawDeliveriesSince returns the kept deliveries received at or after since, oldest
// first, at most limit of them after the feedback id after (for paging; "" to start).
func (s *Store) RawDeliveriesSince(ctx context.Context, since time.Time, after string, limit int) ([]RawDelivery, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (RawDelivery, error) {
		var d RawDelivery
		var at int64
		err := sc.Scan(&d.FeedbackID, &d.Source, &d.Headers, &d.Body, &at)
		d.ReceivedAt = time.UnixMilli(at).UTC()
		return d, err
	}, `SELECT feedback_id, source, headers, body, received_at FROM inbound_payloads
		WHERE received_at >= ? AND feedback_id > ? ORDER BY feedback_id LIMIT ?`, ms(since), after, limit)
	return out, wrapf(err, "store: raw deliveries since")
}

// UpdateParsedText replaces an item's text and quote after a re-parse of its raw
// delivery. Only the words change: tags, links, status and account stay. Sentiment is
// read from the words, so it is labelled again from the new text.
func (s *Store) UpdateParsedText(ctx context.Context, feedbackID, text, quote string) (bool, error) {
	sent := sentiment.Analyze(text)
	res, err := q{s.w, s.d}.exec(ctx, `UPDATE feedback SET text = ?, quote = ?, sentiment = ?, sentiment_score = ?, updated_at = ? WHERE id = ? AND (text <> ? OR quote <> ?)`,
		text, quote, string(sent.Label), sent.Score, ms(s.Now()), feedbackID, text, quote)
	if err != nil {
		return false, fmt.Errorf("store: update parsed text %s: %w", feedbackID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, wrapf(err, "store: update parsed text %s", feedbackID)
}

// DeleteExpiredInbound removes replay records and raw deliveries past their expiry.
func (s *Store) DeleteExpiredInbound(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, query := range []string{
		`DELETE FROM inbound_deliveries WHERE expires_at <= ?`,
		`DELETE FROM inbound_payloads WHERE expires_at <= ?`,
	} {
		res, err := q{s.w, s.d}.exec(ctx, query, ms(now))
		if err != nil {
			return total, fmt.Errorf("store: delete expired inbound: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// LearnPersonName gives a person known by email or external id a real name where they
// have none, or where their name is the placeholder the help desk made up for them
// (Intercom's lead pseudonyms); a name someone typed stays.
func (s *Store) LearnPersonName(ctx context.Context, email, externalID, name, placeholder string) error {
	if name == "" || (email == "" && externalID == "") {
		return nil
	}
	_, err := q{s.w, s.d}.exec(ctx, `UPDATE people SET name = ?, updated_at = ?
		WHERE ((? <> '' AND email = ?) OR (? <> '' AND external_id = ?)) AND (name = '' OR (? <> '' AND name = ?)) AND name <> ?`,
		name, ms(s.Now()), email, email, externalID, externalID, placeholder, placeholder, name)
	return wrapf(err, "store: learn person name %s", externalID)
}
