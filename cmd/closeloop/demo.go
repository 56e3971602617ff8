package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/store"
)

// DemoAdmin is the demo's sign-in email.
const DemoAdmin = "demo@closeloop.dev"

func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	var accounts int
	var seed uint64
	var fresh bool
	cfg, fs, err := loadConfig("demo [flags]", `Runs closeloop populated with demo data on the embedded SQLite database: about 300
accounts across tiers and plans with 18 months of MRR history, people, contracts
renewing over the coming year, touchpoints, a 200-tag taxonomy, a few thousand feedback
items from every channel, feature requests with votes (one shipped yesterday), and 18
months of product usage (accounts that churned used it less and less before leaving). It prints the URL, an admin sign-in and
an admin API key. Without --data-dir it uses a new temporary folder each time.`, args, func(fs *flag.FlagSet) {
		fs.IntVar(&accounts, "accounts", 300, "number of demo accounts")
		fs.Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same accounts")
		fs.BoolVar(&fresh, "fresh", true, "refuse a data dir that already holds a database")
	})
	if err != nil {
		return err
	}
	dirSet := false
	fs.Visit(func(f *flag.Flag) { dirSet = dirSet || f.Name == "data-dir" })
	if _, ok := os.LookupEnv("CLOSELOOP_DATA_DIR"); !ok && !dirSet {
		dir, err := os.MkdirTemp("", "closeloop-demo-")
		if err != nil {
			return err
		}
		cfg.DataDir = dir
	}
	cfg.DatabaseURL = ""   // the demo always runs on the embedded database
	cfg.AutoMigrate = true // …which is fresh, so it always needs the schema
	if _, err := os.Stat(cfg.SQLitePath()); err == nil && fresh {
		return fmt.Errorf("demo: %s already holds a database; use another --data-dir or 'closeloop serve'", cfg.DataDir)
	}
	log := app.NewLogger(cfg)
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	// The health story adds its own accounts: generate the rest, so --accounts is the total.
	sum, err := demo.Generate(ctx, s, demo.Options{Accounts: max(1, accounts-demo.StoryAccounts), Seed: seed})
	if err != nil {
		return err
	}
	voc, err := demo.GenerateVoC(ctx, s, demo.VoCOptions{Tags: 200, Items: accounts * 10, Requests: 60, Seed: seed})
	if err != nil {
		return err
	}
	usage, err := demo.GenerateUsage(ctx, s, demo.UsageOptions{Events: accounts * 1000, Seed: seed})
	if err != nil {
		return err
	}
	// Northwind's red story, Brightside's missed goal, goals for onboarding accounts,
	// and a month of health history with its signals and tasks.
	if _, err := demo.GenerateHealth(ctx, s, demo.HealthOptions{}); err != nil {
		return err
	}
	// Cancellation survey answers for the last year's churns: the churn-reasons report.
	if _, err := demo.GenerateCancellations(ctx, s, demo.CancellationOptions{Seed: seed}); err != nil {
		return err
	}
	// A sent NPS survey with promoters, passives, detractors and comments, so
	// /surveys shows a real NPS (its emails are never sent).
	if _, err := demo.GenerateSurveys(ctx, s); err != nil {
		return err
	}
	// Demo exchange rates, so EUR and GBP accounts count in the USD rankings. A real
	// install enters its own in ranking settings.
	rs, err := s.RankSettings(ctx)
	if err != nil {
		return err
	}
	rs.Rates = map[string]float64{"EUR": 1.08, "GBP": 1.27}
	if err := s.PutSetting(ctx, "ranking", rs); err != nil {
		return err
	}
	password, key, err := demoCredentials(ctx, s)
	if err != nil {
		return err
	}
	a := app.New(cfg, s, log)
	abs, _ := filepath.Abs(cfg.DataDir)
	return a.Serve(ctx, func(addr string) {
		fmt.Fprintf(stdout, "closeloop demo is running at %s\n", cfg.BaseURL)
		fmt.Fprintf(stdout, "Data dir: %s (%d accounts, %d people, %d MRR movements, %d touchpoints, %d tags, %d feedback items, %d requests, %d usage events; generated in %s)\n",
			abs, sum.Accounts+demo.StoryAccounts, sum.People, sum.Movements, sum.Touchpoints, voc.Tags, voc.Items, voc.Requests, usage.Events, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(stdout, "Sign in: %s / %s\n", DemoAdmin, password)
		fmt.Fprintf(stdout, "API key: %s\n", key)
		fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	})
}

// demoCredentials makes the demo admin with a fresh random password and an admin key.
func demoCredentials(ctx context.Context, s *store.Store) (password, key string, err error) {
	password = auth.NewPassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", "", err
	}
	m := auth.Member{Email: DemoAdmin, Name: "Demo Admin", Role: auth.RoleAdmin, PasswordHash: hash}
	if err := s.CreateMember(ctx, &m); err != nil {
		return "", "", err
	}
	_, key, err = s.CreateAPIKey(ctx, "demo", []auth.Scope{auth.ScopeAdmin}, m.ID)
	return password, key, err
}
