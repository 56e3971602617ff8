package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// UsageEvent is one Segment-style message, decoded and checked by internal/ingest,
// ready to store. Payload is the message as it is kept (JSON object).
type UsageEvent struct {
	MessageID   string
	Type        string // track, identify, group, page, screen, alias
	Event       string // track: the event; page/screen: the name
	UserID      string
	AnonymousID string
	GroupID     string // group: groupId; other types: context.groupId
	PreviousID  string // alias
	Timestamp   time.Time
	ReceivedAt  time.Time
	Traits      json.RawMessage // identify and group: the traits object, if any
	Payload     []byte
	// AccountID is read only by InsertUsageRaw (CommitUsage attributes events itself).
	AccountID string
}

// UsageOutcome is what CommitUsage did with one event.
type UsageOutcome struct {
	// Duplicate: the messageId was seen within the de-duplication window (or earlier in
	// the same commit); nothing was stored.
	Duplicate bool
	// Err is an identity change (identify, group, alias) the account rules refused, an
	// *errs.FieldError. The raw event is stored all the same.
	Err error
}

// UsageStats counts stored usage events.
type UsageStats struct {
	Events     int // rows
	MessageIDs int // distinct messageIds
	Pending    int // not attributed to an account yet
}

const usageCols = "message_id, type, event, user_id, anonymous_id, group_id, account_id, ts, day, received_at, payload"

// DefaultUsageRetention is how long raw usage events are kept: every derived figure
// (the daily roll-ups) can be rebuilt from them over that span.
const DefaultUsageRetention = 400 * 24 * time.Hour

// CommitUsage stores a group of events in one transaction: it drops messageIds seen
// within window (de-duplication), applies the identity calls in order, attributes every
// stored event to an account where it can, and inserts the rows. outs[i] belongs to
// evs[i]. An error means nothing was stored.
func (s *Store) CommitUsage(ctx context.Context, evs []UsageEvent, window time.Duration) ([]UsageOutcome, error) {
	if window <= 0 {
		return nil, errors.New("store: de-duplication window must be positive")
	}
	if len(evs) == 0 {
		return nil, nil
	}
	var outs []UsageOutcome
	var seen []seenRow // SQLite: the rows appended to usage_seen, for s.seen once committed
	if s.seen != nil {
		s.seen.mu.Lock()
		defer s.seen.mu.Unlock()
		// Most of what others appended (all of the log, after a restart) is read
		// before the writer is taken, so the transaction reads only the last of it.
		if err := s.seen.catchUp(ctx, s.read()); err != nil {
			return nil, fmt.Errorf("store: commit usage: %w", err)
		}
	}
	err := s.tx(ctx, func(q q) error {
		outs = make([]UsageOutcome, len(evs)) // fresh on every attempt
		bucket := s.Now().UnixMilli() / window.Milliseconds()
		lookup := func(ids []string) (map[string]bool, error) { return dedupInsert(ctx, q, ids, bucket) }
		if s.seen != nil {
			lookup = func(ids []string) (fresh map[string]bool, err error) {
				fresh, seen, err = s.seen.dedup(ctx, q, ids, bucket)
				return fresh, err
			}
		}
		fresh, err := dedupUsage(evs, outs, lookup)
		if err != nil {
			return err
		}
		ids := newIdentities(s, q)
		for _, i := range fresh {
			switch evs[i].Type {
			case "identify", "group", "alias":
				err := ids.apply(ctx, &evs[i])
				var fe *errs.FieldError
				if errors.As(err, &fe) {
					outs[i].Err = fe
				} else if err != nil {
					return err
				}
			}
		}
		accounts, err := ids.attribute(ctx, evs, fresh)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(fresh))
		for k, i := range fresh {
			rows = append(rows, usageRow(&evs[i], accounts[k]))
		}
		return insertRows(ctx, q, "usage_events", usageCols, rows)
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit usage: %w", err)
	}
	if s.seen != nil {
		s.seen.committed(seen)
	}
	return outs, nil
}

func usageRow(e *UsageEvent, accountID string) []any {
	ts := e.Timestamp.UTC()
	return []any{e.MessageID, e.Type, e.Event, e.UserID, e.AnonymousID, e.GroupID, accountID,
		ts.UnixMilli(), ts.Format(time.DateOnly), ms(e.ReceivedAt), string(e.Payload)}
}

// dedupChunk bounds the values of one IN list in the identity look-ups.
const dedupChunk = 1000

// dedupUsage marks duplicates in outs and returns the indexes of the fresh events, in
// order. A messageId repeated within the group is a duplicate of its first; lookup
// records the group's distinct ids in the de-duplication window and says which are
// new (dedupInsert on PostgreSQL, the seenIDs log on SQLite).
func dedupUsage(evs []UsageEvent, outs []UsageOutcome, lookup func(ids []string) (map[string]bool, error)) ([]int, error) {
	keys := make([]string, len(evs))
	first := make(map[string]bool, len(evs))
	ids := make([]string, 0, len(evs))
	for i := range evs {
		k := dedupKey(evs[i].MessageID)
		keys[i] = k
		if first[k] {
			outs[i].Duplicate = true
			continue
		}
		first[k] = true
		ids = append(ids, k)
	}
	fresh, err := lookup(ids)
	if err != nil {
		return nil, fmt.Errorf("usage de-duplication: %w", err)
	}
	out := make([]int, 0, len(fresh))
	for i := range evs {
		if outs[i].Duplicate {
			continue
		}
		if !fresh[keys[i]] {
			outs[i].Duplicate = true
			continue
		}
		out = append(out, i)
	}
	return out, nil
}

