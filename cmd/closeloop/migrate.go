package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/closeloop/closeloop/internal/app"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := loadConfig("migrate [flags]", `Applies every database migration not yet applied, each in its own transaction, then
brings the ranking roll-ups up to date (after an upgrade that adds them, this counts all
existing feedback once; the server would otherwise do it in the background).`, args, nil)
	if err != nil {
		return err
	}
	s, err := app.OpenStoreAsIs(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "%s database is up to date\n", s.Dialect())
	} else {
		fmt.Fprintf(stdout, "applied migrations %v to the %s database\n", applied, s.Dialect())
	}
	start := time.Now()
	if err := s.SyncRank(ctx, s.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ranking roll-ups up to date in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
