// Command closeloop is the whole product in one binary. This file only parses the
// command line and dispatches; each subcommand lives in its own file and calls into
// internal packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
)

type command struct {
	summary  string
	run      func(ctx context.Context, args []string, stdout io.Writer) error
	subverbs bool
}

var commands = map[string]command{
	"serve":   {"run the web UI and API", runServe, false},
	"demo":    {"run a populated demo on a fresh embedded database", runDemo, false},
	"migrate": {"apply database migrations", runMigrate, false},
	"user":    {"manage team members (user create, user list)", runUser, true},
	"apikey":  {"manage API keys (apikey create, apikey list, apikey revoke)", runAPIKey, true},
	"import":  {"import accounts, people, feedback, tags or an mbox (import accounts FILE)", runImport, true},
	"export":  {"export accounts, people or tags (export accounts)", runExport, true},
	"gen":     {"generate realistic data at scale into the configured database", runGen, false},
	"backup":  {"write a consistent snapshot of the SQLite database", runBackup, false},
	"portal":  {"customer portal single sign-on (portal sso-secret [--rotate|--disable])", runPortal, true},
	"eval":    {"evaluate models (eval suggest --train FILE --test FILE)", runEval, true},
	"rebuild": {"recompute derived data from scratch, with progress (rebuild ranking)", runRebuild, false},
	"jobs":    {"background jobs (jobs list, jobs run NAME)", runJobs, true},
	"reparse": {"re-run the webhook parsers over kept raw deliveries (reparse --since 14d)", runReparse, false},
	"bench":   {"measure usage ingestion (bench ingest), its durability under SIGKILL (bench soak) and writes under load (bench load)", runBenches, true},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "closeloop — the customer-success platform in one binary.")
	fmt.Fprintln(w, "\nUsage: closeloop <command> [flags]\n\nCommands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'closeloop <command> --help' for the flags of a command.")
	fmt.Fprintln(w, "Settings come from flags and env vars: CLOSELOOP_ADDR, CLOSELOOP_DATA_DIR, DATABASE_URL,")
	fmt.Fprintln(w, "CLOSELOOP_BASE_URL, CLOSELOOP_LOG_FORMAT, CLOSELOOP_LOG_LEVEL, CLOSELOOP_AUTO_MIGRATE, CLOSELOOP_TIERS,")
	fmt.Fprintln(w, "CLOSELOOP_TRUSTED_PROXIES, CLOSELOOP_MAX_READS, CLOSELOOP_STRIPE_SECRET, CLOSELOOP_USAGE_{DEDUP_HOURS,RETENTION_DAYS}, CLOSELOOP_INBOUND_RAW_DAYS,")
	fmt.Fprintln(w, "and the inbound channel secrets CLOSELOOP_{INTERCOM,ZENDESK,HELPSCOUT,FRESHDESK,SLACK,EMAIL}_SECRET.")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage(os.Stdout)
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "closeloop: unknown command %q\n\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
	// Commands with a sub-verb ("import accounts") answer a bare --help with their usage.
	if cmd.subverbs && len(os.Args) == 3 && (os.Args[2] == "-h" || os.Args[2] == "--help") {
		fmt.Println(cmd.run(context.Background(), nil, os.Stdout))
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, os.Args[2:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "closeloop:", err)
		os.Exit(1)
	}
}

// flags makes a FlagSet for a subcommand with the common settings registered, and a
// usage text that says what the command does.
func flags(name, doc string, cfg *config.Config) *flag.FlagSet {
	fs := flag.NewFlagSet("closeloop "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: closeloop %s\n\n%s\n\nFlags:\n", name, strings.TrimSpace(doc))
		fs.PrintDefaults()
	}
	if cfg != nil {
		cfg.Register(fs)
	}
	return fs
}

// loadConfig reads the environment, then the flags, then validates.
func loadConfig(name, doc string, args []string, extra func(fs *flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	cfg, err := config.Load()
	if err != nil {
		return cfg, nil, err
	}
	fs := flags(name, doc, &cfg)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fs, err
	}
	return cfg, fs, nil
}

// openCommand is loadConfig followed by app.OpenStore: the flags parsed and the store
// opened as the settings say (migrating only when CLOSELOOP_AUTO_MIGRATE allows). The
// caller closes the store.
func openCommand(ctx context.Context, name, doc string, args []string, extra func(fs *flag.FlagSet)) (*store.Store, config.Config, *flag.FlagSet, error) {
	cfg, fs, err := loadConfig(name, doc, args, extra)
	if err != nil {
		return nil, cfg, fs, err
	}
	s, err := app.OpenStore(ctx, cfg)
	return s, cfg, fs, err
}
