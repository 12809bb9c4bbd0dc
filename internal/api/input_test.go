package api_test

import (
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

func (e *env) events(typ string) []mfa.Event {
	e.t.Helper()
	evs, err := e.svc.Org.Events(e.ctx, mfa.EventFilter{Types: []string{typ}, OldestFirst: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// Issue 9, item 2, through the API: a 5 MB username is refused with 413
// before anything reads it, and logged once a minute; under the limit, a
// long or NUL-holding username is a plain failed sign-in (not a 500 on
// PostgreSQL), logged cleaned and cut.
func TestAuthnUsernameAttacks(t *testing.T) {
	e := newEnv(t)
	e.user("user@example.com", true)
	for range 2 {
		e.wantError(e.authn("/api/v1/authn", map[string]string{"username": strings.Repeat("A", 5<<20), "password": "x"}), 413, "E0000003")
	}
	if evs := e.events(mfa.EvRequestBlocked); len(evs) != 1 || evs[0].Details["what"] != "POST /api/v1/authn" {
		t.Fatalf("blocked events = %+v", evs)
	}
	for _, u := range []string{strings.Repeat("b", 60<<10), "user@example.com\x00", "user\xff@example.com"} {
		e.wantError(e.authn("/api/v1/authn", map[string]string{"username": u, "password": "Pass-word-2026"}), 401, "E0000004")
	}
	evs := e.events(mfa.EvSignIn)
	if len(evs) != 3 {
		t.Fatalf("%d sign-in events, want 3", len(evs))
	}
	for _, ev := range evs {
		if a := ev.Actor.AlternateID; len([]rune(a)) > mfa.FieldLogin.Max || strings.Contains(a, "\x00") {
			t.Errorf("actor stored as %.40q (%d bytes)", a, len(a))
		}
	}
}

func TestAuthnRelayStateCapped(t *testing.T) {
	e := newEnv(t)
	e.user("user@example.com", true)
	r := e.authn("/api/v1/authn", map[string]string{"username": "user@example.com", "password": "Pass-word-2026", "relayState": strings.Repeat("r", 2049)})
	e.wantError(r, 400, "E0000001")
	if r.str("errorSummary") != "Api validation failed: relayState" || causes(r)[0] != "relayState: The relay state must be at most 2048 characters." {
		t.Fatalf("%s", r.raw)
	}
	r = e.authn("/api/v1/authn", map[string]string{"username": "user@example.com", "password": "Pass-word-2026", "relayState": "/app\x00?x=1\n"})
	if r.status != 200 || r.str("relayState") != "/app?x=1 " {
		t.Fatalf("relay state: %d %s", r.status, r.raw)
	}
}

// A field over its cap or not fit to store is refused with E0000001 naming
// it; a NUL in a path or a query finds nothing (not a 500).
func TestCreateUserFieldsChecked(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		profile map[string]any
		field   string
	}{
		{map[string]any{"login": strings.Repeat("l", 257)}, "login"},
		{map[string]any{"login": "a\u0000b@example.com"}, "login"},
		{map[string]any{"login": "x@example.com", "firstName": strings.Repeat("f", 101)}, "firstName"},
		{map[string]any{"login": "x@example.com", "lastName": strings.Repeat("l", 101)}, "lastName"},
		{map[string]any{"login": "x@example.com", "email": "x@example.com\r\nBcc: y@example.com"}, "email"},
		{map[string]any{"login": "x@example.com", "locale": "en US"}, "locale"},
		{map[string]any{"login": "x@example.com", "timeZone": strings.Repeat("T", 65)}, "timeZone"},
	} {
		r := e.api("POST", "/api/v1/users", map[string]any{"profile": tc.profile})
		e.wantError(r, 400, "E0000001")
		if r.str("errorSummary") != "Api validation failed: "+tc.field || !strings.HasPrefix(causes(r)[0], tc.field+": ") {
			t.Errorf("%v: %s", tc.profile, r.raw)
		}
	}
	r := e.api("POST", "/api/v1/users", map[string]any{"profile": map[string]any{"login": "ok@example.com", "firstName": "A\u0000da\u202e"}})
	if r.status != 200 || r.str("profile", "firstName") != "Ada" {
		t.Fatalf("cleaned name: %d %s", r.status, r.raw)
	}
	e.wantError(e.api("GET", "/api/v1/users/%00", nil), 404, "E0000007")
	if r := e.api("GET", "/api/v1/users?q=%00&after=%00", nil); r.status != 200 {
		t.Fatalf("a NUL search: %d %s", r.status, r.raw)
	}
	e.wantError(e.api("GET", "/api/v1/users?q="+strings.Repeat("q", 201), nil), 400, "E0000001")
	e.wantError(e.api("GET", "/api/v1/logs?q="+strings.Repeat("q", 201), nil), 400, "E0000001")
}
