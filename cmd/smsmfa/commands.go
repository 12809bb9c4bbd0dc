package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"smsmfa/internal/mfa"
)

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, _, err := command(ctx, "migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "database is up to date (%s)\n", a.db.Engine())
	return nil
}

func userCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var login, pw, first, last, email string
	var admin, staged bool
	var setAdmin optBool
	return subcommand(ctx, "user", nil, "usage: smsmfa user create|list|unlock|set-admin …\n", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "login (username)")
		if args[0] == "set-admin" {
			fs.Var(&setAdmin, "admin", "true to grant administrator rights, false to remove them (and revoke the user's API tokens)")
		}
		if args[0] == "create" {
			fs.StringVar(&pw, "password", "", "password")
			fs.StringVar(&first, "first", "", "first name")
			fs.StringVar(&last, "last", "", "last name")
			fs.StringVar(&email, "email", "", "email")
			fs.BoolVar(&admin, "admin", false, "make the user an administrator")
			fs.BoolVar(&staged, "staged", false, "create the user STAGED (cannot sign in until activated)")
		}
	}, func(ctx context.Context, a *app, _ []string) error {
		switch args[0] {
		case "create":
			if login == "" || pw == "" {
				return fmt.Errorf("--login and --password are required")
			}
			u, err := a.svc.Users.CreateUser(ctx, mfa.NewUser{Login: login, Password: pw, FirstName: first, LastName: last, Email: email, Admin: admin, Activate: !staged})
			if err != nil {
				return userMessage(err)
			}
			role := "user"
			if u.Admin {
				role = "admin"
			}
			fmt.Fprintf(stdout, "created %s %s (%s, %s)\n", role, u.Login, u.ID, u.Status)
		case "list":
			us, err := a.svc.Users.ListUsers(ctx, "", "", 1000)
			if err != nil {
				return userMessage(err)
			}
			tw := newTable(stdout, "ID\tLOGIN\tSTATUS\tADMIN\tLOCKED")
			now := a.svc.Org.Now()
			for _, u := range us {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", u.ID, u.Login, u.Status, u.Admin, u.Locked(now))
			}
			return tw.Flush()
		case "unlock":
			u, err := a.svc.Users.GetUser(ctx, login)
			if err != nil {
				return userMessage(err)
			}
			if err := a.svc.Users.Unlock(ctx, u.ID); err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "unlocked %s\n", u.Login)
		case "set-admin":
			if login == "" || !setAdmin.set {
				return fmt.Errorf("--login and --admin=true|false are required")
			}
			u, err := a.svc.Users.GetUser(ctx, login)
			if err != nil {
				return userMessage(err)
			}
			if u, err = a.svc.Users.SetAdmin(ctx, u.ID, setAdmin.v); err != nil {
				return userMessage(err)
			}
			if u.Admin {
				fmt.Fprintf(stdout, "%s is an administrator\n", u.Login)
			} else {
				fmt.Fprintf(stdout, "%s is not an administrator; their API tokens are revoked\n", u.Login)
			}
		default:
			return fmt.Errorf("unknown user command %q (create, list, unlock, set-admin)", args[0])
		}
		return nil
	})
}

// optBool is a boolean flag that knows whether it was given.
type optBool struct{ v, set bool }

func (b *optBool) String() string   { return strconv.FormatBool(b.v) }
func (b *optBool) IsBoolFlag() bool { return true }
func (b *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	b.v, b.set = v, err == nil
	return err
}

func smsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return subcommand(ctx, "sms", []string{"enable", "disable"}, "usage: smsmfa sms enable|disable\n", args, getenv, stderr, nil, func(ctx context.Context, a *app, _ []string) error {
		on := args[0] == "enable"
		if err := a.svc.Org.SetSMSEnabled(ctx, on); err != nil {
			return userMessage(err)
		}
		if on {
			fmt.Fprintln(stdout, "SMS factor enabled: users set up Text Message Code at their next sign-in")
		} else {
			fmt.Fprintln(stdout, "SMS factor disabled")
		}
		return nil
	})
}

func settingsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return subcommand(ctx, "settings", []string{"list", "set"}, "usage: smsmfa settings list | settings set NAME=VALUE...\n", args, getenv, stderr, nil, func(ctx context.Context, a *app, rest []string) error {
		if args[0] == "list" {
			vals, err := a.svc.Org.SettingValues(ctx)
			if err != nil {
				return userMessage(err)
			}
			tw := newTable(stdout, "NAME\tVALUE\tDEFAULT\tDESCRIPTION")
			for _, d := range mfa.SettingDefs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, vals[d.Name], d.Default, d.Help)
			}
			return tw.Flush()
		}
		if len(rest) == 0 {
			return fmt.Errorf("give at least one NAME=VALUE")
		}
		changes := map[string]string{}
		for _, kv := range rest {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("%q is not NAME=VALUE", kv)
			}
			changes[strings.TrimSpace(k)] = v
		}
		if err := a.svc.Org.UpdateSettings(ctx, changes); err != nil {
			return userMessage(err)
		}
		vals, err := a.svc.Org.SettingValues(ctx)
		if err != nil {
			return userMessage(err)
		}
		for _, k := range slices.Sorted(maps.Keys(changes)) {
			fmt.Fprintf(stdout, "%s=%s\n", k, vals[k])
		}
		return nil
	})
}

func tokenCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var name, id, owner string
	return subcommand(ctx, "token", nil, "usage: smsmfa token create --name N [--owner LOGIN] | token list | token revoke --id ID\n", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "a name to recognise the token by")
		fs.StringVar(&id, "id", "", "token id")
		if args[0] == "create" {
			fs.StringVar(&owner, "owner", "", "login of the active administrator the token acts for (default: the oldest active administrator)")
		}
	}, func(ctx context.Context, a *app, _ []string) error {
		switch args[0] {
		case "create":
			ownerID := ""
			if owner != "" {
				u, err := a.svc.Users.GetUser(ctx, owner)
				if err != nil {
					return userMessage(err)
				}
				ownerID = u.ID
			}
			t, clear, err := a.svc.Tokens.CreateToken(ctx, name, ownerID)
			if err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stderr, "created API token %s (%s) acting for %s, while that user is an active administrator; it is shown once:\n", t.ID, t.Name, t.OwnerLogin)
			fmt.Fprintln(stdout, clear)
		case "list":
			ts, err := a.svc.Tokens.Tokens(ctx)
			if err != nil {
				return userMessage(err)
			}
			tw := newTable(stdout, "ID\tNAME\tOWNER\tCREATED\tLAST USED\tREVOKED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, tokenOwner(t), stamp(t.Created), stamp(t.LastUsed), stamp(t.Revoked))
			}
			return tw.Flush()
		case "revoke":
			if err := a.svc.Tokens.RevokeToken(ctx, id); err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "revoked %s\n", id)
		default:
			return fmt.Errorf("unknown token command %q (create, list, revoke)", args[0])
		}
		return nil
	})
}

// tokenOwner names a token's owner for a listing.
func tokenOwner(t mfa.APIToken) string {
	switch {
	case t.OwnerLogin != "":
		return t.OwnerLogin
	case t.UserID != "":
		return "(deleted user " + t.UserID + ")"
	}
	return "-"
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func providerCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const providerUsage = `usage: smsmfa provider add --name N --type twilio|aws-eum|aws-sns|vonage|webhook [--url BASE_URL]
                           [--credential KEY=VALUE]... [--sender SENDER[:CC,CC…]]... [--priority P]
       smsmfa provider list
       smsmfa provider remove NAME
       smsmfa provider test --name N --to +14155550123
`
	var name, typ, base, to string
	var priority int
	var creds, senders multi
	return subcommand(ctx, "provider", []string{"add", "list", "remove", "test"}, providerUsage, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "a unique name")
		if args[0] == "add" {
			fs.StringVar(&typ, "type", "", "twilio, aws-eum, aws-sns, vonage or webhook")
			fs.StringVar(&base, "url", "", "the provider's API address (default: its public API)")
			fs.Var(&creds, "credential", "KEY=VALUE (repeat)")
			fs.Var(&senders, "sender", "a number in E.164, a short code, an alphanumeric id or a Messaging Service SID, optionally :CC,CC (repeat)")
			fs.IntVar(&priority, "priority", 100, "lower is tried first")
		}
		if args[0] == "test" {
			fs.StringVar(&to, "to", "", "the number to text, in E.164")
		}
	}, func(ctx context.Context, a *app, rest []string) error {
		switch args[0] {
		case "add":
			p := mfa.ProviderConfig{Name: name, Type: typ, BaseURL: base, Priority: priority, Credentials: map[string]string{}}
			for _, kv := range creds {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("--credential %q is not KEY=VALUE", kv)
				}
				p.Credentials[k] = v
			}
			for _, sv := range senders {
				snd, err := mfa.ParseSender(sv)
				if err != nil {
					return err
				}
				p.Senders = append(p.Senders, snd)
			}
			added, err := a.pool.Add(ctx, p)
			if err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "added %s provider %s (%s), priority %d, %d sender(s); messages now go to the configured providers\n", added.Type, added.Name, added.ID, added.Priority, len(added.Senders))
		case "list":
			ps, err := a.svc.Telephony.Providers(ctx, a.keys)
			if err != nil {
				return userMessage(err)
			}
			if env := a.pool.Env(); env != nil {
				ps = append([]mfa.ProviderConfig{*env}, ps...)
			}
			if len(ps) == 0 {
				fmt.Fprintln(stdout, "No SMS providers are configured: messages go to the development sink (the server log, and /dev/sms with --dev).")
				return nil
			}
			tw := newTable(stdout, "NAME\tTYPE\tPRIORITY\tENABLED\tURL\tSENDERS\tCREDENTIALS")
			for _, p := range ps {
				var ss []string
				for _, s := range p.Senders {
					ss = append(ss, s.String())
				}
				var cs []string
				for _, k := range slices.Sorted(maps.Keys(p.Credentials)) {
					cs = append(cs, k+"="+p.MaskedCredentials()[k])
				}
				src := ""
				if p.FromEnv {
					src = " (environment)"
				}
				fmt.Fprintf(tw, "%s%s\t%s\t%d\t%v\t%s\t%s\t%s\n", p.Name, src, p.Type, p.Priority, p.Enabled, cmp.Or(p.BaseURL, "(public API)"), cmp.Or(strings.Join(ss, " "), "(provider default)"), strings.Join(cs, " "))
			}
			return tw.Flush()
		case "remove":
			if name == "" && len(rest) > 0 {
				name = rest[0]
			}
			if err := a.svc.Telephony.RemoveProvider(ctx, name); err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "removed %s\n", name)
		case "test":
			if err := a.pool.Reload(ctx); err != nil {
				return err
			}
			id, err := a.pool.SendTest(ctx, name, to)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "sent a test message through %s (provider id %s)\n", name, id)
		}
		return nil
	})
}

