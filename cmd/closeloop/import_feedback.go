package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/store"
)

// feedbackImportHelp documents the columns for 'closeloop import feedback --help'.
const feedbackImportHelp = `Feedback columns: text (required), quote, source (default csv), kind, email, name,
person_external_id, account_external_id, external_id, external_url, occurred_at
(YYYY-MM-DD or RFC 3339), tags (| between tag paths such as "Editor › Tables", or tag
ids). Rows already imported (same source and external_id, or the same content when
there is no external_id) are counted as duplicates and not written again. A file from
'closeloop export feedback' imports as it is: its id, status, account_name and
request_ids columns are read past, and rows whose id is already in this database are
duplicates.`

// feedbackExportHelp documents 'closeloop export feedback --help'.
const feedbackExportHelp = `Writes every feedback item as CSV, oldest first, streamed from one database
snapshot (a million items are not held in memory). Columns: id, occurred_at (RFC 3339,
UTC), source, kind, status, account_external_id, account_name, person_external_id,
email, name, text, quote, external_id, external_url, tags (tag paths such as
"Editor › Tables › Formulas" separated by |; a tag whose name holds | is written as its
id), request_ids (linked request ids separated by |).
'closeloop import feedback' reads the file back: into another install after its
accounts and tags are imported, or into this one, where every row is a duplicate.
A cell starting with =, +, - or @ (which a spreadsheet would run as a formula) is
written with a leading apostrophe; import removes it again.`

// importFeedback runs 'closeloop import feedback FILE.csv' once the store is open: all
// or nothing, the first bad row reported by line and column.
func importFeedback(ctx context.Context, s *store.Store, r io.Reader, stdout io.Writer) error {
	created, dups, err := csvio.ImportFeedback(ctx, s, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "feedback: %d created, %d duplicates\n", created, dups)
	return nil
}
