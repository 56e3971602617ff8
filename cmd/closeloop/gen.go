package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/demo"
)

func runGen(ctx context.Context, args []string, stdout io.Writer) error {
	var accounts, months int
	var seed uint64
	cfg, _, err := loadConfig("gen [flags]", `Generates realistic customer data into the configured database (DATABASE_URL or the
SQLite file in the data dir): accounts across tiers and plans, months of MRR movements
(new, expansion, contraction, churn, reactivation), people, contracts and touchpoints.
The same --seed gives the same data. Runs add to what is there.`, args, func(fs *flag.FlagSet) {
		fs.IntVar(&accounts, "accounts", 1000, "number of accounts to add")
		fs.Uint64Var(&seed, "seed", 1, "random seed")
		fs.IntVar(&months, "months", 18, "months of MRR history")
	})
	if err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer s.Close()
	existing, err := s.CountAccounts(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := demo.Generate(ctx, s, demo.Options{Accounts: accounts, Seed: seed, Months: months, StartAt: existing,
		Progress: func(done, total int) {
			if done%10000 == 0 || done == total {
				fmt.Fprintf(os.Stderr, "  %d/%d accounts (%s)\n", done, total, time.Since(start).Round(time.Second))
			}
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d accounts, %d people, %d contracts, %d MRR movements, %d touchpoints into %s in %s\n",
		sum.Accounts, sum.People, sum.Contracts, sum.Movements, sum.Touchpoints, s.Dialect(), time.Since(start).Round(time.Millisecond))
	return nil
}
