package store_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d string) {
		ctx := context.Background()
		s := storetest.OpenEmpty(t, d)
		if n, _ := s.Pending(ctx); n == 0 {
			t.Fatal("fresh database reports no pending migrations")
		}
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) == 0 {
			t.Fatalf("first migrate: %v %v", applied, err)
		}
		again, err := s.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, err %v", again, err)
		}
		if n, err := s.Pending(ctx); n != 0 || err != nil {
			t.Fatalf("pending after migrate = %d, %v", n, err)
		}
		if s.Dialect() != d {
			t.Fatalf("dialect %q, want %q", s.Dialect(), d)
		}
	})
}

// The shipped migrations are numbered 1, 2, 3… with none missing on either dialect:
// a gap means a file was lost (at run time versions are applied as a set, so a gap left
// by parallel work would not otherwise be noticed).
func TestMigrationsHaveNoGaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		vs, err := s.MigrationVersions()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vs {
			if v != i+1 {
				t.Fatalf("migration %04d is missing (versions %v)", i+1, vs)
			}
		}
	})
}
