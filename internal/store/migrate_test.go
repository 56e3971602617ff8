package store_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.DSN(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
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
}
