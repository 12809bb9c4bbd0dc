package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"smsmfa/internal/mfa"
)

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// appCmd registers the applications that sign users in with OpenID
// Connect: smsmfa app create|list|remove.
func appCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var name, id string
	var redirects, logouts listFlag
	var public bool
	const usage = "usage: smsmfa app create --name N --redirect-uri U [--redirect-uri U2] [--logout-uri U] [--public] | app list | app remove --id ID\n"
	return subcommand(ctx, "app", []string{"create", "list", "remove"}, usage, args, getenv, stderr, func(fs *flag.FlagSet) {
		switch args[0] {
		case "create":
			fs.StringVar(&name, "name", "", "the application's name")
			fs.Var(&redirects, "redirect-uri", "a sign-in redirect URI, matched exactly (repeat for more)")
			fs.Var(&logouts, "logout-uri", "a post-logout redirect URI, matched exactly (repeat for more)")
			fs.BoolVar(&public, "public", false, "a public client (single-page or native app): no secret, PKCE with S256 required")
		case "remove":
			fs.StringVar(&id, "id", "", "the application's client id")
		}
	}, func(ctx context.Context, a *app, _ []string) error {
		switch args[0] {
		case "create":
			app, secret, err := a.svc.OIDC.CreateApp(ctx, mfa.NewApp{Name: name, RedirectURIs: redirects, LogoutURIs: logouts, Public: public})
			if err != nil {
				return userMessage(err)
			}
			issuer := strings.TrimSuffix(a.cfg.BaseURL, "/")
			fmt.Fprintf(stdout, "client_id=%s\n", app.ID)
			if secret != "" {
				fmt.Fprintf(stderr, "created confidential application %s (%s); its client secret is shown once:\n", app.Name, app.ID)
				fmt.Fprintf(stdout, "client_secret=%s\n", secret)
			} else {
				fmt.Fprintf(stderr, "created public application %s (%s): no secret, PKCE with S256 required\n", app.Name, app.ID)
			}
			fmt.Fprintf(stdout, "issuer=%s\n", issuer)
		case "list":
			apps, err := a.svc.OIDC.Apps(ctx)
			if err != nil {
				return userMessage(err)
			}
			tw := newTable(stdout, "CLIENT ID\tNAME\tTYPE\tREDIRECT URIS\tCREATED")
			for _, p := range apps {
				kind := "confidential"
				if p.Public {
					kind = "public"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, kind, strings.Join(p.RedirectURIs, " "), stamp(p.Created))
			}
			return tw.Flush()
		case "remove":
			if id == "" {
				return fmt.Errorf("--id is required")
			}
			if err := a.svc.OIDC.RemoveApp(ctx, id); err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "removed application %s; its tokens no longer work\n", id)
		}
		return nil
	})
}

// oidcCmd runs the OpenID Provider's maintenance: smsmfa oidc rotate-key.
func oidcCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return subcommand(ctx, "oidc", []string{"rotate-key"}, "usage: smsmfa oidc rotate-key\n", args, getenv, stderr, nil, func(ctx context.Context, a *app, _ []string) error {
		k, err := a.svc.OIDC.RotateSigningKey(ctx)
		if err != nil {
			return userMessage(err)
		}
		fmt.Fprintf(stdout, "new signing key %s; the previous key stays published for %s\n", k.ID, mfa.HumanDuration(mfa.KeyPublishedAfterRetire))
		return nil
	})
}
