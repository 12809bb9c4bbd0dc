package confcode_test

import (
	"errors"
	"strings"
	"testing"

	"smsmfa/internal/confcode"
)

// Read refuses a file over MaxSize without reading it all.
func TestReadBound(t *testing.T) {
	if _, err := confcode.Read(strings.NewReader(strings.Repeat("#", confcode.MaxSize))); err != nil {
		t.Fatalf("a file of MaxSize bytes: %v", err)
	}
	if _, err := confcode.Read(strings.NewReader(strings.Repeat("#", confcode.MaxSize+1))); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a file over MaxSize: %v", err)
	}
}

// Settings take scalars and lists (as text: the domain checks them, "yes"
// included); secrets resolve from the environment
// only as whole ${NAME} values; region and header may be literal.
func TestParseValues(t *testing.T) {
	env := map[string]string{"TOKEN": "tok-0123456789", "SID": "AC01"}
	doc, err := confcode.Parse([]byte(`apiVersion: smsmfa/v1
settings:
  code_length: 8
  sms_enabled: yes
  countries_deny: [7, 234]
  trusted_origins: ~
  nested: {a: 1}
providers:
  - name: sns
    type: aws-sns
    credentials:
      region: eu-west-1
      access_key_id: ${SID}
      secret_access_key: prefix-${TOKEN}
`), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Config.Settings
	if s["code_length"] != "8" || s["sms_enabled"] != "yes" || s["countries_deny"] != "7,234" || s["trusted_origins"] != "" {
		t.Errorf("settings: %v", s)
	}
	c := doc.Config.Providers[0].Credentials
	if c["region"] != "eu-west-1" || c["access_key_id"] != "AC01" {
		t.Errorf("credentials: %v", c)
	}
	var paths []string
	for _, p := range doc.Problems {
		paths = append(paths, p.Path)
	}
	if got := strings.Join(paths, " "); got != "$.settings.nested $.providers[0].credentials.secret_access_key" {
		t.Errorf("problems at %q: %v", got, doc.Problems)
	}
	if strings.Contains(doc.Problems.Error(), "tok-0123456789") {
		t.Errorf("a problem shows the secret: %v", doc.Problems)
	}
}

// Syntax errors, two documents and an empty file are refused as Problems.
func TestParseRefusesMalformed(t *testing.T) {
	for _, f := range []string{"", "apiVersion: smsmfa/v1\n---\napiVersion: smsmfa/v1\n", "apiVersion: [smsmfa/v1\n", "apiVersion: smsmfa/v1\nproviders: {name: a}\n"} {
		_, err := confcode.Parse([]byte(f), func(string) string { return "" })
		if _, ok := errors.AsType[confcode.Problems](err); !ok {
			t.Errorf("%q: %v", f, err)
		}
	}
}

// A file cannot hand the server's own variables (its master key, its
// database URL) to a provider, e.g. a webhook whose URL it also sets; the
// names export writes, and names of the operator's own, are accepted.
func TestServersOwnVariablesAreRefused(t *testing.T) {
	env := map[string]string{"SMSMFA_KEY": "master-key-material", "SMSMFA_DATABASE": "postgres://x", "SMSMFA_PROVIDER_HOOK_SECRET": "s1", "HOOK_TOKEN": "s2"}
	doc, err := confcode.Parse([]byte(`apiVersion: smsmfa/v1
providers:
  - {name: a, type: webhook, url: "https://hooks.example.net/a", credentials: {secret: "${SMSMFA_KEY}"}}
  - {name: b, type: webhook, url: "https://hooks.example.net/b", credentials: {secret: "${SMSMFA_DATABASE}"}}
  - {name: c, type: webhook, url: "https://hooks.example.net/c", credentials: {secret: "${SMSMFA_PROVIDER_HOOK_SECRET}"}}
  - {name: d, type: webhook, url: "https://hooks.example.net/d", credentials: {secret: "${HOOK_TOKEN}"}}
`), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range doc.Problems {
		paths = append(paths, p.Path)
	}
	if got := strings.Join(paths, " "); got != "$.providers[0].credentials.secret $.providers[1].credentials.secret" {
		t.Errorf("problems at %q: %v", got, doc.Problems)
	}
	if strings.Contains(doc.Problems.Error(), "master-key-material") {
		t.Errorf("a problem shows the key: %v", doc.Problems)
	}
	if c := doc.Config.Providers; len(c) != 4 || c[2].Credentials["secret"] != "s1" || c[3].Credentials["secret"] != "s2" {
		t.Errorf("accepted references: %+v", c)
	}
}

func TestEnvName(t *testing.T) {
	if got := confcode.EnvName("provider", "twilio-eu.2", "auth_token"); got != "SMSMFA_PROVIDER_TWILIO_EU_2_AUTH_TOKEN" {
		t.Errorf("EnvName: %s", got)
	}
}

// Whatever the file, Parse returns (no panic, no hang).
func FuzzParse(f *testing.F) {
	f.Add([]byte("apiVersion: smsmfa/v1\nsettings:\n  code_length: 6\nproviders:\n  - name: a\n    type: twilio\n    credentials: {auth_token: ${X}}\n"))
	f.Add([]byte("apiVersion: smsmfa/v1\nradius_clients: [{name: v, address: 10.0.0.1, secret: '${S}'}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := confcode.Parse(b, func(string) string { return "secret-value-0123456789" })
		if err == nil && doc == nil {
			t.Fatal("no doc and no error")
		}
	})
}
