package mfa_test

import (
	"strings"
	"testing"

	"smsmfa/internal/mfa"
	"smsmfa/internal/secret"
)

// RADIUS clients: validated (name, address or prefix, a secret of 16 to
// 128 printable characters), unique by name and by prefix, the secret
// sealed to the client's id, each change in the system log.
func TestRadiusClients(t *testing.T) {
	e := newEnv(t)
	r := e.svc.Radius
	const good = "0123456789abcdef"
	for _, c := range []struct{ name, address, secret, want string }{
		{"", "192.0.2.1", good, "name:"},
		{"has space", "192.0.2.1", good, "name:"},
		{"vpn", "vpn.example.com", good, "address:"},
		{"vpn", "192.0.2.256", good, "address:"},
		{"vpn", "192.0.2.1", "0123456789abcde", "secret:"},
		{"vpn", "192.0.2.1", strings.Repeat("x", 129), "secret:"},
		{"vpn", "192.0.2.1", good + "\x00", "secret:"},
	} {
		_, err := r.AddRadiusClient(e.ctx, c.name, c.address, c.secret)
		if reason(err) != mfa.RInvalidInput || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddRadiusClient(%q, %q, %d chars) = %v, want a refusal of %s", c.name, c.address, len(c.secret), err, c.want)
		}
	}
	c, err := r.AddRadiusClient(e.ctx, "vpn", " 10.1.2.3/8 ", good)
	if err != nil {
		t.Fatal(err)
	}
	if c.Prefix.String() != "10.0.0.0/8" {
		t.Errorf("prefix %s, want 10.0.0.0/8", c.Prefix)
	}
	if _, err := r.AddRadiusClient(e.ctx, "vpn", "192.0.2.1", good); err == nil {
		t.Error("a second client named vpn was added")
	}
	if _, err := r.AddRadiusClient(e.ctx, "other", "10.9.9.9/8", good); err == nil {
		t.Error("a second client for 10.0.0.0/8 was added")
	}
	if _, err := r.AddRadiusClient(e.ctx, "host", "::ffff:10.1.2.3", good); err != nil {
		t.Errorf("one host inside the prefix: %v", err)
	}
	keys, err := secret.Derive([]byte(strings.Repeat("\x01", 32)))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := r.RadiusClientsWithSecrets(e.ctx, keys)
	if err != nil || len(cs) != 2 || cs[1].Name != "vpn" || cs[1].Secret != good || strings.Contains(string(cs[1].SealedSecret), good) {
		t.Fatalf("clients with secrets: %v %+v", err, cs)
	}
	if cs[0].Prefix.String() != "10.1.2.3/32" {
		t.Errorf("an IPv4-mapped address is kept as %s, want 10.1.2.3/32", cs[0].Prefix)
	}
	other, _ := secret.Derive([]byte(strings.Repeat("\x02", 32)))
	if _, err := r.RadiusClientsWithSecrets(e.ctx, other); err == nil {
		t.Error("secrets opened with another master key")
	}
	if err := r.RemoveRadiusClient(e.ctx, "vpn"); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveRadiusClient(e.ctx, "vpn"); reason(err) != mfa.RInvalidInput {
		t.Errorf("removing it again: %v", err)
	}
	if n := len(e.events(t, mfa.EvRadiusClientAdd)); n != 2 {
		t.Errorf("%d add events, want 2", n)
	}
	if n := len(e.events(t, mfa.EvRadiusClientRemove)); n != 1 {
		t.Errorf("%d remove events, want 1", n)
	}
}
