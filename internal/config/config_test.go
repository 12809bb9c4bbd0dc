package config_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsEnvFlags(t *testing.T) {
	c, _, err := config.Load("serve", config.FlagsServe, nil, env(nil), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Database != "sqlite:smsmfa.db" || c.BaseURL != "http://127.0.0.1:8080" || c.KeyFile != "smsmfa.key" || c.Dev || c.MetricsPublic {
		t.Fatalf("defaults: %+v", c)
	}
	c, _, err = config.Load("serve", config.FlagsServe, []string{"--addr", "127.0.0.1:9999", "--dev"},
		env(map[string]string{"SMSMFA_ADDR": "127.0.0.1:7777", "SMSMFA_BASE_URL": "https://mfa.example.com", "SMSMFA_DATABASE": "sqlite:/tmp/x/a.db", "SMSMFA_SESSION_IDLE": "30m", "SMSMFA_METRICS_PUBLIC": "true"}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.BaseURL != "https://mfa.example.com" || !c.Dev || c.KeyFile != "/tmp/x/smsmfa.key" || c.SessionIdle != 30*time.Minute || !c.MetricsPublic {
		t.Fatalf("env and flags: %+v", c)
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	_, _, err := config.Load("serve", config.FlagsServe, []string{"--base-url", "ftp://x", "--log-level", "loud"},
		env(map[string]string{"SMSMFA_DATABASE": "postgres://db/smsmfa"}), io.Discard, nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"base-url", "log-level", "SMSMFA_KEY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %s", err, want)
		}
	}
	if _, _, err := config.Load("serve", config.FlagsServe, []string{"--radius-addr", "1812"}, env(nil), io.Discard, nil); err == nil || !strings.Contains(err.Error(), "--radius-addr") {
		t.Fatalf("--radius-addr without a host part: %v", err)
	}
	if c, _, err := config.Load("serve", config.FlagsServe, nil, env(map[string]string{"SMSMFA_RADIUS_ADDR": "0.0.0.0:1812"}), io.Discard, nil); err != nil || c.RadiusAddr != "0.0.0.0:1812" {
		t.Fatalf("SMSMFA_RADIUS_ADDR: %v %q", err, c.RadiusAddr)
	}
	if _, _, err := config.Load("serve", config.FlagsServe, nil, env(map[string]string{"SMSMFA_SESSION_IDLE": "soon"}), io.Discard, nil); err == nil || !strings.Contains(err.Error(), "SMSMFA_SESSION_IDLE") {
		t.Fatalf("bad env value: %v", err)
	}
}
