package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// migrateData copies an embedded (SQLite) deployment into PostgreSQL:
// smsmfa migrate-data --from sqlite:smsmfa.db --to postgres://…
func migrateData(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("smsmfa migrate-data", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "source database (sqlite:PATH)")
	to := fs.String("to", "", "target database (postgres://…), empty or new")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("--from and --to are required (e.g. --from sqlite:smsmfa.db --to postgres://user@host/smsmfa)")
	}
	src, err := openMigrated(ctx, *from)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, src.Close()) }()
	dst, err := openMigrated(ctx, *to)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, dst.Close()) }()
	bar := newProgressBar(stdout)
	start := time.Now()
	counts, err := src.CopyTo(ctx, dst, bar.update)
	bar.done()
	if counts != nil {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "TABLE\tSOURCE\tTARGET\t")
		var total int64
		for _, c := range counts {
			mark := ""
			if c.Source != c.Target {
				mark = "  ← differs"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", c.Table, c.Source, c.Target, mark)
			total += c.Source
		}
		if ferr := tw.Flush(); ferr != nil && err == nil {
			err = ferr
		}
		if err == nil {
			fmt.Fprintf(stdout, "copied %d rows in %s; every table has the same count on both sides\n", total, time.Since(start).Round(time.Millisecond))
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Next: run every instance with --database set to the PostgreSQL URL and SMSMFA_KEY set to the contents of the old smsmfa.key"+
		" (message bodies in the queue and provider credentials are sealed under it).")
	return nil
}

// progressBar draws a bar on a terminal and prints a line a table otherwise.
type progressBar struct {
	w     io.Writer
	tty   bool
	table string
}

func newProgressBar(w io.Writer) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty}
}

func (p *progressBar) update(table string, copied, total int64) {
	if !p.tty {
		if table != p.table {
			fmt.Fprintf(p.w, "copying %s\n", table)
			p.table = table
		}
		return
	}
	const width = 30
	filled := width
	pct := int64(100)
	if total > 0 {
		filled = int(copied * width / total)
		pct = copied * 100 / total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %d/%d rows  %-18s", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), pct, copied, total, table)
	p.table = table
}

func (p *progressBar) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
