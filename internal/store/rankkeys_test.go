package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

// A database upgraded from roll-ups kept under text keys (before migration rank_keys, which
// drops them and marks every unit): until a sync has counted again ranking counts the
// raw evidence, and afterwards the roll-ups equal it and a rebuild, row for row.
func TestRankKeysMigrationRecountsOldRollups(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := storetest.OpenEmpty(t, dialect)
		storetest.Must(t, s.MigrateBefore(ctx, "rank_keys"))
		now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		f := newRankFixture(t, s, now)
		// What a sync under the old schema leaves: text-keyed rows, no marks.
		for _, stmt := range []string{
			`INSERT INTO rank_items (unit, account_id, person_id, day, subjects) VALUES ('` + f.items[0] + `', '` + f.accounts[0] + `', '` + f.people[0] + `', 20000, '` + f.tags[0] + `')`,
			`INSERT INTO rank_subjects (subject, kind, people, total, last30, prior30, last90) VALUES ('` + f.tags[0] + `', 'tag', 1, 1, 0, 0, 0)`,
			`INSERT INTO rank_members (subject, account_id, n) VALUES ('` + f.tags[0] + `', '` + f.accounts[0] + `', 1)`,
			`DELETE FROM rank_dirty`,
		} {
			storetest.Must(t, s.ExecRaw(ctx, stmt))
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		rollupsMatchRaw(t, s, now, "after the upgrade to integer keys")
		if diff, err := s.DerivedDiff(ctx, "ranking", now); err != nil || diff != "" {
			t.Fatalf("after the upgrade: diff %q, err %v", diff, err)
		}
	})
}
