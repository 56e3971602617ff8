package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

func runRebuild(ctx context.Context, args []string, stdout io.Writer) error {
	s, _, fs, err := openCommand(ctx, "rebuild NAME", `Recomputes derived data from scratch, showing progress: items done, rate and time
left. Derived data is kept up to date incrementally; a rebuild is for after a bulk load
or to check that nothing drifted. A running server keeps answering meanwhile (counting
from the raw data until the rebuild is done). Ranking is rebuilt in one pass: counted
from one snapshot, then written in one transaction; on SQLite a server's writes wait for
that write (and fail after 10 s), so rebuild a large database when writes can pause.`, args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	rest := fs.Args()
	known := false
	for _, d := range s.Derivations() {
		known = known || len(rest) == 1 && d.Name == rest[0]
	}
	if !known {
		var b strings.Builder
		if len(rest) == 1 {
			fmt.Fprintf(&b, "no derived data named %q. ", rest[0])
		}
		fmt.Fprintln(&b, "usage: closeloop rebuild NAME, where NAME is one of:")
		for _, d := range s.Derivations() {
			fmt.Fprintf(&b, "  %-10s %s\n", d.Name, d.Help)
		}
		return fmt.Errorf("%s", strings.TrimSpace(b.String()))
	}
	start := time.Now()
	if err := s.Rebuild(ctx, rest[0], s.Now(), rebuildProgress()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %s in %s\n", rest[0], time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildProgress prints a rebuild's progress on stderr, a line a second at most: a
// 1M-item rebuild is a few hundred batches.
func rebuildProgress() func(store.RebuildProgress) {
	last := time.Time{}
	return func(p store.RebuildProgress) {
		if time.Since(last) < time.Second && p.Done < p.Total {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "  %s%d/%d (%.0f%%), %.0f/s, %s left\n", phase(p), p.Done, p.Total, 100*float64(p.Done)/float64(max(p.Total, 1)),
			p.Rate(), p.Left().Round(time.Second))
	}
}

// phase names what a one-pass rebuild's counts are of: raw rows read, derived rows
// written; a marked rebuild's (and the last report's) are keys, unnamed.
func phase(p store.RebuildProgress) string {
	switch p.Phase {
	case "counting":
		return "counting: rows read "
	case "writing":
		return "writing: rows "
	}
	return ""
}
