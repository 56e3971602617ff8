package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/app"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := loadConfig("migrate [flags]", "Applies every database migration not yet applied, each in its own transaction.", args, nil)
	if err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, cfg, false)
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
		return nil
	}
	fmt.Fprintf(stdout, "applied migrations %v to the %s database\n", applied, s.Dialect())
	return nil
}
