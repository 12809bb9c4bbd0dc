package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"smsmfa/internal/confcode"
	"smsmfa/internal/mfa"
)

// exportCmd writes the org's configuration as code: smsmfa export [-o FILE].
func exportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out string
	a, _, err := command(ctx, "export", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "o", "", "write to FILE instead of the standard output")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.svc.Config.Current(cliContext(ctx))
	if err != nil {
		return userMessage(err)
	}
	body, env, err := confcode.Export(c)
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		if _, err := stdout.Write(body); err != nil {
			return err
		}
	} else if err := os.WriteFile(out, body, 0o600); err != nil {
		return err
	}
	if len(env) > 0 {
		fmt.Fprintf(stderr, "the file names these environment variables for its secrets; set them before smsmfa apply: %s\n", strings.Join(env, " "))
	}
	return nil
}

// applyCmd makes the org's configuration match a file:
// smsmfa apply -f FILE [--dry-run] [--prune].
func applyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var file string
	var dryRun, prune bool
	a, _, err := command(ctx, "apply", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "f", "", "the configuration file (- for the standard input)")
		fs.BoolVar(&dryRun, "dry-run", false, "print the changes and make none")
		fs.BoolVar(&prune, "prune", false, "remove the objects of each section the file has that the file does not list")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if file == "" {
		return errors.New("-f FILE is required (- for the standard input)")
	}
	data, err := readConfigFile(file)
	if err != nil {
		return err
	}
	doc, err := confcode.Parse(data, getenv)
	if err != nil {
		return refused(stderr, file, err)
	}
	problems := append(doc.Problems, doc.Explain(a.svc.Config.Check(&doc.Config))...)
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(x, y confcode.Problem) int { return x.Line - y.Line })
		return refused(stderr, file, problems)
	}
	var kinds []string
	if prune {
		kinds = doc.Prune
	}
	ctx = cliContext(ctx)
	plan, err := a.svc.Config.Plan(ctx, doc.Config, kinds)
	if err != nil {
		return configError(stderr, file, doc, err)
	}
	confcode.WriteDiff(stdout, plan)
	if dryRun {
		if mfa.Changed(plan) > 0 {
			fmt.Fprintln(stdout, "dry run: nothing applied")
		}
		return nil
	}
	if mfa.Changed(plan) == 0 {
		return nil
	}
	done, err := a.svc.Config.Apply(ctx, doc.Config, kinds)
	if err != nil {
		return configError(stderr, file, doc, err)
	}
	if !slices.Equal(done, plan) {
		fmt.Fprintln(stdout, "the database changed meanwhile; applied instead:")
		confcode.WriteDiff(stdout, done)
	}
	fmt.Fprintf(stdout, "applied %d change(s)\n", mfa.Changed(done))
	return nil
}

// readConfigFile reads the file named (- for the standard input), refusing
// one larger than confcode.MaxSize.
func readConfigFile(name string) ([]byte, error) {
	if name == "-" {
		return confcode.Read(os.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return confcode.Read(f)
}

// refused prints every problem of a file and returns the command's error.
func refused(stderr io.Writer, file string, err error) error {
	ps, ok := errors.AsType[confcode.Problems](err)
	if !ok {
		return fmt.Errorf("%s: %w: nothing applied", file, err)
	}
	for _, p := range ps {
		fmt.Fprintf(stderr, "%s: %s\n", file, p)
	}
	return fmt.Errorf("%d problem(s) in %s: nothing applied", len(ps), file)
}

// configError reports a refusal of the domain.
func configError(stderr io.Writer, file string, doc *confcode.Doc, err error) error {
	if ci, ok := errors.AsType[*mfa.ConfigInvalid](err); ok {
		return refused(stderr, file, doc.Explain(ci.Problems))
	}
	if e := userMessage(err); e != nil {
		return fmt.Errorf("%w: nothing applied", e)
	}
	return nil
}
