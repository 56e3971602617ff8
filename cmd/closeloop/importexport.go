package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/integration"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

var importKinds = map[string]bool{"accounts": true, "people": true, "feedback": true, "mbox": true, "tags": true, "subscriptions": true, "survey-responses": true}

func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || !importKinds[args[0]] {
		return fmt.Errorf("usage: closeloop import accounts|people|feedback|tags|subscriptions|survey-responses FILE.csv, import tags FILE.json, import mbox FILE (- for standard input)")
	}
	what := args[0]
	cfg, fs, err := loadConfig("import "+what+" [flags] FILE", `Imports `+what+` from a file. Imports are all or nothing: the first bad row is
reported with its line and column and nothing is written. Rows are matched by their
ids, so importing the same file twice changes nothing.
Accounts columns: external_id (required), name, domain, plan, seats, company_size,
tier, icp_fit, stage, owner_email, signup_date (YYYY-MM-DD), goal, cab, mrr (major
units, e.g. 1234.50), currency, traits.<name>. Empty cells leave a field as it is.
People columns: external_id, email, name, title, champion, account_external_id, traits.<name>.
`+feedbackImportHelp+`
`+subscriptionsImportHelp+`
`+surveyResponsesImportHelp+`
Tags: a CSV with columns path (e.g. "Editor › Tables › Formulas"), description,
archived — or a JSON tree [{"name", "description", "archived", "children": [...]}].
Missing parents are created; existing tags are matched by path.
mbox: every message becomes feedback from its sender (source email).`, args[1:], nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import %s: name one file (or - for standard input)", what)
	}
	var in io.Reader = os.Stdin
	name := fs.Arg(0)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	fail := func(err error) error {
		return fmt.Errorf("import %s: %s: %w (nothing was imported)", what, name, err)
	}
	switch what {
	case "feedback":
		if err := importFeedback(ctx, s, in, stdout); err != nil {
			return fail(err)
		}
		return nil
	case "mbox":
		created, dups, err := integration.ImportMbox(ctx, in, app.CaptureFunc(s))
		if err != nil {
			return fmt.Errorf("import mbox: %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "mbox: %d created, %d duplicates\n", created, dups)
		return nil
	case "subscriptions":
		if err := importSubscriptions(ctx, s, in, stdout); err != nil {
			return fail(err)
		}
		return nil
	case "survey-responses":
		if err := importSurveyResponses(ctx, s, in, stdout); err != nil {
			return fail(err)
		}
		return nil
	case "tags":
		return importTags(ctx, s, in, strings.HasSuffix(strings.ToLower(name), ".json"), stdout, fail)
	}
	imp := csvio.ImportAccounts
	if what == "people" {
		imp = csvio.ImportPeople
	}
	res, err := imp(ctx, s, in)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "%s: %d created, %d updated, %d unchanged\n", what, res.Created, res.Updated, res.Unchanged)
	return nil
}

func importTags(ctx context.Context, s *store.Store, in io.Reader, isJSON bool, stdout io.Writer, fail func(error) error) error {
	parse := taxonomy.ParseCSV
	if isJSON {
		parse = taxonomy.ParseJSON
	}
	rows, err := parse(in)
	if err != nil {
		return fail(err)
	}
	tree, err := s.TagTree(ctx)
	if err != nil {
		return err
	}
	plan := taxonomy.Plan(tree, rows)
	created, updated, err := s.ImportTaxonomy(ctx, plan)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "tags: %d created, %d updated, %d unchanged\n", created, updated, len(plan.Unchanged))
	return nil
}

func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "accounts" && args[0] != "people" && args[0] != "tags" && args[0] != "feedback") {
		return fmt.Errorf("usage: closeloop export accounts|people|tags|feedback [--out FILE] [--format csv|json]")
	}
	what := args[0]
	var out, format string
	help := "Writes every " + strings.TrimSuffix(what, "s") + " in the format 'closeloop import " + what + "' reads."
	if what == "feedback" {
		help = feedbackExportHelp
	}
	s, _, _, err := openCommand(ctx, "export "+what+" [flags]", help, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write (default standard output)")
		fs.StringVar(&format, "format", "csv", "csv, or json (tags only)")
	})
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
	switch {
	case what == "people":
		exp = csvio.ExportPeople
	case what == "feedback" && format == "csv":
		exp = csvio.ExportFeedback
	case what == "tags":
		exp = func(ctx context.Context, s *store.Store, w io.Writer) (int, error) {
			tree, err := s.TagTree(ctx)
			if err != nil {
				return 0, err
			}
			if format == "json" {
				return tree.Len(), taxonomy.WriteJSON(w, tree)
			}
			return tree.Len(), taxonomy.WriteCSV(w, tree)
		}
	case format != "csv":
		return fmt.Errorf("export %s: --format json is for tags; %s export as csv", what, what)
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
