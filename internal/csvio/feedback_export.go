package csvio

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

// feedbackExportOnly are columns an export writes that an import reads past: the
// item's id (an import skips ids already in the database), its status, the account's
// name and the linked request ids (a capture cannot set those).
var feedbackExportOnly = []string{"id", "status", "account_name", "request_ids"}

// FeedbackExportColumns are the columns of 'closeloop export feedback', in order.
var FeedbackExportColumns = []string{"id", "occurred_at", "source", "kind", "status", "account_external_id", "account_name",
	"person_external_id", "email", "name", "text", "quote", "external_id", "external_url", "tags", "request_ids"}

// exportPageSize is how many items the export reads at a time.
var exportPageSize = 1000

// ExportFeedback writes every feedback item as CSV, oldest first, one page at a time
// from one database snapshot, so a million items stream through without being held in
// memory. Tags are written as paths ("Editor › Tables") separated by "|" — or as the
// tag id when a name in the path contains "|" —, linked requests as ids separated by
// "|". The file imports back with 'closeloop import feedback'.
func ExportFeedback(ctx context.Context, s *store.Store, w io.Writer) (int, error) {
	tree, err := s.TagTree(ctx)
	if err != nil {
		return 0, err
	}
	tagRef := func(id string) string {
		if p := tree.PathString(id); p != "" && !strings.Contains(p, "|") {
			return p
		}
		return id // a tag deleted since the tree was read, or a name holding "|"
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(FeedbackExportColumns); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, len(FeedbackExportColumns))
	err = s.ExportFeedback(ctx, exportPageSize, func(e store.FeedbackExport) error {
		tags := make([]string, len(e.TagIDs))
		for i, id := range e.TagIDs {
			tags[i] = tagRef(id)
		}
		rec = append(rec[:0], e.ID, e.OccurredAt.UTC().Format(time.RFC3339Nano), string(e.Source), string(e.Kind), string(e.Status),
			e.AccountExternalID, e.AccountName, e.PersonExternalID, e.PersonEmail, e.PersonName, e.Text, e.Quote, e.ExternalID,
			e.ExternalURL, strings.Join(tags, "|"), strings.Join(e.RequestIDs, "|"))
		if err := cw.Write(defuse(rec)); err != nil {
			return err
		}
		n++
		if n%exportPageSize == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
