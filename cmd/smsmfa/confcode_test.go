package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maps"
	"slices"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smsmfa/internal/confcode"
	"smsmfa/internal/mfa"
	"smsmfa/internal/secret"
	"smsmfa/internal/store"
	"smsmfa/internal/telephony"
)

// Secrets of the configuration the tests apply: they reach the file only
// as ${ENV} references.
const (
	twilioToken  = "auth-token-0123456789abcdef"
	twilioSID    = "AC0123456789abcdef0123456789abcdef"
	vpnSecret    = "radius-shared-secret-0123"
	wikiSecret   = "wiki-client-secret-0123456789abcdefghij"
	vonageSecret = "vonage-api-secret-01"
)

// fullConfig uses every section of the schema.
const fullConfig = `apiVersion: smsmfa/v1
settings:
  org_name: Acme
  code_lifetime: 10m
  code_length: 8
  sms_enabled: true
  countries_deny: [7, 234]
  trusted_origins: https://app.example.com
providers:
  - name: twilio-eu
    type: twilio
    priority: 10
    senders: ["+15557654321:1", "Acme:44,33"]
    credentials:
      account_sid: ${TWILIO_SID}
      auth_token: ${TWILIO_TOKEN}
  - name: vonage
    type: vonage
    priority: 20
    enabled: false
    credentials:
      api_key: ${TWILIO_SID}
      api_secret: ${VONAGE_SECRET}
templates:
  en: "Your {org} code: {code}"
  pt_BR: "Seu código {org}: {code}"
numbers:
  - number: "+14155550123"
    status: trusted
  - number: "+14155550124"
    status: blocked
trusted_ranges: ["GB", "+3361234"]
oidc_apps:
  - client_id: 0oaWiki0000000000001
    name: Wiki
    redirect_uris: [https://wiki.example.com/callback]
    logout_uris: [https://wiki.example.com/]
    client_secret: ${WIKI_SECRET}
  - name: Mobile
    public: true
    redirect_uris: [com.example.app:/cb]
radius_clients:
  - name: vpn1
    address: 192.0.2.0/24
    secret: ${VPN_SECRET}
`

// testDatabases are the databases a test runs on: a new SQLite file, and
// a new schema of SMSMFA_TEST_POSTGRES when it is set.
func testDatabases(t *testing.T) map[string]string {
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")}
	base := os.Getenv("SMSMFA_TEST_POSTGRES")
	if base == "" {
		t.Log("SMSMFA_TEST_POSTGRES is not set: PostgreSQL not tested")
		return dbs
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := "conftest_" + strings.ToLower(rand.Text())
	if _, err := admin.SQL().ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.SQL().ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dbs["postgres"] = u.String()
	return dbs
}

// confEnv is the environment of the tests: the secrets and a master key.
func confEnv(t *testing.T) map[string]string {
	key := make([]byte, 32)
	rand.Read(key)
	return map[string]string{"TWILIO_SID": twilioSID, "TWILIO_TOKEN": twilioToken, "VPN_SECRET": vpnSecret, "WIKI_SECRET": wikiSecret,
		"VONAGE_SECRET": vonageSecret, "SMSMFA_KEY": base64.StdEncoding.EncodeToString(key)}
}

// cli runs smsmfa with env and stdin, returning the exit code, stdout and
// stderr.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if stdin != "" {
		f := filepath.Join(t.TempDir(), "stdin.yaml")
		if err := os.WriteFile(f, []byte(stdin), 0o600); err != nil {
			t.Fatal(err)
		}
		for i, a := range args {
			if a == "-" {
				args[i] = f
			}
		}
	}
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

