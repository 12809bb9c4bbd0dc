package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"smsmfa/internal/keyrotate"
	"smsmfa/internal/store"
)

func keyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	batch := 500
	return subcommand(ctx, "key", []string{"rotate", "id"}, "usage: smsmfa key rotate [--batch N] | key id\n", args, getenv, stderr, func(fs *flag.FlagSet) {
		if args[0] == "rotate" {
			fs.IntVar(&batch, "batch", batch, "values re-sealed per transaction")
		}
	}, func(ctx context.Context, a *app, _ []string) error {
		if args[0] == "id" {
			fmt.Fprintf(stdout, "current key id %s\n", a.keys.ID)
			if a.keys.Previous != nil {
				fmt.Fprintf(stdout, "previous key id %s\n", a.keys.Previous.ID)
			}
			return nil
		}
		if batch < 1 {
			return errors.New("--batch must be at least 1")
		}
		if a.keys.Previous == nil {
			fmt.Fprintln(stderr, "no previous key (SMSMFA_KEY_PREVIOUS or --previous-key-file): checking that every value opens under the current key")
		}
		r, err := keyrotate.Run(ctx, a.db, a.keys, batch)
		if err != nil {
			r.Stopped = err.Error()
		}
		if lerr := a.svc.Org.LogKeyRotation(ctx, r); lerr != nil {
			err = errors.Join(err, lerr)
		}
		tw := newTable(stdout, "TABLE\tRESEALED\tCURRENT\tUNREADABLE")
		for _, c := range store.SealedColumns {
			n := r.Tables[c.Table]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", c.Table, n.Resealed, n.Current, n.Unreadable)
		}
		if ferr := tw.Flush(); ferr != nil {
			err = errors.Join(err, ferr)
		}
		if err != nil {
			return err
		}
		t := r.Total()
		fmt.Fprintf(stdout, "key %s: %d values re-sealed, %d already current (from key %s)\n", r.To, t.Resealed, t.Current, r.From)
		if t.Unreadable > 0 {
			return fmt.Errorf("%d values open under neither the current nor the previous key: they stay as they are (see docs/key-rotation.md)", t.Unreadable)
		}
		return nil
	})
}
