package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/csvio"
)

func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "accounts" && args[0] != "people") {
		return fmt.Errorf("usage: closeloop import accounts|people FILE.csv (- for standard input)")
	}
	what := args[0]
	cfg, fs, err := loadConfig("import "+what+" [flags] FILE.csv", `Imports `+what+` from a CSV file with a header row. The import is all or nothing:
the first bad row is reported with its line and column and nothing is written.
Rows are matched by external_id (people: external_id, else email), so importing the
same file twice changes nothing. Empty cells leave a field as it is.
Accounts columns: external_id (required), name, domain, plan, seats, company_size,
tier, icp_fit, stage, owner_email, signup_date (YYYY-MM-DD), goal, cab, mrr (major
units, e.g. 1234.50), currency, traits.<name>.
People columns: external_id, email, name, title, champion, account_external_id, traits.<name>.`, args[1:], nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import %s: name one CSV file (or - for standard input)", what)
	}
	var in io.Reader = os.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	s, err := app.OpenStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer s.Close()
	imp := csvio.ImportAccounts
	if what == "people" {
		imp = csvio.ImportPeople
	}
	res, err := imp(ctx, s, in)
	if err != nil {
		return fmt.Errorf("import %s: %s: %w (nothing was imported)", what, fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "%s: %d created, %d updated, %d unchanged\n", what, res.Created, res.Updated, res.Unchanged)
	return nil
}

func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "accounts" && args[0] != "people") {
		return fmt.Errorf("usage: closeloop export accounts|people [--out FILE]")
	}
	what := args[0]
	var out string
	cfg, _, err := loadConfig("export "+what+" [flags]", "Writes every "+what[:len(what)-1]+" as CSV in the format 'closeloop import "+what+"' reads.", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write (default standard output)")
	})
	if err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer s.Close()
	w := stdout
	var f *os.File
	if out != "" {
		f, err = os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	exp := csvio.ExportAccounts
	if what == "people" {
		exp = csvio.ExportPeople
	}
	n, err := exp(ctx, s, w)
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "exported %d %s to %s\n", n, what, out)
	}
	return nil
}