func mustCLI(t *testing.T, env map[string]string, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, env, stdin, args...)
	if code != 0 {
		t.Fatalf("smsmfa %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// applied reads a file's configuration as apply checks it, in a stable
// order, with only the settings fullConfig names and the client ids it
// gives.
func applied(t *testing.T, env map[string]string, file string) mfa.OrgConfig {
	t.Helper()
	doc, err := confcode.Parse([]byte(file), func(k string) string { return env[k] })
	if err != nil || len(doc.Problems) > 0 {
		t.Fatalf("parse: %v %v", err, doc.Problems)
	}
	c := doc.Config
	if ps := mfa.CheckOrgConfig(&c, telephony.AllKinds()); len(ps) > 0 {
		t.Fatalf("check: %v", ps)
	}
	maps.DeleteFunc(c.Settings, func(k, _ string) bool { return !strings.Contains(fullConfig, "\n  "+k+":") })
	slices.SortFunc(c.Apps, func(a, b mfa.AppConfig) int { return strings.Compare(a.Name, b.Name) })
	for i := range c.Apps {
		if !strings.Contains(fullConfig, c.Apps[i].ClientID) {
			c.Apps[i].ClientID = "" // made by apply
		}
	}
	slices.SortFunc(c.Providers, func(a, b mfa.ProviderConfig) int { return a.Priority - b.Priority })
	slices.SortFunc(c.Numbers, func(a, b mfa.Number) int { return strings.Compare(a.Number, b.Number) })
	slices.Sort(c.TrustedRanges)
	return c
}

// events reads the system log.
func events(t *testing.T, dbURL string, env map[string]string) []mfa.Event {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []mfa.Event
	err = db.View(context.Background(), func(tx mfa.Tx) error {
		out, err = tx.ListEvents(context.Background(), mfa.EventFilter{Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A file applied to an empty database reads back as the same
// configuration; export piped to apply --dry-run reports no change; the
// same file applied again writes nothing. On both engines.
func TestApplyExportRoundTrip(t *testing.T) {
	for engine, dbURL := range testDatabases(t) {
		t.Run(engine, func(t *testing.T) {
			env := confEnv(t)
			db := "--database=" + dbURL
			out := mustCLI(t, env, fullConfig, "apply", db, "-f", "-")
			for _, want := range []string{"+ provider twilio-eu", "~ settings.code_lifetime: 300s -> 600s", "+ template pt_BR", "+ number +14155550124: blocked",
				"+ trusted-range +3361234", "+ app Wiki: confidential", "+ radius-client vpn1: 192.0.2.0/24", "applied 17 change(s)"} {
				if !strings.Contains(out, want) {
					t.Errorf("apply output lacks %q:\n%s", want, out)
				}
			}
			logged := len(events(t, dbURL, env))
			if logged != 17 {
				t.Errorf("%d events for 17 changes", logged)
			}

			exported := mustCLI(t, env, "", "export", db)
			for _, secret := range []string{twilioToken, twilioSID, vpnSecret, wikiSecret, vonageSecret} {
				if strings.Contains(exported, secret) {
					t.Fatalf("export holds a secret:\n%s", exported)
				}
			}
			// The operator sets the variables export names, with the secrets.
			for name, v := range map[string]string{"SMSMFA_PROVIDER_TWILIO_EU_ACCOUNT_SID": twilioSID, "SMSMFA_PROVIDER_TWILIO_EU_AUTH_TOKEN": twilioToken,
				"SMSMFA_PROVIDER_VONAGE_API_KEY": twilioSID, "SMSMFA_PROVIDER_VONAGE_API_SECRET": vonageSecret, "SMSMFA_RADIUS_VPN1_SECRET": vpnSecret} {
				if !strings.Contains(exported, "${"+name+"}") {
					t.Errorf("export does not refer to %s:\n%s", name, exported)
				}
				env[name] = v
			}
			want, got := applied(t, env, fullConfig), applied(t, env, exported)
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(mfa.AppConfig{}), cmpopts.IgnoreFields(mfa.AppConfig{}, "Secret"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("exported configuration differs from the file applied (-file +export):\n%s\n%s", diff, exported)
			}

			if out := mustCLI(t, env, exported, "apply", db, "-f", "-", "--dry-run"); out != "no changes\n" {
				t.Errorf("export | apply --dry-run:\n%s", out)
			}
			if out := mustCLI(t, env, fullConfig, "apply", db, "-f", "-"); out != "no changes\n" {
				t.Errorf("applying the file again:\n%s", out)
			}
			if n := len(events(t, dbURL, env)); n != logged {
				t.Errorf("re-applying wrote %d events", n-logged)
			}
		})
	}
}

// A file with mistakes is refused whole, every mistake named with its
// path (and line), and nothing is applied; a file too large, one with
// anchors, an unknown key, a literal secret or an unset variable are
// refused; a bad setting gets the console's own message.
func TestApplyRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "smsmfa.db")
	db := "--database=" + dbURL
	env := confEnv(t)
	mustCLI(t, env, "", "migrate", db)
	before := mustCLI(t, env, "", "export", db)

	// The console's message for a bad value (settings set is its twin).
	code, _, consoleMsg := cli(t, env, "", "settings", "set", db, "code_length=3")
	if code == 0 {
		t.Fatal("settings set code_length=3 succeeded")
	}
	consoleMsg = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(consoleMsg), "smsmfa settings: "))

	huge := "apiVersion: smsmfa/v1\ntemplates:\n" + strings.Repeat("  # padding padding padding padding padding padding padding\n", confcode.MaxSize/60+10)
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"unknown key", "apiVersion: smsmfa/v1\nproviders:\n  - name: a\n    type: twilio\n    colour: red\n", []string{"$.providers[0].colour", "line 5", `unknown field "colour"`}},
		{"unknown section", "apiVersion: smsmfa/v1\nusers: []\n", []string{"$.users", `unknown field "users"`}},
		{"no version", "settings:\n  code_length: 6\n", []string{"$.apiVersion", "must be smsmfa/v1"}},
		{"literal credential", "apiVersion: smsmfa/v1\nproviders:\n  - name: a\n    type: twilio\n    credentials:\n      account_sid: ${TWILIO_SID}\n      auth_token: hunter2hunter2\n",
			[]string{"$.providers[0].credentials.auth_token (line 7)", "never the secret itself"}},
		{"literal radius secret", "apiVersion: smsmfa/v1\nradius_clients:\n  - name: vpn\n    address: 192.0.2.1\n    secret: radius-shared-secret-0123\n", []string{"$.radius_clients[0].secret", "never the secret itself"}},
		{"unset variable", "apiVersion: smsmfa/v1\nradius_clients:\n  - name: vpn\n    address: 192.0.2.1\n    secret: ${NOT_SET_ANYWHERE}\n", []string{"$.radius_clients[0].secret", "NOT_SET_ANYWHERE is not set"}},
		{"bad setting", "apiVersion: smsmfa/v1\nsettings:\n  code_length: 3\n", []string{"$.settings.code_length (line 3)", consoleMsg}},
		{"unknown setting", "apiVersion: smsmfa/v1\nsettings:\n  code_lenght: 6\n", []string{"$.settings.code_lenght", `unknown setting "code_lenght"`}},
		{"new confidential app without a secret", "apiVersion: smsmfa/v1\noidc_apps:\n  - name: Wiki\n    redirect_uris: [https://wiki.example.com/cb]\n",
			[]string{"$.oidc_apps[0].client_secret (line 3)", `the new confidential application "Wiki" needs client_secret`}},
		{"huge", huge, []string{"larger than 1048576 bytes"}},
		{"aliases", "apiVersion: smsmfa/v1\ntrusted_ranges: &a [GB, GB]\nnumbers: *a\n", []string{"anchors and aliases"}},
		{"every mistake at once", `apiVersion: smsmfa/v1
settings:
  code_lifetime: 2s
  org_name: Fine
providers:
  - name: a
    type: carrier-pigeon
    senders: ["not a sender!"]
templates:
  en: "no code here"
numbers:
  - number: "12"
    status: trusted
trusted_ranges: ["nowhere"]
oidc_apps:
  - name: x
    redirect_uris: ["javascript:alert(1)"]
radius_clients:
  - name: vpn
    address: not-an-ip
    secret: ${VPN_SECRET}
`, []string{"$.settings.code_lifetime (line 3): code_lifetime must be a duration", "$.providers[0].senders[0] (line 8)", "$.providers[0] (line 6)",
			"$.templates.en (line 10): template: the text must contain {code}", "$.numbers[0].number (line 12)", "$.trusted_ranges[0] (line 14)",
			"$.oidc_apps[0] (line 16)", "$.radius_clients[0] (line 19)", "nothing applied"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(f, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errs := cli(t, env, "", "apply", db, "-f", f)
			if code == 0 {
				t.Fatalf("applied:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("the refusal lacks %q:\n%s", w, errs)
				}
			}
			if strings.Contains(errs, "hunter2") || strings.Contains(errs, "radius-shared-secret-0123") {
				t.Errorf("the refusal repeats the secret:\n%s", errs)
			}
		})
	}
	if after := mustCLI(t, env, "", "export", db); after != before {
		t.Errorf("a refused file changed the configuration:\n%s", after)
	}
	if n := len(events(t, dbURL, env)); n != 0 {
		t.Errorf("refused files wrote %d events", n)
	}
}

// --dry-run changes nothing; without --prune what the file leaves out is
// kept and said so, with --prune it is removed, but only in the sections
// the file has; each change is one event of the command line's, with no
// secret in it; a changed secret is applied and shown without its value.
func TestApplyDryRunPruneAndLog(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	db := "--database=" + dbURL
	env := confEnv(t)
	mustCLI(t, env, fullConfig, "apply", db, "-f", "-")
	logged := len(events(t, dbURL, env))

	small := `apiVersion: smsmfa/v1
settings:
  code_lifetime: 5m
providers:
  - name: twilio-eu
    type: twilio
    priority: 10
    senders: ["+15557654321:1", "Acme:44,33"]
    credentials:
      account_sid: ${TWILIO_SID}
      auth_token: ${NEW_TOKEN}
radius_clients: []
`
	env["NEW_TOKEN"] = "rotated-token-9876543210"
	out := mustCLI(t, env, small, "apply", db, "-f", "-", "--dry-run")
	for _, want := range []string{"~ settings.code_lifetime: 600s -> 300s", "~ provider twilio-eu: credentials.auth_token changed", "= provider vonage: not in file (kept)",
		"= radius-client vpn1: not in file (kept)", "= template en: not in file (kept)", "dry run: nothing applied"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rotated-token") || strings.Contains(out, twilioToken) {
		t.Errorf("the diff shows a secret:\n%s", out)
	}
	if n := len(events(t, dbURL, env)); n != logged {
		t.Fatalf("dry run wrote %d events", n-logged)
	}
	if out := mustCLI(t, env, fullConfig, "apply", db, "-f", "-", "--dry-run"); out != "no changes\n" {
		t.Fatalf("after a dry run the database differs from the first file:\n%s", out)
	}

	out = mustCLI(t, env, small, "apply", db, "-f", "-", "--prune")
	for _, want := range []string{"- provider vonage", "- radius-client vpn1", "= template en: not in file (kept)", "= app Wiki: not in file (kept)", "applied 4 change(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply --prune lacks %q:\n%s", want, out)
		}
	}
	evs := events(t, dbURL, env)
	if len(evs) != logged+4 {
		t.Fatalf("%d events for 4 changes", len(evs)-logged)
	}
	for _, e := range evs[:4] { // newest first
		if e.Actor.ID != mfa.CLIActor.ID || e.Details["via"] != "apply" {
			t.Errorf("event %s: actor %s, details %v", e.Type, e.Actor.ID, e.Details)
		}
	}
	for _, e := range evs {
		text := e.Message + e.Reason + e.Target.AlternateID + strings.Join(slices.Collect(maps.Values(e.Details)), " ")
		for _, secret := range []string{twilioToken, twilioSID, vpnSecret, wikiSecret, vonageSecret, "rotated-token"} {
			if strings.Contains(text, secret) {
				t.Errorf("event %s holds a secret: %s", e.Type, text)
			}
		}
	}
	if out := mustCLI(t, env, small, "apply", db, "-f", "-", "--prune"); !strings.HasSuffix(out, "no changes\n") {
		t.Errorf("re-applying with --prune:\n%s", out)
	}
}

