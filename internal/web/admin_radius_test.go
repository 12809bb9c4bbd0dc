package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// The console lists RADIUS clients without their secrets, adds one (a
// refusal keeps the name and address, never the secret) and removes it;
// each change is in the system log; a non-admin can do none of it.
func TestAdminRadiusClients(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := context.Background()
	const sharedSecret = "vpn-secret-typed-in-the-console"
	user := s.client(t)
	s.post(t, user, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if resp := s.post(t, user, "/admin/radius", url.Values{"name": {"vpn"}, "address": {"192.0.2.10"}, "secret": {sharedSecret}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-admin added a RADIUS client: %d", resp.StatusCode)
	}
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	if _, b := s.get(t, c, "/admin/radius"); !strings.Contains(b, "No RADIUS clients.") {
		t.Fatalf("empty list:\n%s", b)
	}
	resp := s.post(t, c, "/admin/radius", url.Values{"name": {"vpn"}, "address": {"192.0.2.300"}, "secret": {sharedSecret}})
	b := body(resp)
	if !strings.Contains(b, "is not an IP address or a CIDR prefix") || !strings.Contains(b, `value="192.0.2.300"`) || strings.Contains(b, sharedSecret) {
		t.Fatalf("refusal (%d):\n%s", resp.StatusCode, b)
	}
	resp = s.post(t, c, "/admin/radius", url.Values{"name": {"vpn"}, "address": {"192.0.2.10"}, "secret": {sharedSecret}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", resp.StatusCode, body(resp))
	}
	_, b = s.get(t, c, "/admin/radius")
	if !strings.Contains(b, "RADIUS client vpn added for 192.0.2.10/32") || !strings.Contains(b, "<code>192.0.2.10/32</code>") || strings.Contains(b, sharedSecret) {
		t.Fatalf("list after add:\n%s", b)
	}
	cs, err := s.svc.Radius.RadiusClients(ctx)
	if err != nil || len(cs) != 1 {
		t.Fatalf("stored clients: %v %+v", err, cs)
	}
	if strings.Contains(string(cs[0].SealedSecret), sharedSecret) {
		t.Error("the shared secret is stored in the clear")
	}
	resp = s.post(t, c, "/admin/radius/"+cs[0].ID+"/remove", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if _, b = s.get(t, c, "/admin/radius"); !strings.Contains(b, "No RADIUS clients.") {
		t.Fatalf("list after remove:\n%s", b)
	}
	for _, typ := range []string{mfa.EvRadiusClientAdd, mfa.EvRadiusClientRemove} {
		evs, err := s.svc.Org.Events(ctx, mfa.EventFilter{Types: []string{typ}, Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].Actor.AlternateID != "admin@example.com" {
			t.Errorf("%s events: %v %+v", typ, err, evs)
		}
	}
}
