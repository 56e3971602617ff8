package store

import (
	"context"
	"fmt"
)

// Backup writes a consistent snapshot of a SQLite database to path while the server
// keeps running (VACUUM INTO reads one snapshot of the WAL database). PostgreSQL has
// pg_dump for this.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d.name() != "sqlite" {
		return fmt.Errorf("backup: closeloop backup is for the embedded SQLite database; for PostgreSQL use pg_dump")
	}
	_, err := s.w.ExecContext(ctx, `VACUUM INTO ?`, path)
	return wrapf(err, "store: backup")
}
