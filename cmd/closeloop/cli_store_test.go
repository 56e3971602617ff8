package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// cliStore points the CLI at a fresh migrated database of dialect (through
// CLOSELOOP_DATA_DIR and DATABASE_URL, as a user's shell would) and opens the same
// database for the test to set up and check; it is closed when the test ends.
func cliStore(t *testing.T, dialect string) *store.Store {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "closeloop.db")
	if dialect == "postgres" {
		dsn = storetest.DSN(t, "postgres")
	}
	t.Setenv("CLOSELOOP_DATA_DIR", dir)
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("CLOSELOOP_AUTO_MIGRATE", "true")
	s := storetest.OpenDSN(t, dsn)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// eachCLIStore runs fn as a subtest per dialect with a cliStore of its own.
func eachCLIStore(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, cliStore(t, d)) })
	}
}
