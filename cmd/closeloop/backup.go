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
)

func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	var out string
	cfg, _, err := loadConfig("backup [flags]", `Writes a consistent snapshot of the embedded SQLite database to a new file while the
server keeps running. Restore by stopping closeloop and putting the file in place of
closeloop.db in the data dir. For PostgreSQL use pg_dump.`, args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write (default: DATA_DIR/backups/closeloop-<time>.db)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(cfg.DataDir, "backups", "closeloop-"+time.Now().UTC().Format("20060102-150405")+".db")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup: %s exists; choose another --out", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return err
	}
	s, err := app.OpenStoreAsIs(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	if err := s.Backup(ctx, out); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Fprintf(stdout, "backup written to %s (%d bytes, %s)\n", out, st.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}
