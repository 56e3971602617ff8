package app

import (
	"context"
	"fmt"

	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
)

// SchemaBehindError is OpenStore's refusal to work on a database that lacks
// migrations this build needs while CLOSELOOP_AUTO_MIGRATE is off: an operator who
// turned it off wants to choose when the schema changes, and a command that ran on
// the old schema would fail half-way instead.
type SchemaBehindError struct{ Pending int }

func (e *SchemaBehindError) Error() string {
	return fmt.Sprintf("the database is %d migration(s) behind this closeloop and CLOSELOOP_AUTO_MIGRATE is false: run 'closeloop migrate' first", e.Pending)
}

// OpenStore opens the configured database for a command that needs the current
// schema (serve and every CLI command that reads or writes data). With
// cfg.AutoMigrate (the default) it applies pending migrations; without, it refuses
// with a *SchemaBehindError when any are pending.
func OpenStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	s, err := OpenStoreAsIs(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.AutoMigrate {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	n, err := s.Pending(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	if n > 0 {
		s.Close()
		return nil, &SchemaBehindError{Pending: n}
	}
	return s, nil
}

// OpenStoreAsIs opens the configured database without migrating or checking its
// schema: for `closeloop migrate` itself and for `backup`, which copies whatever is
// there.
func OpenStoreAsIs(ctx context.Context, cfg config.Config) (*store.Store, error) {
	s, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	s.Tiers = cfg.Tiers
	return s, nil
}
