// Command smsmfa is the self-hosted SMS multi-factor authentication server
// and its administration commands. Run `smsmfa help` for the list.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `smsmfa: self-hosted SMS multi-factor authentication

Usage:
  smsmfa serve [flags]                       run the server (default: SQLite smsmfa.db, 127.0.0.1:8080)
  smsmfa migrate                             apply database migrations
  smsmfa migrate-data --from sqlite:PATH --to postgres://…   move an embedded deployment to PostgreSQL
  smsmfa user create --login L --password P [--admin] [--first F] [--last L] [--email E]
  smsmfa user list
  smsmfa user unlock --login L
  smsmfa user set-admin --login L --admin=true|false   grant or remove administrator rights
  smsmfa sms enable | disable                turn the org's SMS factor on or off
  smsmfa settings list
  smsmfa settings set NAME=VALUE...
  smsmfa token create --name N [--owner LOGIN]   print a new API token (Authorization: SSWS <token>)
                                             acting for LOGIN (default: the oldest active administrator)
  smsmfa token list
  smsmfa token revoke --id ID
  smsmfa provider add|list|remove|test …
  smsmfa radius-client add --name N --address IP|CIDR (--secret-env VAR | --secret S)
  smsmfa radius-client list | remove NAME   the NASes (VPNs) allowed to use serve --radius-addr
  smsmfa app create --name N --redirect-uri U [--redirect-uri U2] [--logout-uri U] [--public]
                                             register an OpenID Connect application (prints client_id,
                                             and client_secret once unless --public)
  smsmfa app list
  smsmfa app remove --id CLIENT_ID
  smsmfa oidc rotate-key                     replace the OpenID Provider's signing key now
  smsmfa backup --database sqlite:PATH --to FILE [--force]   consistent copy of a live SQLite database
                                             (not the master key: back that up apart; PostgreSQL: pg_dump)
  smsmfa healthcheck [--url URL]             exit 0 when the server's /healthz answers 200, 1 otherwise
  smsmfa key rotate [--batch N]              re-seal the secrets at rest under the master key, from the
                                             previous one (SMSMFA_KEY_PREVIOUS); see docs/key-rotation.md
  smsmfa key id                              print the ids (fingerprints) of the master keys in use
  smsmfa factor list | enable TYPE | disable TYPE   the factors the org offers (sms, totp, call, webauthn)
  smsmfa bench [--workload signin|mfa] [--users N] [--concurrency N] …   load generator (own server, or --url)
  smsmfa seed --database D --users N --events M [--reuse]   fill a database for load tests
  smsmfa export [-o FILE]                    write the org's configuration as YAML (docs/configuration.md)
  smsmfa apply -f FILE|- [--dry-run] [--prune]   make the configuration match a file: prints the diff,
                                             then applies it in one unit of work

Every command takes --database (SMSMFA_DATABASE) and --key-file (SMSMFA_KEY_FILE);
run "smsmfa serve -h" for the server's flags.
`

// commands are the commands run knows, by name.
var commands = map[string]func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error{
	"serve":         serve,
	"migrate":       migrate,
	"bench":         benchCmd,
	"seed":          seedCmd,
	"migrate-data":  migrateData,
	"user":          userCmd,
	"sms":           smsCmd,
	"settings":      settingsCmd,
	"token":         tokenCmd,
	"provider":      providerCmd,
	"radius-client": radiusClientCmd,
	"app":           appCmd,
	"oidc":          oidcCmd,
	"backup":        backupCmd,
	"healthcheck":   healthcheck,
	"key":           keyCmd,
	"export":        exportCmd,
	"apply":         applyCmd,
	"factor":        factorCmd,
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	f, found := commands[cmd]
	if !found {
		fmt.Fprintf(stderr, "smsmfa: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err := f(ctx, rest, getenv, stdout, stderr); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintf(stderr, "smsmfa %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
