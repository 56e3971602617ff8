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
there is no external_id) are counted as duplicates and not written again.`

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
