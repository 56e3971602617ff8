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

// dedupChunk bounds the ids per statement (two parameters each on insert).
const dedupChunk = 1000

// dedupUsage marks duplicates in outs and returns the indexes of the fresh events, in
// order. An id is recorded in the current bucket with one INSERT … ON CONFLICT DO
// NOTHING RETURNING, which tells the ids new to this bucket (and on PostgreSQL makes a
// concurrent transaction inserting the same id wait and then see it); of those, the
// ones already in the previous bucket are duplicates too.
func dedupUsage(ctx context.Context, q q, evs []UsageEvent, bucket int64, outs []UsageOutcome) ([]int, error) {
	first := make(map[string]int, len(evs))
	ids := make([]string, 0, len(evs))
	for i := range evs {
		id := evs[i].MessageID
		if _, dup := first[id]; dup {
			outs[i].Duplicate = true
			continue
		}
		first[id] = i
		ids = append(ids, id)
	}
	newHere := make(map[string]bool, len(ids))
	for start := 0; start < len(ids); start += dedupChunk {
		chunk := ids[start:min(start+dedupChunk, len(ids))]
		var sb strings.Builder
		sb.WriteString(dedupInsert(q.d))
		args := make([]any, 0, 2*len(chunk))
		for k, id := range chunk {
			if k > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?)")
			args = append(args, bucket, id)
		}
		sb.WriteString(dedupConflict(q.d) + " RETURNING message_id")
		if err := collectStrings(ctx, q, sb.String(), args, func(id string) { newHere[id] = true }); err != nil {
			return nil, fmt.Errorf("usage de-duplication: %w", err)
		}
	}
	candidates := make([]string, 0, len(newHere))
	for _, id := range ids {
		if newHere[id] {
			candidates = append(candidates, id)
		}
	}
	seenBefore := map[string]bool{}
	for start := 0; start < len(candidates); start += dedupChunk {
		chunk := candidates[start:min(start+dedupChunk, len(candidates))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, bucket-1)
		for _, id := range chunk {
			args = append(args, id)
		}
		query := "SELECT message_id FROM usage_dedup WHERE bucket = ? AND message_id IN (" + usageMarks(len(chunk)) + ")"
		if err := collectStrings(ctx, q, query, args, func(id string) { seenBefore[id] = true }); err != nil {
			return nil, fmt.Errorf("usage de-duplication: %w", err)
		}
	}
	fresh := make([]int, 0, len(candidates))
	for i := range evs {
		id := evs[i].MessageID
		if outs[i].Duplicate {
			continue
		}
		if !newHere[id] || seenBefore[id] {
			outs[i].Duplicate = true
			continue
		}
		fresh = append(fresh, i)
	}
	return fresh, nil
}

// dedupInsert and dedupConflict make the de-duplication insert skip the ids already
// in the bucket. SQLite's INSERT OR IGNORE does it without a statement journal: with
// ON CONFLICT DO NOTHING the NOT NULL checks may still abort the statement, so SQLite
// first copied every page the insert touched — random ids, a page each — to the
// statement journal, a temporary file.
func dedupInsert(d dialect) string {
	if d.name() == "sqlite" {
		return "INSERT OR IGNORE INTO usage_dedup (bucket, message_id) VALUES "
	}
	return "INSERT INTO usage_dedup (bucket, message_id) VALUES "
}

func dedupConflict(d dialect) string {
	if d.name() == "sqlite" {
		return ""
	}
	return " ON CONFLICT (bucket, message_id) DO NOTHING"
}

func usageMarks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func collectStrings(ctx context.Context, q q, query string, args []any, fn func(string)) error {
	err := each(ctx, q, func(sc scanner) error {
		v, err := one[string](sc)
		fn(v)
		return err
	}, query, args...)
	return wrapf(err, "collect strings")
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
