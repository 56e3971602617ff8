package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// OpenStore is how every command opens the database: it migrates when
// CLOSELOOP_AUTO_MIGRATE is on and refuses a schema that is behind when it is off.
func TestOpenStoreHonoursAutoMigrate(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			cfg := config.Default()
			cfg.DatabaseURL = storetest.DSN(t, d)

			// Fresh database, auto-migrate off: refused, and nothing was applied.
			cfg.AutoMigrate = false
			_, err := app.OpenStore(ctx, cfg)
			var behind *app.SchemaBehindError
			if !errors.As(err, &behind) {
				t.Fatalf("fresh database with auto-migrate off: err = %v, want SchemaBehindError", err)
			}
			if !strings.Contains(err.Error(), "closeloop migrate") || !strings.Contains(err.Error(), "CLOSELOOP_AUTO_MIGRATE") {
				t.Errorf("message does not say what to do: %q", err)
			}
			raw, err := app.OpenStoreAsIs(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			n, err := raw.Pending(ctx)
			raw.Close()
			if err != nil || n != behind.Pending || n == 0 {
				t.Fatalf("after the refusal pending = %d, %v; the refusal said %d", n, err, behind.Pending)
			}

			// Auto-migrate on (the default): migrated.
			cfg.AutoMigrate = true
			s, err := app.OpenStore(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := s.Pending(ctx); n != 0 || err != nil {
				t.Fatalf("pending after OpenStore with auto-migrate = %d, %v", n, err)
			}
			s.Close()

			// Current schema, auto-migrate off: opens.
			cfg.AutoMigrate = false
			s, err = app.OpenStore(ctx, cfg)
			if err != nil {
				t.Fatalf("current schema with auto-migrate off: %v", err)
			}
			s.Close()
		})
	}
}
