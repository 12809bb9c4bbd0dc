package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"smsmfa/internal/config"
	"smsmfa/internal/store"
)

// backupCmd writes a consistent copy of a live SQLite database:
// smsmfa backup --database sqlite:PATH --to FILE [--force]
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var to string
	var force bool
	cfg, rest, err := config.Load("smsmfa backup", 0, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the backup file to write (never replaced unless --force)")
		fs.BoolVar(&force, "force", false, "replace the backup file if it exists")
	})
	if errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	if err != nil {
		if engine, _, perr := store.ParseURL(cfg.Database); perr == nil && engine == store.Postgres {
			return store.ErrBackupPostgres // before any complaint about its key
		}
		return err
	}
	if to == "" || len(rest) > 0 {
		fmt.Fprintln(stderr, "usage: smsmfa backup --database sqlite:PATH --to FILE [--force]")
		return errUsage
	}
	res, err := store.BackupSQLite(ctx, cfg.Database, to, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %s (%d pages) in %s, integrity checked\n",
		cfg.Database, to, humanBytes(res.Bytes), res.Pages, res.Took.Round(time.Millisecond))
	key := "SMSMFA_KEY"
	if cfg.Key == "" {
		key = cfg.KeyFile
	}
	fmt.Fprintf(stdout, "The master key is not in the backup: keep a copy of %s apart from it (provider credentials and queued texts are sealed under it).\n", key)
	return nil
}

// humanBytes formats n as B, KiB, MiB or GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 2; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMG"[exp])
}
