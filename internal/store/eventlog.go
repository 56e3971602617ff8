package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The domain event log: an append-only table of what happened (feedback created, a
// request's status changed, a vote cast, …), written in the transaction of the change
// itself, so an event exists exactly when its change committed. Consumers (outbound
// webhooks today; signals, health marks, playbooks later) each read the log in
// sequence order from their own checkpoint.
//
// Ordering: sequence numbers are handed out in commit order and without gaps, from
// event_state's one row under its lock (migration 0010). A consumer that has read up
// to N therefore never sees an event below N commit later, and "seq > checkpoint"
// cannot skip one — the problem with a plain PostgreSQL sequence, whose numbers
// commit out of order when transactions overlap. On PostgreSQL the number is taken
// at commit, by a deferred constraint trigger, so the lock is held only for the
// commit itself: writers do not queue behind a long transaction, and a lock taken
// mid-transaction cannot deadlock with row locks. The alternatives were weaker:
// reading only below the oldest in-flight transaction needs transaction ids in every
// row and a two-part checkpoint; retrying gaps for a grace period loses an event whose
// transaction outlives the grace. SQLite has a single writer, so there the number is
// simply taken at append.
//
// Retention: events are kept for EventRetention, then removed by the event-prune job,
// but never before every consumer has passed them.

// Event is one entry of the log.
type Event struct {
	Seq       int64
	Kind      string
	AccountID string // the customer account it concerns, "" when none
	Subject   string // the id of the thing that changed
	At        time.Time
	Data      json.RawMessage
}

// EventRetention is how long the log keeps an event that every consumer has handled.
const EventRetention = 90 * 24 * time.Hour

// appendEvent records an event in q's transaction. Its sequence number is final only
// once the transaction commits (on PostgreSQL the row holds a negative placeholder
// until then), so it is not returned.
func (s *Store) appendEvent(ctx context.Context, q q, kind, accountID, subject string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("store: event %s: %w", kind, err)
	}
	seq, args := `-nextval('event_pending_seq')`, []any{} // numbered at commit by events_number_at_commit
	if s.d.name() != "postgres" {
		var n int64
		if err := q.row(ctx, `UPDATE event_state SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq`).Scan(&n); err != nil {
			return fmt.Errorf("store: event %s: next sequence: %w", kind, err)
		}
		seq, args = "?", append(args, n)
	}
	args = append(args, kind, accountID, subject, ms(s.Now()), string(raw))
	if _, err := q.exec(ctx, `INSERT INTO events (seq, kind, account_id, subject, occurred_at, data) VALUES (`+seq+`, ?, ?, ?, ?, ?)`, args...); err != nil {
		return fmt.Errorf("store: event %s: %w", kind, err)
	}
	return nil
}

func readEvents(ctx context.Context, q q, after int64, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = 100
	}
	out, err := collect(ctx, q, func(sc scanner) (Event, error) {
		var e Event
		var at int64
		var data string
		err := sc.Scan(&e.Seq, &e.Kind, &e.AccountID, &e.Subject, &at, &data)
		e.At, e.Data = fromMS(at), json.RawMessage(data)
		return e, err
	}, `SELECT seq, kind, account_id, subject, occurred_at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	return out, wrapf(err, "store: read events after %d", after)
}

// Events returns up to limit events after sequence after, oldest first.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]Event, error) {
	return readEvents(ctx, s.read(), after, limit)
}

// EventCheckpoint is the last sequence consumer name has handled (0 before its first).
func (s *Store) EventCheckpoint(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := s.read().row(ctx, `SELECT last_seq FROM event_consumers WHERE name = ?`, name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: event checkpoint %s: %w", name, err)
	}
	return seq, nil
}

// consumeTx is the consumer API for consumers inside the store: it hands fn the next
// batch after consumer name's checkpoint and, in the same transaction as fn's own
// writes through q, advances the checkpoint past the batch — so the batch is handled
// exactly once, or (on error) not at all. The checkpoint row is locked for the
// transaction, so two instances never take the same batch. It returns how many
// events the batch held (0: caught up).
func (s *Store) consumeTx(ctx context.Context, name string, limit int, fn func(q q, evs []Event) error) (int, error) {
	var n int
	err := s.tx(ctx, func(q q) error {
		n = 0
		if _, err := q.exec(ctx, `INSERT INTO event_consumers (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		var last int64
		if err := q.row(ctx, `SELECT last_seq FROM event_consumers WHERE name = ?`+s.d.forUpdate(), name).Scan(&last); err != nil {
			return err
		}
		evs, err := readEvents(ctx, q, last, limit)
		if err != nil || len(evs) == 0 {
			return err
		}
		if err := fn(q, evs); err != nil {
			return err
		}
		n = len(evs)
		_, err = q.exec(ctx, `UPDATE event_consumers SET last_seq = ?, updated_at = ? WHERE name = ?`, evs[len(evs)-1].Seq, ms(s.Now()), name)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: event consumer %s: %w", name, err)
	}
	return n, nil
}

// ErrCheckpointMoved is Consume's answer when another process advanced the same
// consumer's checkpoint while fn ran: the batch was handled twice.
var ErrCheckpointMoved = errors.New("store: event consumer checkpoint moved meanwhile")

// Consume is the consumer API for consumers outside the store, which write through
// their own store calls: it hands fn the next batch after consumer name's checkpoint
// and advances the checkpoint when fn returns nil. fn's writes are not in the
// checkpoint's transaction, so a crash between the two hands the batch out again:
// delivery is at least once, and fn should be idempotent (key its effects by Seq).
// Run a consumer as a cluster job (one instance at a time); should two runs overlap
// anyway, the later one gets ErrCheckpointMoved. It returns the batch size.
func (s *Store) Consume(ctx context.Context, name string, limit int, fn func(ctx context.Context, evs []Event) error) (int, error) {
	last, err := s.EventCheckpoint(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("store: consume: %w", err)
	}
	evs, err := readEvents(ctx, s.read(), last, limit)
	if err != nil || len(evs) == 0 {
		return 0, wrapf(err, "store: consume")
	}
	if err := fn(ctx, evs); err != nil {
		return 0, fmt.Errorf("store: consume: %w", err)
	}
	if err := s.tx(ctx, func(q q) error {
		if _, err := q.exec(ctx, `INSERT INTO event_consumers (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		res, err := q.exec(ctx, `UPDATE event_consumers SET last_seq = ?, updated_at = ? WHERE name = ? AND last_seq = ?`,
			evs[len(evs)-1].Seq, ms(s.Now()), name, last)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrCheckpointMoved
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("store: event consumer %s: %w", name, err)
	}
	return len(evs), nil
}

// PruneEvents removes events that happened before before and that every consumer
// with a checkpoint has handled; it returns how many.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.writer().exec(ctx, `DELETE FROM events WHERE occurred_at < ?
		AND seq <= (SELECT COALESCE(MIN(last_seq), 0) FROM event_consumers)`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("store: prune events: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