// Changing an application in the file changes it in place (same client
// id, so its tokens live on) and a new client secret replaces the old
// one; a RADIUS client's new secret and address are applied. On both
// engines.
func TestApplyChangesAppsAndRadiusInPlace(t *testing.T) {
	for engine, dbURL := range testDatabases(t) {
		t.Run(engine, func(t *testing.T) {
			env := confEnv(t)
			db := "--database=" + dbURL
			mustCLI(t, env, fullConfig, "apply", db, "-f", "-")
			changed := strings.NewReplacer("https://wiki.example.com/callback", "https://wiki.example.com/cb2", "${WIKI_SECRET}", "${WIKI_SECRET_2}",
				"192.0.2.0/24", "198.51.100.7", "${VPN_SECRET}", "${VPN_SECRET_2}").Replace(fullConfig)
			env["WIKI_SECRET_2"] = "the-next-wiki-client-secret-0123456789"
			env["VPN_SECRET_2"] = "the-next-radius-secret-01"
			out := mustCLI(t, env, changed, "apply", db, "-f", "-")
			for _, want := range []string{"~ app Wiki: redirect_uris, client_secret changed", "~ radius-client vpn1: address 192.0.2.0/24 -> 198.51.100.7/32, secret changed", "applied 2 change(s)"} {
				if !strings.Contains(out, want) {
					t.Errorf("apply lacks %q:\n%s", want, out)
				}
			}
			sdb, err := store.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer sdb.Close()
			var app mfa.App
			var rcs []mfa.RadiusClient
			err = sdb.View(context.Background(), func(tx mfa.Tx) error {
				if app, err = tx.GetApp(context.Background(), "0oaWiki0000000000001"); err != nil {
					return err
				}
				rcs, err = tx.ListRadiusClients(context.Background())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(app.RedirectURIs, []string{"https://wiki.example.com/cb2"}) || !bytes.Equal(app.SecretHash, secret.HashToken(env["WIKI_SECRET_2"])) {
				t.Errorf("app after apply: %+v", app)
			}
			if len(rcs) != 1 || rcs[0].Prefix.String() != "198.51.100.7/32" || bytes.Contains(rcs[0].SealedSecret, []byte(env["VPN_SECRET_2"])) {
				t.Errorf("RADIUS clients after apply: %+v", rcs)
			}
			if out := mustCLI(t, env, changed, "apply", db, "-f", "-"); out != "no changes\n" {
				t.Errorf("re-applying:\n%s", out)
			}
		})
	}
}

// Renaming a RADIUS client in the file, with --prune, removes the old one
// before adding the new one at the same address (the address is unique).
func TestApplyRenamesWithPrune(t *testing.T) {
	for engine, dbURL := range testDatabases(t) {
		t.Run(engine, func(t *testing.T) {
			env := confEnv(t)
			db := "--database=" + dbURL
			mustCLI(t, env, fullConfig, "apply", db, "-f", "-")
			renamed := strings.Replace(fullConfig, "name: vpn1", "name: vpn-main", 1)
			out := mustCLI(t, env, renamed, "apply", db, "--prune", "-f", "-")
			for _, want := range []string{"+ radius-client vpn-main", "- radius-client vpn1"} {
				if !strings.Contains(out, want) {
					t.Errorf("apply lacks %q:\n%s", want, out)
				}
			}
			if out := mustCLI(t, env, "", "radius-client", "list", db); !strings.Contains(out, "vpn-main") || strings.Contains(out, "vpn1") {
				t.Errorf("RADIUS clients after the rename:\n%s", out)
			}
		})
	}
}

// Apply is one unit of work: when a late change fails (a RADIUS client
// whose address a kept client has), the changes before it are undone too.
func TestApplyIsAllOrNothing(t *testing.T) {
	for engine, dbURL := range testDatabases(t) {
		t.Run(engine, func(t *testing.T) {
			env := confEnv(t)
			db := "--database=" + dbURL
			mustCLI(t, env, fullConfig, "apply", db, "-f", "-")
			before := mustCLI(t, env, "", "export", db)
			logged := len(events(t, dbURL, env))
			clash := "apiVersion: smsmfa/v1\nsettings:\n  code_length: 7\ntemplates:\n  fr: \"Code {code}\"\nradius_clients:\n  - name: vpn2\n    address: 192.0.2.0/24\n    secret: ${VPN_SECRET}\n"
			code, out, errs := cli(t, env, clash, "apply", db, "-f", "-")
			if code == 0 || !strings.Contains(errs, "radius-client vpn2: the name or address is taken: nothing applied") {
				t.Fatalf("apply of a clashing client: exit %d\n%s%s", code, out, errs)
			}
			if after := mustCLI(t, env, "", "export", db); after != before {
				t.Errorf("a failed apply left changes:\n%s", after)
			}
			if n := len(events(t, dbURL, env)); n != logged {
				t.Errorf("a failed apply left %d events", n-logged)
			}
		})
	}
}
