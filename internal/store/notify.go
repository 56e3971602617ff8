package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/id"
)

// Outbox kinds and statuses. The outbox is the queue every outbound message (email,
// webhook) goes through; notify.Worker drains it.
const (
	OutboxEmail   = "email"
	OutboxWebhook = "webhook"

	OutboxQueued  = "queued"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxSkipped = "skipped"
)

// OutboxItem is one queued outbound message.
type OutboxItem struct {
	ID            string          `json:"id"`
	Kind          string          `json:"kind"`
	Ref           string          `json:"ref"` // what it was made for: a loop email, a webhook endpoint
	Payload       json.RawMessage `json:"payload"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LastError     string          `json:"last_error"`
	CreatedAt     time.Time       `json:"created_at"`
	SentAt        time.Time       `json:"sent_at"`
}

// OutboxAttempt is one line of the delivery log.
type OutboxAttempt struct {
	OutboxID string    `json:"outbox_id"`
	At       time.Time `json:"at"`
	OK       bool      `json:"ok"`
	Error    string    `json:"error"`
}

const outboxCols = `id, kind, ref, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at`

func scanOutbox(sc interface{ Scan(...any) error }) (OutboxItem, error) {
	var o OutboxItem
	var payload string
	var next, created, sent int64
	err := sc.Scan(&o.ID, &o.Kind, &o.Ref, &payload, &o.Status, &o.Attempts, &next, &o.LastError, &created, &sent)
	o.Payload = json.RawMessage(payload)
	o.NextAttemptAt, o.CreatedAt, o.SentAt = fromMS(next), fromMS(created), fromMS(sent)
	return o, wrapf(notFound(err), "scan outbox")
}

// queueJSON queues v, as JSON, as an outbox item of kind made for ref.
func (s *Store) queueJSON(ctx context.Context, q q, kind, ref string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.insertOutbox(ctx, q, &OutboxItem{Kind: kind, Ref: ref, Payload: raw})
}

func (s *Store) insertOutbox(ctx context.Context, q q, o *OutboxItem) error {
	now := s.Now()
	o.ID, o.Status, o.Attempts, o.CreatedAt = id.NewAt(now), OutboxQueued, 0, now
	if o.NextAttemptAt.IsZero() {
		o.NextAttemptAt = now
	}
	_, err := q.exec(ctx, `INSERT INTO outbox (id, kind, ref, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
		o.ID, o.Kind, o.Ref, string(o.Payload), o.Status, ms(o.NextAttemptAt), ms(now))
	return wrapf(err, "insert outbox")
}

// EnqueueOutbox queues messages in one transaction (all or none), due at their
// NextAttemptAt (now when zero). IDs and statuses are filled in.
func (s *Store) EnqueueOutbox(ctx context.Context, items ...*OutboxItem) error {
	return wrapf(s.tx(ctx, func(q q) error {
		for _, o := range items {
			if err := s.insertOutbox(ctx, q, o); err != nil {
				return err
			}
		}
		return nil
	}), "store: enqueue outbox")
}

// GetOutbox returns one outbox row.
func (s *Store) GetOutbox(ctx context.Context, outboxID string) (OutboxItem, error) {
	return scanOutbox(s.read().row(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, outboxID))
}

// OutboxFilter selects outbox rows for the admin's delivery view.
type OutboxFilter struct {
	Kind   string
	Status string
	Ref    string
	Limit  int // default 50, at most 500
}

// ListOutbox returns outbox rows newest first.
func (s *Store) ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxItem, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	query := `SELECT ` + outboxCols + ` FROM outbox WHERE 1=1`
	var args []any
	for col, v := range map[string]string{"kind": f.Kind, "status": f.Status, "ref": f.Ref} {
		if v != "" {
			query += ` AND ` + col + ` = ?`
			args = append(args, v)
		}
	}
	out, err := collect(ctx, s.read(), scanOutbox, query+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	return out, wrapf(err, "store: list outbox")
}

// claimable is a row due for an attempt: queued and due, or left 'sending' by a worker
// whose lease ran out (it crashed mid-send; the message may go out twice, which
// receivers tolerate through Message-ID / X-Closeloop-Delivery, rather than never).
const claimable = `((status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND locked_until <= ?))`

