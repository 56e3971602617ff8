package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/store"
)

func runGen(ctx context.Context, args []string, stdout io.Writer) error {
	var accounts, months, items, tags, requests, events int
	var seed uint64
	s, _, _, err := openCommand(ctx, "gen [flags]", `Generates realistic customer data into the configured database (DATABASE_URL or the
SQLite file in the data dir): accounts across tiers and plans, months of MRR movements
(new, expansion, contraction, churn, reactivation), people, contracts and touchpoints.
With --feedback N it also writes a taxonomy (--tags), feature requests with votes and N
feedback items; with --events N, about N product usage events. The same --seed gives the same data. Runs add to what is there;
--accounts 0 adds only feedback.`, args, func(fs *flag.FlagSet) {
		fs.IntVar(&accounts, "accounts", 1000, "number of accounts to add")
		fs.Uint64Var(&seed, "seed", 1, "random seed")
		fs.IntVar(&months, "months", 18, "months of MRR history")
		fs.IntVar(&items, "feedback", 0, "feedback items to add (tagged, linked to requests) on top of the people in the database")
		fs.IntVar(&tags, "tags", 700, "taxonomy size, when the database has no tags yet")
		fs.IntVar(&requests, "requests", 0, "feature requests to add (default: one per 500 feedback items, at least 20)")
		fs.IntVar(&events, "events", 0, "about this many product usage events over 18 months, spread over every account in the database (churned ones fade out before their churn)")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	existing, err := s.CountAccounts(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if accounts > 0 {
		if err := genAccounts(ctx, s, accounts, seed, months, existing, stdout, start); err != nil {
			return err
		}
	}
	if items > 0 {
		if requests == 0 {
			requests = max(20, items/500)
		}
		vstart := time.Now()
		sum, err := demo.GenerateVoC(ctx, s, demo.VoCOptions{Tags: tags, Items: items, Requests: requests, Seed: seed,
			Progress: countProgress("feedback items", 100000, vstart)})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d tags, %d requests, %d votes, %d feedback items (%d linked, %d untriaged) into %s in %s\n",
			sum.Tags, sum.Requests, sum.Votes, sum.Items, sum.Links, sum.Untriaged, s.Dialect(), time.Since(vstart).Round(time.Millisecond))
	}
	if events > 0 {
		ustart := time.Now()
		last := time.Time{}
		sum, err := demo.GenerateUsage(ctx, s, demo.UsageOptions{Events: events, Seed: seed, Progress: func(done, total int) {
			if time.Since(last) >= 5*time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "  %d/~%d usage events (%s)\n", done, total, time.Since(ustart).Round(time.Second))
			}
		}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d usage events for %d accounts, with their daily roll-ups, in %s\n", sum.Events, sum.Accounts, time.Since(ustart).Round(time.Millisecond))
	}
	// Build the ranking roll-ups now rather than on the first ranking page view: a
	// rebuild, which takes large batches and shows its progress.
	rstart := time.Now()
	last := time.Time{}
	if err := s.Rebuild(ctx, "ranking", s.Now(), func(p store.RebuildProgress) {
		if time.Since(last) >= 5*time.Second || p.Done == p.Total {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "  ranking roll-ups: %s%d/%d, %.0f/s, %s left\n", phase(p), p.Done, p.Total, p.Rate(), p.Left().Round(time.Second))
		}
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ranking roll-ups up to date in %s\n", time.Since(rstart).Round(time.Millisecond))
	return nil
}

func genAccounts(ctx context.Context, s *store.Store, accounts int, seed uint64, months, existing int, stdout io.Writer, start time.Time) error {
	sum, err := demo.Generate(ctx, s, demo.Options{Accounts: accounts, Seed: seed, Months: months, StartAt: existing,
		Progress: countProgress("accounts", 10000, start)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d accounts, %d people, %d contracts, %d MRR movements, %d touchpoints into %s in %s\n",
		sum.Accounts, sum.People, sum.Contracts, sum.Movements, sum.Touchpoints, s.Dialect(), time.Since(start).Round(time.Millisecond))
	return nil
}

// countProgress prints a generator's progress on stderr every so many of what, and
// at the end.
func countProgress(what string, every int, start time.Time) func(done, total int) {
	return func(done, total int) {
		if done%every == 0 || done == total {
			fmt.Fprintf(os.Stderr, "  %d/%d %s (%s)\n", done, total, what, time.Since(start).Round(time.Second))
		}
	}
}
