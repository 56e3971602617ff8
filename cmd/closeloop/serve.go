package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/closeloop/closeloop/internal/app"
)

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	rebuildAt := rankRebuildAt
	cfg, _, err := loadConfig("serve [flags]", `Runs the web UI and the JSON API until interrupted (SIGINT/SIGTERM drain in-flight
requests). Migrations are applied at start unless CLOSELOOP_AUTO_MIGRATE=false. On
SQLite, when an upgrade has marked many ranking items (at least --rebuild-at), the
roll-ups are rebuilt in one pass before serving (about a minute at 1M items), rather
than drained in the background while ranking pages count from the raw evidence.`, args, func(fs *flag.FlagSet) {
		fs.IntVar(&rebuildAt, "rebuild-at", rebuildAt, "on SQLite, rebuild the ranking roll-ups before serving when at least this many items are marked")
	})
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	// Only on SQLite: nothing else writes yet, and its one writer would otherwise stop
	// the server's writes for the rebuild's write phase. On PostgreSQL several
	// instances may start at once; the background sync drains the marks there.
	if s.Dialect() == "sqlite" {
		start := time.Now()
		rebuilt, backlog, err := catchUpRanking(ctx, s, rebuildAt, nil)
		if err != nil {
			return err
		}
		if rebuilt {
			log.Info("ranking roll-ups rebuilt in one pass before serving", "marked", backlog, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	a := app.New(cfg, s, log)
	return a.Serve(ctx, func(addr string) {
		log.Info("closeloop serving", "addr", addr, "url", cfg.BaseURL, "database", s.Dialect())
		fmt.Fprintf(stdout, "closeloop is running at %s\n", cfg.BaseURL)
	})
}
