package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"smsmfa/internal/mfa"
)

// factorCmd is `smsmfa factor list | enable TYPE | disable TYPE`: the
// factor kinds the org offers (mfa.FactorKinds), by short name (sms,
// totp) or Okta factor type.
func factorCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const use = "usage: smsmfa factor list | factor enable TYPE | factor disable TYPE   (TYPE: sms, totp, call, webauthn)\n"
	return subcommand(ctx, "factor", []string{"list", "enable", "disable"}, use, args, getenv, stderr, nil, func(ctx context.Context, a *app, rest []string) error {
		if args[0] == "list" {
			p, err := a.svc.Org.FactorPolicy(ctx)
			if err != nil {
				return userMessage(err)
			}
			tw := newTable(stdout, "NAME\tTYPE\tENABLED\tSETTING")
			for _, k := range p.Kinds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Name, k.Type, strconv.FormatBool(p.Enabled[k.Type]), k.Setting)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if p.Several {
				fmt.Fprintln(stdout, "Users may set up several factors (factors_several=true).")
			} else {
				fmt.Fprintln(stdout, "Users set up one factor each (factors_several=false).")
			}
			return nil
		}
		if len(rest) != 1 {
			fmt.Fprint(stderr, use)
			return errUsage
		}
		k, ok := mfa.FactorKindByName(rest[0])
		if !ok {
			return fmt.Errorf("unknown factor %q: use sms or totp (smsmfa factor list)", rest[0])
		}
		on := args[0] == "enable"
		if err := a.svc.Org.SetFactorEnabled(ctx, k.Name, on); err != nil {
			return userMessage(err)
		}
		if on {
			fmt.Fprintf(stdout, "Factor %s enabled\n", k.Name)
		} else {
			fmt.Fprintf(stdout, "Factor %s disabled\n", k.Name)
		}
		return nil
	})
}