// ClaimOutbox marks up to limit due rows 'sending' for this worker until now+lease,
// counts the attempt, and returns them. Several workers (app instances) may claim at
// once: on PostgreSQL the SELECT skips rows another transaction has locked, and on
// both dialects each row is taken by a conditional UPDATE whose RowsAffected says
// whether this worker won it, so no row is claimed twice.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = 20
	}
	lock := s.d.forUpdate()
	if lock != "" {
		lock += " SKIP LOCKED" // let concurrent workers take other rows instead of waiting
	}
	var out []OutboxItem
	err := s.tx(ctx, func(q q) error {
		out = out[:0]
		ids, err := strs(ctx, q, `SELECT id FROM outbox WHERE `+claimable+` ORDER BY next_attempt_at, id LIMIT ?`+lock, ms(now), ms(now), limit)
		if err != nil {
			return err
		}
		for _, oid := range ids {
			res, err := q.exec(ctx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ? WHERE id = ? AND `+claimable,
				ms(now.Add(lease)), oid, ms(now), ms(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue // another worker won it
			}
			o, err := scanOutbox(q.row(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, oid))
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, wrapf(err, "store: claim outbox")
}

// ReleaseOutbox hands claimed rows that were never attempted back to the queue, due
// at once, without counting the attempt ClaimOutbox counted: the worker is stopping.
func (s *Store) ReleaseOutbox(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return wrapf(s.tx(ctx, func(q q) error {
		for _, oid := range ids {
			if _, err := q.exec(ctx, `UPDATE outbox SET status = 'queued', attempts = attempts - 1, locked_until = 0
				WHERE id = ? AND status = 'sending'`, oid); err != nil {
				return fmt.Errorf("store: release outbox %s: %w", oid, err)
			}
		}
		return nil
	}), "store: release outbox")
}

// OutboxResult is the outcome of one attempt at a claimed row.
type OutboxResult struct {
	ID string
	At time.Time
	// OK: delivered. Skipped: nothing was sent and nothing will be (the recipient
	// unsubscribed, the endpoint is gone); Error says why.
	OK, Skipped bool
	Error       string
	// RetryAt schedules the next attempt after a failure; zero gives up (failed).
	RetryAt time.Time
	// Touchpoint is recorded with a delivered email, on the person's account (filled
	// in from the person). A person without an account gets no touchpoint: there is
	// no timeline to put it on.
	Touchpoint *account.Touchpoint
}

// FinishOutbox records an attempt in the delivery log and moves the row (and the
// close-the-loop draft made for it, if any) to its next state, in one transaction so
// the log, the queue and the draft never disagree.
func (s *Store) FinishOutbox(ctx context.Context, r OutboxResult) error {
	status, draft := OutboxSent, "sent"
	switch {
	case r.OK:
	case r.Skipped:
		status, draft = OutboxSkipped, "skipped"
	case !r.RetryAt.IsZero():
		status, draft = OutboxQueued, "queued"
	default:
		status, draft = OutboxFailed, "failed"
	}
	sentAt := int64(0)
	if r.OK {
		sentAt = ms(r.At)
	}
	return wrapf(s.tx(ctx, func(q q) error {
		if _, err := q.exec(ctx, `INSERT INTO outbox_attempts (id, outbox_id, at, ok, error) VALUES (?, ?, ?, ?, ?)`,
			id.NewAt(r.At), r.ID, ms(r.At), r.OK, r.Error); err != nil {
			return err
		}
		if err := changed(q.exec(ctx, `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ?, locked_until = 0, sent_at = ? WHERE id = ?`,
			status, r.Error, ms(r.RetryAt), sentAt, r.ID)); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE loop_emails SET status = ?, updated_at = ? WHERE outbox_id = ?`, draft, ms(r.At), r.ID); err != nil {
			return err
		}
		if r.OK && r.Touchpoint != nil {
			return s.insertDeliveryTouchpoint(ctx, q, r.Touchpoint)
		}
		return nil
	}), "store: finish outbox")
}

// insertDeliveryTouchpoint records a sent email on the person's account. A touchpoint
// that cannot be recorded (no account, invalid) is dropped rather than failing the
// transaction: the message has gone out and must be marked sent.
func (s *Store) insertDeliveryTouchpoint(ctx context.Context, q q, t *account.Touchpoint) error {
	if t.AccountID == "" && t.PersonID != "" {
		if err := q.row(ctx, `SELECT COALESCE(account_id, '') FROM people WHERE id = ?`, t.PersonID).Scan(&t.AccountID); err != nil {
			return nil
		}
	}
	t.Normalize()
	if t.Validate() != nil {
		return nil
	}
	t.ID, t.CreatedAt = id.NewAt(t.OccurredAt), s.Now()
	_, err := q.exec(ctx, `INSERT INTO touchpoints (id, account_id, person_id, member_id, kind, direction, occurred_at, summary, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.AccountID, nullable(t.PersonID), nullable(t.MemberID), string(t.Kind), string(t.Direction), ms(t.OccurredAt), t.Summary, ms(t.CreatedAt))
	return wrapf(err, "insert delivery touchpoint")
}

// RequeueOutbox puts a failed (or skipped) row back in the queue, due now, with a
// fresh retry budget: the admin's "retry" after fixing SMTP settings or an endpoint.
func (s *Store) RequeueOutbox(ctx context.Context, outboxID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		now := ms(s.Now())
		if err := changed(q.exec(ctx, `UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, locked_until = 0
			WHERE id = ? AND status IN ('failed', 'skipped')`, now, outboxID)); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE loop_emails SET status = 'queued', updated_at = ? WHERE outbox_id = ? AND unsubscribed = FALSE`, now, outboxID)
		return err
	}), "store: requeue outbox %s", outboxID)
}

// OutboxAttempts returns the delivery log of one row, oldest first.
func (s *Store) OutboxAttempts(ctx context.Context, outboxID string) ([]OutboxAttempt, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (OutboxAttempt, error) {
		var a OutboxAttempt
		var at int64
		err := sc.Scan(&a.OutboxID, &at, &a.OK, &a.Error)
		a.At = fromMS(at)
		return a, err
	}, `SELECT outbox_id, at, ok, error FROM outbox_attempts WHERE outbox_id = ? ORDER BY at, id`, outboxID)
	return out, wrapf(err, "store: outbox attempts %s", outboxID)
}