// newTable starts a listing under header, its columns separated by tabs
// and aligned when Flush ends it.
func newTable(w io.Writer, header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}

func radiusClientCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const radiusUsage = `usage: smsmfa radius-client add --name N --address IP|CIDR (--secret-env VAR | --secret S)
       smsmfa radius-client list
       smsmfa radius-client remove NAME
`
	var name, address, secretEnv, sharedSecret string
	return subcommand(ctx, "radius-client", []string{"add", "list", "remove"}, radiusUsage, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "a unique name (e.g. the VPN's host name)")
		if args[0] == "add" {
			fs.StringVar(&address, "address", "", "the address the NAS sends from, or a CIDR prefix of several")
			fs.StringVar(&secretEnv, "secret-env", "", "name of the environment variable holding the shared secret (keeps it out of the process list)")
			fs.StringVar(&sharedSecret, "secret", "", "the shared secret (16 to 128 characters); prefer --secret-env")
		}
	}, func(ctx context.Context, a *app, rest []string) error {
		switch args[0] {
		case "add":
			switch {
			case secretEnv != "" && sharedSecret != "":
				return errors.New("give --secret-env or --secret, not both")
			case secretEnv != "":
				if sharedSecret = getenv(secretEnv); sharedSecret == "" {
					return fmt.Errorf("the environment variable %s is empty or not set", secretEnv)
				}
			case sharedSecret == "":
				return errors.New("the shared secret is missing: --secret-env VAR or --secret S")
			}
			c, err := a.svc.Radius.AddRadiusClient(ctx, name, address, sharedSecret)
			if err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "added RADIUS client %s (%s) for %s; a running server takes it within 10 s\n", c.Name, c.ID, c.Prefix)
		case "list":
			cs, err := a.svc.Radius.RadiusClients(ctx)
			if err != nil {
				return userMessage(err)
			}
			if len(cs) == 0 {
				fmt.Fprintln(stdout, "No RADIUS clients: add one with smsmfa radius-client add.")
				return nil
			}
			tw := newTable(stdout, "NAME\tADDRESS\tID\tCREATED\tSECRET")
			for _, c := range cs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Prefix, c.ID, stamp(c.Created), "(set)")
			}
			return tw.Flush()
		case "remove":
			if name == "" && len(rest) > 0 {
				name = rest[0]
			}
			if err := a.svc.Radius.RemoveRadiusClient(ctx, name); err != nil {
				return userMessage(err)
			}
			fmt.Fprintf(stdout, "removed %s\n", name)
		}
		return nil
	})
}
