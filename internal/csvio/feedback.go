package csvio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// feedbackColumns are the feedback CSV columns.
var feedbackColumns = []string{"text", "quote", "source", "kind", "email", "name", "person_external_id",
	"account_external_id", "external_id", "external_url", "occurred_at", "tags"}

var knownFeedback = set(set(map[string]bool{}, feedbackColumns), feedbackExportOnly)

// kindRepl lets a spreadsheet say "Feature request" or "churn-reason".
var kindRepl = strings.NewReplacer(" ", "_", "-", "_")

// FeedbackRow is one parsed row: the capture, the tag references it names (paths or
// ids, resolved against the taxonomy at import), the item id an export wrote (if any)
// and its line in the file.
type FeedbackRow struct {
	Capture feedback.Capture
	Tags    []string
	ID      string
	Line    int
}

// ParseFeedback reads a feedback CSV. Everything that can be checked without the
// database is checked here, so a bad file fails before any lookup.
func ParseFeedback(r io.Reader) ([]FeedbackRow, error) {
	t, err := readTable(r, knownFeedback, []string{"text"}, false)
	if err != nil {
		// readTable's list of known columns is the accounts and people one.
		var ce *Error
		if errors.As(err, &ce) && ce.Line == 1 && strings.HasPrefix(ce.Msg, "unknown column") {
			ce.Msg = fmt.Sprintf("unknown column %q (known: %s)", ce.Column, strings.Join(feedbackColumns, ", "))
		}
		return nil, err
	}
	// Dates without a time of day are read as midnight UTC; Normalize would move a
	// future date to now, so the check below uses the same clock for every row.
	now := time.Now().UTC()
	rows, _, err := parseRows(t, func(i int, fail rowFail) (FeedbackRow, error) {
		cell := func(col string) string { v, _ := t.cell(i, col); return v }
		c := feedback.Capture{Text: cell("text"), Quote: cell("quote"), Source: feedback.Source(strings.ToLower(cell("source"))),
			Kind: feedback.Kind(kindRepl.Replace(strings.ToLower(cell("kind")))), Email: cell("email"), Name: cell("name"),
			PersonExternalID: cell("person_external_id"), AccountExternalID: cell("account_external_id"),
			ExternalID: cell("external_id"), ExternalURL: cell("external_url")}
		if c.Source == "" {
			c.Source = feedback.SourceCSV
		}
		if v := cell("occurred_at"); v != "" {
			at, err := time.Parse(time.DateOnly, v)
			if err != nil {
				if at, err = time.Parse(time.RFC3339, v); err != nil {
					return FeedbackRow{}, fail("occurred_at", "%q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", v)
				}
			}
			c.OccurredAt = at.UTC()
		}
		var tags []string
		for _, ref := range strings.Split(cell("tags"), "|") {
			if ref = strings.TrimSpace(ref); ref != "" && !slices.Contains(tags, ref) {
				tags = append(tags, ref)
			}
		}
		// Without the channel's own id, a hash of the row stands in for it: importing
		// the same file again (or a file that repeats rows of an earlier one) then
		// finds the items already there instead of doubling every count in rankings.
		// ImportFeedback rehashes with the resolved tag ids.
		if c.ExternalID == "" {
			c.IdempotencyKey = contentKey(c, tags)
		}
		// Validate a normalized copy: the store normalizes again at capture.
		check := c
		check.Normalize(now)
		if err := check.Validate(); err != nil {
			var fe *errs.FieldError
			if errors.As(err, &fe) {
				return FeedbackRow{}, fail(fe.Field, "%s", fe.Msg)
			}
			return FeedbackRow{}, fail("", "%v", err)
		}
		return FeedbackRow{Capture: c, Tags: tags, ID: cell("id"), Line: t.lines[i]}, nil
	})
	return rows, err
}

// contentKey hashes what a row says, field by field, so the key depends neither on
// column order nor on how a tag is named (path or id, once resolved).
func contentKey(c feedback.Capture, tags []string) string {
	tags = slices.Clone(tags)
	slices.Sort(tags)
	at := ""
	if !c.OccurredAt.IsZero() {
		at = c.OccurredAt.UTC().Format(time.RFC3339Nano)
	}
	kind := c.Kind
	if kind == "" {
		kind = feedback.Other // what Normalize makes of it
	}
	h := sha256.New()
	for _, v := range []string{c.Text, c.Quote, string(c.Source), string(kind), strings.ToLower(c.Email), c.Name,
		c.PersonExternalID, c.AccountExternalID, c.ExternalURL, at, strings.Join(tags, "|")} {
		fmt.Fprintf(h, "%d:%s", len(v), v) // length-prefixed: no two rows hash the same input
	}
	return "csv:" + hex.EncodeToString(h.Sum(nil))[:40]
}

