package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/closeloop/closeloop/internal/app"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	rebuildAt := rankRebuildAt
	cfg, _, err := loadConfig("migrate [flags]", `Applies every database migration not yet applied, each in its own transaction, then
brings the ranking roll-ups up to date (after an upgrade that adds them, this counts all
existing feedback once; the server would otherwise do it in the background). When an
upgrade has marked many items (at least --rebuild-at), the roll-ups are rebuilt in one
pass, as closeloop rebuild ranking does: at 1M items that is about a minute, where
applying the marks one batch at a time takes tens of minutes.`, args, func(fs *flag.FlagSet) {
		fs.IntVar(&rebuildAt, "rebuild-at", rebuildAt, "rebuild the ranking roll-ups in one pass when at least this many items are marked")
	})
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
	rebuilt, backlog, err := catchUpRanking(ctx, s, rebuildAt, rebuildProgress())
	if err != nil {
		return err
	}
	if rebuilt {
		fmt.Fprintf(stdout, "ranking: %d items were marked, rebuilt in one pass\n", backlog)
	} else if err := s.SyncRank(ctx, s.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ranking roll-ups up to date in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
