package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/integration"
)

func runReparse(ctx context.Context, args []string, stdout io.Writer) error {
	var since string
	var dryRun, pending bool
	s, _, _, err := openCommand(ctx, "reparse --since WHEN [flags]", `Re-runs today's parsers over the raw webhook deliveries closeloop kept (for
CLOSELOOP_INBOUND_RAW_DAYS, default 30 days) and replaces the text of each item whose
parse now reads differently. Only the words change: tags, links, status, person and
account stay. An item the parser would now ignore is reported, never deleted.
WHEN is a duration back from now (72h, 14d) or a date (2026-03-01).

With --pending it lists instead the captured items whose help desk named an
organization that is not an account yet (they are attached when it is created).`, args, func(fs *flag.FlagSet) {
		fs.StringVar(&since, "since", "", "re-parse deliveries received since this duration ago (72h, 14d) or date (2026-03-01)")
		fs.BoolVar(&dryRun, "dry-run", false, "report what would change, write nothing")
		fs.BoolVar(&pending, "pending", false, "list items waiting for an account instead")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	members := app.MemberLookup(s)
	if pending {
		ps, err := s.PendingAccounts(ctx, 1000)
		if err != nil {
			return err
		}
		for _, p := range ps {
			fmt.Fprintf(stdout, "%s\t%s\t%s\twaiting for account external_id %q\n", p.CreatedAt.Format(time.RFC3339), p.Source, p.FeedbackID, p.AccountExternalID)
		}
		fmt.Fprintf(stdout, "%d items wait for an account\n", len(ps))
		return nil
	}
	from, err := parseSince(since, s.Now())
	if err != nil {
		return err
	}
	var seen, changed, ignored, skipped int
	after := ""
	for {
		batch, err := s.RawDeliveriesSince(ctx, from, after, 200)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, d := range batch {
			after = d.FeedbackID
			seen++
			c, reason, err := integration.Reparse(ctx, d.Source, d.Headers, d.Body, members)
			switch {
			case errors.Is(err, integration.ErrNoReparse):
				skipped++
				continue
			case err != nil:
				fmt.Fprintf(stdout, "%s: unreadable now: %v\n", d.FeedbackID, err)
				ignored++
				continue
			case c == nil:
				fmt.Fprintf(stdout, "%s: would now be ignored (%s); kept as it is\n", d.FeedbackID, reason)
				ignored++
				continue
			}
			c.Normalize(s.Now())
			if dryRun {
				it, err := s.GetFeedback(ctx, d.FeedbackID)
				if err != nil {
					return err
				}
				if it.Text != c.Text || it.Quote != c.Quote {
					changed++
					fmt.Fprintf(stdout, "%s: would change\n  from %q\n  to   %q\n", d.FeedbackID, it.Text, c.Text)
				}
				continue
			}
			ok, err := s.UpdateParsedText(ctx, d.FeedbackID, c.Text, c.Quote)
			if err != nil {
				return err
			}
			if ok {
				changed++
			}
		}
	}
	verb := "changed"
	if dryRun {
		verb = "would change"
	}
	fmt.Fprintf(stdout, "%d deliveries since %s: %d %s, %d now ignored or unreadable (kept), %d of sources not re-parsed\n",
		seen, from.Format(time.RFC3339), changed, verb, ignored, skipped)
	return nil
}

// parseSince reads --since: a duration back from now ("72h", "14d") or a date.
func parseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, errors.New("--since is required: a duration (72h, 14d) or a date (2026-03-01)")
	}
	if d, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && n > 0 && fmt.Sprint(n) == d {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if dur, err := time.ParseDuration(v); err == nil && dur > 0 {
		return now.Add(-dur), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (72h, 14d) or a date (2026-03-01)", v)
}
