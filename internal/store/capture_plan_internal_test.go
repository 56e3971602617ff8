package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestCaptureLookupsUseTheirIndexes: the look-ups that make a repeated capture a no-op
// (idempotency key; source and external id) and those that find its sender (account
// and person by external id, person by email) search their indexes on
// SQLite instead of scanning every feedback item, which made each captured write cost
// grow with the table.
func TestCaptureLookupsUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		args  []any
		index string
	}{
		{feedbackByKey, []any{"k"}, "feedback_idempotency"},
		{feedbackByExternal, []any{"email", "m-1"}, "feedback_external"},
		{accountByExternal, []any{"acme"}, "accounts_external_id"},
		{senderColumns + senderByExternal, []any{"u-1"}, "people_external_id"},
		{senderColumns + senderByEmail, []any{"ada@acme.com"}, "people_email"},
	} {
		rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX "+c.index) {
			t.Errorf("%s: plan %q, want a search of %s", c.query, got, c.index)
		}
	}
}