// dedupInsert records ids in the current bucket of usage_dedup (PostgreSQL) and says
// which are new: one statement inserts them and returns each id it inserted, with
// whether the previous bucket holds it too. An id already in the current bucket is
// skipped by the insert (and a concurrent transaction of another instance inserting
// the same id waits for this one and then skips it); one in the previous bucket is a
// duplicate as well, and is now recorded in the current one, so an id is caught for
// at least one window after it was last seen. The ids go in as one JSON array, so the
// statement's text is the same for every group and stays prepared.
func dedupInsert(ctx context.Context, q q, ids []string, bucket int64) (map[string]bool, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	fresh := make(map[string]bool, len(ids))
	err = each(ctx, q, func(sc scanner) error {
		var id string
		var before bool
		err := sc.Scan(&id, &before)
		fresh[id] = !before
		return err
	}, `INSERT INTO usage_dedup (bucket, message_id) SELECT CAST(? AS BIGINT), value FROM json_array_elements_text(CAST(? AS json))
		ON CONFLICT (bucket, message_id) DO NOTHING
		RETURNING message_id, EXISTS (SELECT 1 FROM usage_dedup AS d WHERE d.bucket = ? AND d.message_id = usage_dedup.message_id)`,
		bucket, string(list), bucket-1)
	return fresh, err
}

// dedupKey is a messageId as usage_dedup holds it: without NULs, as the store drops
// them from every argument (and so from the stored message_id), and valid UTF-8, so
// that it goes through the JSON array unchanged (ingest's ids already are).
func dedupKey(id string) string {
	return strings.ToValidUTF8(dropNUL(id), "\uFFFD")
}

// InsertUsageRaw inserts events as they are, in one transaction, with no
// de-duplication and no attribution: the baseline `closeloop bench ingest` compares
// ingestion against.
func (s *Store) InsertUsageRaw(ctx context.Context, evs []UsageEvent) error {
	rows := make([][]any, len(evs))
	for i := range evs {
		rows[i] = usageRow(&evs[i], evs[i].AccountID)
	}
	return wrapf(s.tx(ctx, func(q q) error { return insertRows(ctx, q, "usage_events", usageCols, rows) }), "store: insert usage raw")
}

// UsageStats counts the stored events.
func (s *Store) UsageStats(ctx context.Context) (UsageStats, error) {
	var st UsageStats
	err := s.read().row(ctx, `SELECT COUNT(*), COUNT(DISTINCT message_id), COALESCE(SUM(CASE WHEN account_id = '' THEN 1 ELSE 0 END), 0) FROM usage_events`).
		Scan(&st.Events, &st.MessageIDs, &st.Pending)
	return st, wrapf(err, "store: usage stats")
}

// UsageAccounts returns the account each stored event is attributed to ("" when
// none yet), by messageId.
func (s *Store) UsageAccounts(ctx context.Context) (map[string]string, error) {
	out, err := stringMap(ctx, s.read(), `SELECT message_id, account_id FROM usage_events`)
	return out, wrapf(err, "store: usage accounts")
}

// UsagePayload returns the stored payload and corrected timestamp of one event.
func (s *Store) UsagePayload(ctx context.Context, messageID string) (json.RawMessage, time.Time, error) {
	var p string
	var ts int64
	err := s.read().row(ctx, `SELECT payload, ts FROM usage_events WHERE message_id = ?`, messageID).Scan(&p, &ts)
	return json.RawMessage(p), time.UnixMilli(ts).UTC(), wrapf(notFound(err), "store: usage payload %s", messageID)
}

// usagePruneStep bounds one DELETE of old events, so that pruning a backlog is many
// short transactions instead of one that holds the writer for minutes.
const usagePruneStep = time.Hour

// PruneUsage deletes raw events received before cutoff, an hour of them per
// transaction, oldest first, and returns how many it deleted.
func (s *Store) PruneUsage(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for {
		var oldest *int64
		if err := s.read().row(ctx, `SELECT MIN(received_at) FROM usage_events`).Scan(&oldest); err != nil {
			return total, fmt.Errorf("store: prune usage: %w", err)
		}
		if oldest == nil || *oldest >= ms(cutoff) {
			return total, nil
		}
		upTo := min(*oldest+usagePruneStep.Milliseconds(), ms(cutoff))
		var n int64
		err := s.tx(ctx, func(q q) error {
			res, err := q.exec(ctx, `DELETE FROM usage_events WHERE received_at < ?`, upTo)
			if err == nil {
				n, err = res.RowsAffected()
			}
			return err
		})
		if err != nil {
			return total, fmt.Errorf("store: prune usage: %w", err)
		}
		total += n
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("store: prune usage: %w", err)
		}
	}
}

// PruneUsageDedup forgets the messageIds of buckets older than the previous one: they
// can no longer make an event a duplicate.
func (s *Store) PruneUsageDedup(ctx context.Context, window time.Duration) (int64, error) {
	if window <= 0 {
		return 0, errors.New("store: de-duplication window must be positive")
	}
	bucket := s.Now().UnixMilli() / window.Milliseconds()
	table := "usage_dedup"
	if s.seen != nil {
		table = "usage_seen"
		defer s.seen.forget(bucket)
	}
	var n int64
	err := s.tx(ctx, func(q q) error {
		res, err := q.exec(ctx, `DELETE FROM `+table+` WHERE bucket < ?`, bucket-1)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, wrapf(err, "store: prune usage dedup")
}
