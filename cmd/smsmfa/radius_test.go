package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// radius-client add takes the secret from an environment variable (or
// --secret), refuses a missing or doubled one, lists clients without
// their secrets and removes them by name.
func TestRadiusClientCommands(t *testing.T) {
	db := "--database=sqlite:" + filepath.Join(t.TempDir(), "smsmfa.db")
	const sharedSecret = "from-the-environment-0123"
	env := func(k string) string {
		if k == "VPN_SECRET" {
			return sharedSecret
		}
		return ""
	}
	runEnv := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), args, env, &out, &out)
		return code, out.String()
	}
	if code, out := runEnv("radius-client", "add", db, "--name", "vpn", "--address", "192.0.2.10", "--secret-env", "VPN_SECRET"); code != 0 || !strings.Contains(out, "192.0.2.10/32") {
		t.Fatalf("add: %d %s", code, out)
	}
	for _, args := range [][]string{
		{"--name", "b", "--address", "192.0.2.11"},
		{"--name", "b", "--address", "192.0.2.11", "--secret-env", "NOT_SET"},
		{"--name", "b", "--address", "192.0.2.11", "--secret-env", "VPN_SECRET", "--secret", sharedSecret},
		{"--name", "b", "--address", "192.0.2.11", "--secret", "short"},
	} {
		if code, out := runEnv(append([]string{"radius-client", "add", db}, args...)...); code == 0 {
			t.Errorf("add %v succeeded: %s", args, out)
		}
	}
	list := mustRun(t, "radius-client", "list", db)
	if !strings.Contains(list, "vpn") || !strings.Contains(list, "192.0.2.10/32") || strings.Contains(list, sharedSecret) {
		t.Fatalf("list:\n%s", list)
	}
	for line := range strings.Lines(list) { // the name is the first column: no refused client "b" was added
		if f := strings.Fields(line); len(f) > 0 && f[0] == "b" {
			t.Fatalf("a refused client is listed:\n%s", list)
		}
	}
	mustRun(t, "radius-client", "remove", db, "vpn")
	if list := mustRun(t, "radius-client", "list", db); !strings.Contains(list, "No RADIUS clients") {
		t.Fatalf("list after remove:\n%s", list)
	}
	if code, _ := runEnv("radius-client", "remove", db, "vpn"); code == 0 {
		t.Error("removing a removed client succeeded")
	}
}
