package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
)

// Close-the-loop draft statuses.
const (
	LoopDraft   = "draft"
	LoopSkipped = "skipped"
	LoopQueued  = "queued"
	LoopSent    = "sent"
	LoopFailed  = "failed"
)

// LoopRecipient is one person who asked for or voted for a request, with their most
// recent words about it.
type LoopRecipient struct {
	PersonID     string
	AccountID    string
	Name, Email  string
	Quote        string    // of their most recent linked feedback; "" for a voter who never wrote
	Channel      string    // that feedback's source
	QuotedAt     time.Time // when they said it
	Voted        bool
	Unsubscribed bool
}

// LoopRecipients returns everyone behind a request — the people of feedback linked to
// it or to any request merged into it (at any depth), and its voters — each once,
// ordered by name then email.
func (s *Store) LoopRecipients(ctx context.Context, requestID string) ([]LoopRecipient, error) {
	q := s.read()
	ids, err := s.requestSubtree(ctx, q, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
	}
	in, args := placeholders(ids)
	unsub := `EXISTS (SELECT 1 FROM unsubscribes u WHERE u.person_id = p.id OR (p.email <> '' AND u.email = p.email))`
	byPerson := map[string]*LoopRecipient{}
	// Feedback ordered oldest first, so the last one seen per person is the most recent.
	rows, err := q.query(ctx, `SELECT p.id, COALESCE(p.account_id, ''), p.name, p.email, `+unsub+`, f.quote, f.text, f.source, f.occurred_at
		FROM request_links l JOIN feedback f ON f.id = l.feedback_id JOIN people p ON p.id = f.person_id
		WHERE l.request_id IN (`+in+`) ORDER BY f.occurred_at, f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
	}
	for rows.Next() {
		var r LoopRecipient
		var text string
		var at int64
		if err := rows.Scan(&r.PersonID, &r.AccountID, &r.Name, &r.Email, &r.Unsubscribed, &r.Quote, &text, &r.Channel, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
		}
		if strings.TrimSpace(r.Quote) == "" {
			r.Quote = feedback.DefaultQuote(text)
		}
		r.QuotedAt = fromMS(at)
		byPerson[r.PersonID] = &r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
	}
	rows, err = q.query(ctx, `SELECT p.id, COALESCE(p.account_id, ''), p.name, p.email, `+unsub+`
		FROM votes v JOIN people p ON p.id = v.person_id WHERE v.request_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
	}
	for rows.Next() {
		var r LoopRecipient
		if err := rows.Scan(&r.PersonID, &r.AccountID, &r.Name, &r.Email, &r.Unsubscribed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
		}
		if have, ok := byPerson[r.PersonID]; ok {
			have.Voted = true
			continue
		}
		r.Voted = true
		byPerson[r.PersonID] = &r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: loop recipients %s: %w", requestID, err)
	}
	out := make([]LoopRecipient, 0, len(byPerson))
	for _, r := range byPerson {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name)
		if a != b {
			return a < b
		}
		if out[i].Email != out[j].Email {
			return out[i].Email < out[j].Email
		}
		return out[i].PersonID < out[j].PersonID
	})
	return out, nil
}