// ImportFeedback parses r, resolves tags and captures every row in one transaction:
// all or nothing. Rows already imported (same source and external_id, or the same
// content when there is no external_id) are counted as duplicates, not written again;
// so are rows of an export (an id column) whose item is in this database already.
func ImportFeedback(ctx context.Context, s *store.Store, r io.Reader) (created, duplicates int, err error) {
	all, err := ParseFeedback(r)
	if err != nil {
		return 0, 0, err
	}
	if len(all) == 0 {
		return 0, 0, &Error{Line: 2, Msg: "no rows to import"}
	}
	resolve, err := tagResolver(ctx, s)
	if err != nil {
		return 0, 0, err
	}
	var ids []string
	for _, row := range all {
		if row.ID != "" {
			ids = append(ids, row.ID)
		}
	}
	here, err := s.ExistingFeedbackIDs(ctx, ids)
	if err != nil {
		return 0, 0, err
	}
	rows := make([]FeedbackRow, 0, len(all))
	for _, row := range all {
		if !here[row.ID] {
			rows = append(rows, row)
		}
	}
	cs := make([]feedback.Capture, len(rows))
	for i, row := range rows {
		cs[i] = row.Capture
		for _, ref := range row.Tags {
			id, ok := resolve(ref)
			if !ok {
				return 0, 0, &Error{Line: row.Line, Column: "tags", Msg: fmt.Sprintf("%q is neither a tag path (such as Editor › Tables) nor a tag id", ref)}
			}
			if !slices.Contains(cs[i].TagIDs, id) {
				cs[i].TagIDs = append(cs[i].TagIDs, id)
			}
		}
		if cs[i].ExternalID == "" {
			cs[i].IdempotencyKey = contentKey(cs[i], cs[i].TagIDs)
		}
	}
	// One call, one transaction: a file is imported whole or not at all.
	_, created, err = s.CaptureBatch(ctx, cs)
	if err != nil {
		var be *errs.ItemError
		var fe *errs.FieldError
		if errors.As(err, &be) && be.Index < len(rows) && errors.As(be.Err, &fe) {
			col := fe.Field
			if col == "tag_ids" {
				col = "tags"
			}
			return 0, 0, &Error{Line: rows[be.Index].Line, Column: col, Msg: fe.Msg}
		}
		return 0, 0, err // a database failure, not the file's fault
	}
	return created, len(all) - created, nil
}

// tagResolver maps a tag reference to a tag id: an id (of a live tag, or of one merged
// away, followed to where it went) or a path of names from the root joined by ›,
// matched in any case and spacing.
func tagResolver(ctx context.Context, s *store.Store) (func(string) (string, bool), error) {
	tags, err := s.ListTags(ctx)
	if err != nil {
		return nil, err
	}
	merges, err := s.TagMerges(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Tag, len(tags))
	for _, t := range tags {
		byID[t.ID] = t
	}
	byPath := make(map[string]string, len(tags))
	for _, t := range tags {
		var names []string
		for cur, n := t.ID, 0; cur != "" && n <= len(tags); n++ {
			p, ok := byID[cur]
			if !ok {
				break
			}
			names = append(names, p.Name)
			cur = p.ParentID
		}
		slices.Reverse(names)
		byPath[pathKey(strings.Join(names, "›"))] = t.ID
	}
	return func(ref string) (string, bool) {
		if _, ok := byID[ref]; ok {
			return ref, true
		}
		if into, ok := merges[ref]; ok {
			if _, ok := byID[into]; ok {
				return into, true
			}
		}
		id, ok := byPath[pathKey(ref)]
		return id, ok
	}, nil
}

// pathKey canonicalizes a tag path: segments trimmed and lower-cased (sibling names
// are unique in any case).
func pathKey(p string) string {
	parts := strings.Split(p, "›")
	for i, s := range parts {
		parts[i] = strings.ToLower(strings.Join(strings.Fields(s), " "))
	}
	return strings.Join(parts, "\x00")
}
