package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/app"
)

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := loadConfig("serve [flags]", `Runs the web UI and the JSON API until interrupted (SIGINT/SIGTERM drain in-flight
requests). Migrations are applied at start unless CLOSELOOP_AUTO_MIGRATE=false.`, args, nil)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	a := app.New(cfg, s, log)
	return a.Serve(ctx, func(addr string) {
		log.Info("closeloop serving", "addr", addr, "url", cfg.BaseURL, "database", s.Dialect())
		fmt.Fprintf(stdout, "closeloop is running at %s\n", cfg.BaseURL)
	})
}