// LoopEmail is a close-the-loop draft: one person, one shipped request.
type LoopEmail struct {
	ID           string    `json:"id"`
	RequestID    string    `json:"request_id"`
	PersonID     string    `json:"person_id"`
	Email        string    `json:"email"` // "" when the person cannot be emailed
	Name         string    `json:"name"`
	Subject      string    `json:"subject"`
	BodyText     string    `json:"body_text"`
	Quote        string    `json:"quote"`
	Channel      string    `json:"channel"`
	QuotedAt     time.Time `json:"quoted_at"`
	Voted        bool      `json:"voted"`
	Status       string    `json:"status"`
	OutboxID     string    `json:"outbox_id"`
	Unsubscribed bool      `json:"unsubscribed"`
	Edited       bool      `json:"edited"` // subject or body rewritten by a team member
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// autoSkipped reports a draft skipped by the system (no email, unsubscribed) rather
// than by a team member, so a later Prepare may revive it.
func (e LoopEmail) autoSkipped() bool { return e.Email == "" || e.Unsubscribed }

const loopCols = `id, request_id, person_id, email, name, subject, body_text, quote, channel, quoted_at, voted, status,
	COALESCE(outbox_id, ''), unsubscribed, edited, created_at, updated_at`

func scanLoopEmail(sc interface{ Scan(...any) error }) (LoopEmail, error) {
	var e LoopEmail
	var quoted, created, updated int64
	err := sc.Scan(&e.ID, &e.RequestID, &e.PersonID, &e.Email, &e.Name, &e.Subject, &e.BodyText, &e.Quote, &e.Channel, &quoted,
		&e.Voted, &e.Status, &e.OutboxID, &e.Unsubscribed, &e.Edited, &created, &updated)
	e.QuotedAt, e.CreatedAt, e.UpdatedAt = fromMS(quoted), fromMS(created), fromMS(updated)
	return e, wrapf(notFound(err), "scan loop email")
}

// SaveLoopDrafts writes the drafts Prepare made for a request, in one transaction.
// A new person gets a row. An existing row is refreshed only while nothing was sent:
// a draft (or a system-skipped row) takes the new content and status; a row a team
// member skipped takes the new content but stays skipped; queued, sent and failed rows
// are left alone. A subject and body a team member edited are kept as written, unless
// the person's address changed since (the edit, and its unsubscribe link, were for the
// old one). It returns all of the request's rows.
func (s *Store) SaveLoopDrafts(ctx context.Context, requestID string, drafts []LoopEmail) ([]LoopEmail, error) {
	err := s.tx(ctx, func(q q) error {
		now := s.Now()
		for _, d := range drafts {
			old, err := scanLoopEmail(q.row(ctx, `SELECT `+loopCols+` FROM loop_emails WHERE request_id = ? AND person_id = ?`+s.d.forUpdate(), requestID, d.PersonID))
			if errors.Is(err, ErrNotFound) {
				_, err = q.exec(ctx, `INSERT INTO loop_emails (id, request_id, person_id, email, name, subject, body_text, quote, channel,
					quoted_at, voted, status, unsubscribed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					id.NewAt(now), requestID, d.PersonID, d.Email, d.Name, d.Subject, d.BodyText, d.Quote, d.Channel, ms(d.QuotedAt),
					d.Voted, d.Status, d.Unsubscribed, ms(now), ms(now))
				if err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if old.Status != LoopDraft && old.Status != LoopSkipped {
				continue
			}
			status := d.Status
			if old.Status == LoopSkipped && !old.autoSkipped() {
				status = LoopSkipped
			}
			// An unsubscribe is never undone, even by a Prepare that read the
			// recipients just before it landed.
			unsub := d.Unsubscribed || old.Unsubscribed
			if unsub {
				status = LoopSkipped
			}
			subject, body, edited := d.Subject, d.BodyText, false
			if old.Edited && old.Email == d.Email {
				subject, body, edited = old.Subject, old.BodyText, true
			}
			_, err = q.exec(ctx, `UPDATE loop_emails SET email = ?, name = ?, subject = ?, body_text = ?, quote = ?, channel = ?, quoted_at = ?,
				voted = ?, status = ?, unsubscribed = ?, edited = ?, updated_at = ? WHERE id = ?`,
				d.Email, d.Name, subject, body, d.Quote, d.Channel, ms(d.QuotedAt), d.Voted, status, unsub, edited, ms(now), old.ID)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save loop drafts %s: %w", requestID, err)
	}
	return s.ListLoopEmails(ctx, requestID)
}

// ListLoopEmails returns a request's drafts: those that can be emailed first, by name.
func (s *Store) ListLoopEmails(ctx context.Context, requestID string) ([]LoopEmail, error) {
	out, err := collect(ctx, s.read(), scanLoopEmail, `SELECT `+loopCols+` FROM loop_emails WHERE request_id = ?
		ORDER BY CASE WHEN email = '' THEN 1 ELSE 0 END, LOWER(name), email, id`, requestID)
	return out, wrapf(err, "store: list loop emails %s", requestID)
}

// GetLoopEmail returns one draft.
func (s *Store) GetLoopEmail(ctx context.Context, draftID string) (LoopEmail, error) {
	return scanLoopEmail(s.read().row(ctx, `SELECT `+loopCols+` FROM loop_emails WHERE id = ?`, draftID))
}

// ErrLoopState refuses a change a draft's status does not allow (editing a sent email,
// un-skipping someone who unsubscribed).
var ErrLoopState = errs.Conflict("", "this email has already been queued or sent, or the person cannot be emailed")

func (s *Store) changeDraft(ctx context.Context, query string, args ...any) error {
	res, err := s.w.ExecContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return fmt.Errorf("change draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists int
		if err := s.read().row(ctx, `SELECT COUNT(*) FROM loop_emails WHERE id = ?`, args[len(args)-1]).Scan(&exists); err != nil {
			return fmt.Errorf("change draft: %w", err)
		}
		if exists == 0 {
			return ErrNotFound
		}
		return ErrLoopState
	}
	return nil
}

// SkipLoopEmail marks a draft not to be sent.
func (s *Store) SkipLoopEmail(ctx context.Context, draftID string) error {
	return wrapf(s.changeDraft(ctx, `UPDATE loop_emails SET status = 'skipped', updated_at = ? WHERE status IN ('draft', 'failed') AND id = ?`, ms(s.Now()), draftID), "store: skip loop email %s", draftID)
}

// UnskipLoopEmail makes a skipped draft sendable again, unless the person cannot be
// emailed or unsubscribed.
func (s *Store) UnskipLoopEmail(ctx context.Context, draftID string) error {
	return wrapf(s.changeDraft(ctx, `UPDATE loop_emails SET status = 'draft', updated_at = ?
		WHERE status = 'skipped' AND email <> '' AND unsubscribed = FALSE AND id = ?`, ms(s.Now()), draftID), "store: unskip loop email %s", draftID)
}

// EditLoopEmail replaces a draft's subject and body before it is sent.
func (s *Store) EditLoopEmail(ctx context.Context, draftID, subject, body string) error {
	return wrapf(s.changeDraft(ctx, `UPDATE loop_emails SET subject = ?, body_text = ?, edited = TRUE, updated_at = ? WHERE status IN ('draft', 'skipped', 'failed') AND id = ?`,
		subject, body, ms(s.Now()), draftID), "store: edit loop email %s", draftID)
}

// QueueLoopEmail moves one draft to the outbox in one transaction. Only a draft (or a
// failed one, to retry) of a person with an email who has not unsubscribed is queued;
// the unsubscribe list is checked here, inside the transaction, so an unsubscribe that
// lands between Prepare and Send is honoured. build makes the outbox payload from the
// draft as stored. It reports whether the draft was queued.
func (s *Store) QueueLoopEmail(ctx context.Context, draftID string, build func(LoopEmail) ([]byte, error)) (queued bool, err error) {
	err = s.tx(ctx, func(q q) error {
		d, err := scanLoopEmail(q.row(ctx, `SELECT `+loopCols+` FROM loop_emails WHERE id = ?`+s.d.forUpdate(), draftID))
		if err != nil {
			return err
		}
		if (d.Status != LoopDraft && d.Status != LoopFailed) || d.Email == "" || d.Unsubscribed {
			return nil
		}
		unsub, err := isUnsubscribed(ctx, q, d.PersonID, d.Email)
		if err != nil {
			return err
		}
		now := ms(s.Now())
		if unsub {
			_, err := q.exec(ctx, `UPDATE loop_emails SET status = 'skipped', unsubscribed = TRUE, updated_at = ? WHERE id = ?`, now, d.ID)
			return err
		}
		payload, err := build(d)
		if err != nil {
			return err
		}
		o := OutboxItem{Kind: OutboxEmail, Ref: d.ID, Payload: payload}
		if err := s.insertOutbox(ctx, q, &o); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE loop_emails SET status = 'queued', outbox_id = ?, updated_at = ? WHERE id = ?`, o.ID, now, d.ID); err != nil {
			return err
		}
		queued = true
		return nil
	})
	return queued, wrapf(err, "store: queue loop email %s", draftID)
}

func isUnsubscribed(ctx context.Context, q q, personID, email string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM unsubscribes WHERE person_id = ? OR email = ?`,
		personID, strings.ToLower(strings.TrimSpace(email))).Scan(&n)
	return n > 0, wrapf(err, "is unsubscribed")
}

// IsUnsubscribed reports whether the person (or anyone with this email) unsubscribed.
func (s *Store) IsUnsubscribed(ctx context.Context, personID, email string) (bool, error) {
	return isUnsubscribed(ctx, s.read(), personID, email)
}

// Unsubscribe records that a person wants no more close-the-loop email (repeating it
// is harmless) and marks their unsent drafts, so the team sees why they are skipped.
func (s *Store) Unsubscribe(ctx context.Context, personID, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return errors.New("store: unsubscribe needs an email")
	}
	return wrapf(s.tx(ctx, func(q q) error {
		var pid any
		if personID != "" {
			ok, err := exists(ctx, q, "people", personID)
			if err != nil {
				return err
			}
			if ok {
				pid = personID // a deleted person still unsubscribes by email
			}
		}
		now := ms(s.Now())
		if _, err := q.exec(ctx, `INSERT INTO unsubscribes (email, person_id, at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING`, email, pid, now); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE loop_emails SET unsubscribed = TRUE, updated_at = ?,
			status = CASE WHEN status = 'draft' THEN 'skipped' ELSE status END
			WHERE person_id = ? OR email = ?`, now, personID, email)
		return err
	}), "store: unsubscribe %s", personID)
}
