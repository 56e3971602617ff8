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
	err := s.tx(ctx, func(q q) error {
		outs = make([]UsageOutcome, len(evs)) // fresh on every attempt
		bucket := s.Now().UnixMilli() / window.Milliseconds()
		fresh, err := dedupUsage(ctx, q, evs, bucket, outs)
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
// order. One statement records the group's ids in the current bucket and returns the
// ids it inserted, each with whether the previous bucket holds it too: an id already
// in the current bucket is skipped by the insert (and on PostgreSQL a concurrent
// transaction inserting the same id waits for this one and then skips it); one in the
// previous bucket is a duplicate as well, and is now recorded in the current one, so
// an id is caught for at least one window after it was last seen. The ids go in as
// one JSON array, so the statement's text is the same for every group and stays
// prepared (a VALUES list and an IN list of 800 ids were parsed on every commit).
func dedupUsage(ctx context.Context, q q, evs []UsageEvent, bucket int64, outs []UsageOutcome) ([]int, error) {
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
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("usage de-duplication: %w", err)
	}
	rows, err := q.query(ctx, dedupInsert(q.d), bucket, string(list), bucket-1)
	if err != nil {
		return nil, fmt.Errorf("usage de-duplication: %w", err)
	}
	defer rows.Close()
	fresh := make(map[string]bool, len(ids))
	for rows.Next() {
		var id string
		var before bool
		if err := rows.Scan(&id, &before); err != nil {
			return nil, fmt.Errorf("usage de-duplication: %w", err)
		}
		fresh[id] = !before
	}
	if err := rows.Err(); err != nil {
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

// dedupKey is a messageId as usage_dedup holds it: without NULs, as the store drops
// them from every argument (and so from the stored message_id), and valid UTF-8, so
// that it goes through the JSON array unchanged (ingest's ids already are).
func dedupKey(id string) string {
	return strings.ToValidUTF8(dropNUL(id), "\uFFFD")
}

// dedupInsert is the de-duplication statement: the bucket, the JSON array of ids and
// the previous bucket are its arguments. SQLite's INSERT OR IGNORE skips the ids
// already in the bucket without a statement journal: with ON CONFLICT DO NOTHING the
// NOT NULL checks could still abort the statement, so SQLite first copied every page
// the insert touched — random ids, a page each — to a temporary file.
func dedupInsert(d dialect) string {
	const seen = ` RETURNING message_id, EXISTS (SELECT 1 FROM usage_dedup AS d WHERE d.bucket = ? AND d.message_id = usage_dedup.message_id)`
	if d.name() == "sqlite" {
		return `INSERT OR IGNORE INTO usage_dedup (bucket, message_id) SELECT ?, value FROM json_each(?)` + seen
	}
	return `INSERT INTO usage_dedup (bucket, message_id) SELECT CAST(? AS BIGINT), value FROM json_array_elements_text(CAST(? AS json))
		ON CONFLICT (bucket, message_id) DO NOTHING` + seen
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
	var n int64
	err := s.tx(ctx, func(q q) error {
		res, err := q.exec(ctx, `DELETE FROM usage_dedup WHERE bucket < ?`, bucket-1)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, wrapf(err, "store: prune usage dedup")
}
