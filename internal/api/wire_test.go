package api_test

import (
	"strings"
	"testing"
)

// TestWirePresence checks fields whose presence, emptiness or null-ness
// clients depend on, in the raw JSON.
func TestWirePresence(t *testing.T) {
	e := newEnv(t)
	uid := e.user("w@example.com", true)

	s := e.signIn("w@example.com")
	if c := e.authn("/api/v1/authn/cancel", map[string]any{"stateToken": s.str("stateToken")}); c.raw != `{"relayState":""}`+"\n" {
		t.Errorf("cancel without relayState: %s", c.raw)
	}
	if r := e.api("GET", "/api/v1/users/"+uid+"/factors", nil); r.raw != "[]\n" {
		t.Errorf("no factors: %s", r.raw)
	}
	if r := e.api("POST", "/api/v1/users/"+uid+"/lifecycle/unlock", nil); r.raw != "{}\n" {
		t.Errorf("lifecycle answer: %s", r.raw)
	}

	withPw := e.api("GET", "/api/v1/users/"+uid, nil)
	if !strings.Contains(withPw.raw, `"credentials":{"password":{},"provider":{`) ||
		!strings.Contains(withPw.raw, `"lastLogin":null`) {
		t.Errorf("user with a password: %s", withPw.raw)
	}
	staged := e.api("POST", "/api/v1/users?activate=false", map[string]any{"profile": map[string]any{"login": "st@example.com"}})
	if !strings.Contains(staged.raw, `"credentials":{"provider":{`) ||
		!strings.Contains(staged.raw, `"activated":null`) || !strings.Contains(staged.raw, `"email":""`) {
		t.Errorf("staged user without a password: %s", staged.raw)
	}

	f := e.api("POST", "/api/v1/users/"+uid+"/factors?activate=true", map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	fid := f.str("id")
	e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", nil)
	ok := e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", map[string]any{"passCode": e.code("+14155550123")})
	if ok.raw != `{"factorResult":"SUCCESS"}`+"\n" {
		t.Errorf("verify: %s", ok.raw)
	}

	// An MFA_REQUIRED transaction whose factor an admin removed lists its
	// factors as null, as it always has.
	s = e.signIn("w@example.com")
	e.api("DELETE", "/api/v1/users/"+uid+"/factors/"+fid, nil)
	if r := e.authn("/api/v1/authn/introspect", map[string]any{"stateToken": s.str("stateToken")}); !strings.Contains(r.raw, `"factors":null`) {
		t.Errorf("factors of a transaction without one: %s", r.raw)
	}

	logs := e.api("GET", `/api/v1/logs?filter=eventType+eq+%22user.session.start%22`, nil)
	for _, want := range []string{`"legacyEventType":null`, `"detailEntry":null`, `"reason":null`, `"zone":"null"`, `"detail":{}`, `"isProxy":null`} {
		if !strings.Contains(logs.raw, want) {
			t.Errorf("log event has no %s: %s", want, logs.raw)
		}
	}
}
