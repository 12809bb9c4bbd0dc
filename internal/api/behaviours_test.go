package api_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The ten behaviours of okta-api.md §7, each a test, over raw HTTP.

func TestBehaviour1AuthJSEnrollWithUpdatePhone(t *testing.T) {
	e := newEnv(t)
	e.user("b1@example.com", true)
	r := e.signIn("b1@example.com")
	if r.str("status") != "MFA_ENROLL" {
		t.Fatalf("status %s", r.raw)
	}
	factors := r.obj("_embedded")["factors"].([]any)
	sms := factors[0].(map[string]any)
	if sms["factorType"] != "sms" || sms["provider"] != "OKTA" {
		t.Fatalf("factor list: %v", factors)
	}
	enroll := e.checkLink(sms["_links"].(map[string]any)["enroll"].(map[string]any))
	r = e.authn(enroll+"?updatePhone=true", map[string]any{"stateToken": r.str("stateToken"), "factorType": "sms", "provider": "OKTA",
		"profile": map[string]any{"phoneNumber": "+1 415 555 0123"}})
	if r.status != 200 || r.str("status") != "MFA_ENROLL_ACTIVATE" {
		t.Fatalf("enroll: %d %s", r.status, r.raw)
	}
	if r.str("_embedded", "factor", "profile", "phoneNumber") != "+1 XXX-XXX-0123" {
		t.Fatalf("the number is not masked: %s", r.raw)
	}
	e.linkOf(r, "next")
	e.linkOf(r, "prev")
	e.linkOf(r, "cancel")
	resend := r.body["_links"].(map[string]any)["resend"].([]any)
	if len(resend) != 1 || resend[0].(map[string]any)["name"] != "sms" {
		t.Fatalf("resend links: %v", resend)
	}
	e.checkLink(resend[0].(map[string]any))
	if e.sent("+14155550123") != 1 {
		t.Fatal("no SMS")
	}
}

func TestBehaviour2AuthJSCancel(t *testing.T) {
	e := newEnv(t)
	e.user("b2@example.com", true)
	r := e.authn("/api/v1/authn", map[string]any{"username": "b2@example.com", "password": "Pass-word-2026", "relayState": "/app"})
	tok := r.str("stateToken")
	c := e.authn("/api/v1/authn/cancel", map[string]any{"stateToken": tok})
	if c.status != 200 || c.str("relayState") != "/app" {
		t.Fatalf("cancel: %d %s", c.status, c.raw)
	}
	e.wantError(e.authn("/api/v1/authn", map[string]any{"stateToken": tok}), 401, "E0000011")
}

func TestBehaviour3MFAChallengeVerifyWithRememberDevice(t *testing.T) {
	e := newEnv(t)
	uid := e.user("b3@example.com", true)
	e.enrollActive(uid, "+14155550123")
	e.clock.Advance(30 * time.Second)
	r := e.signIn("b3@example.com")
	if r.str("status") != "MFA_REQUIRED" {
		t.Fatalf("%s", r.raw)
	}
	f := r.obj("_embedded")["factors"].([]any)[0].(map[string]any)
	verify := e.checkLink(f["_links"].(map[string]any)["verify"].(map[string]any))
	r = e.authn(verify+"?rememberDevice=true&autoPush=false", map[string]any{"stateToken": r.str("stateToken")})
	if r.str("status") != "MFA_CHALLENGE" {
		t.Fatalf("challenge: %s", r.raw)
	}
	next := e.linkOf(r, "next")
	r = e.authn(next+"?rememberDevice=false", map[string]any{"stateToken": r.str("stateToken"), "passCode": e.code("+14155550123")})
	if r.status != 200 || r.str("status") != "SUCCESS" || r.str("sessionToken") == "" {
		t.Fatalf("verify: %d %s", r.status, r.raw)
	}
}

func TestBehaviour4WrongCodeKeepsTransactionUsable(t *testing.T) {
	e := newEnv(t)
	e.user("b4@example.com", true)
	r := e.signIn("b4@example.com")
	tok := r.str("stateToken")
	r = e.authn("/api/v1/authn/factors", map[string]any{"stateToken": tok, "factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	activate := e.linkOf(r, "next")
	bad := e.authn(activate, map[string]any{"stateToken": tok, "passCode": wrong(e.code("+14155550123"))})
	e.wantError(bad, 403, "E0000068")
	if c := causes(bad); len(c) != 1 || bad.str("errorSummary") != "Invalid Passcode/Answer" {
		t.Fatalf("causes: %v", c)
	}
	if s := e.authn("/api/v1/authn", map[string]any{"stateToken": tok}); s.str("status") != "MFA_ENROLL_ACTIVATE" {
		t.Fatalf("after a wrong code: %s", s.raw)
	}
	if r := e.authn(activate, map[string]any{"stateToken": tok, "passCode": e.code("+14155550123")}); r.str("status") != "SUCCESS" {
		t.Fatalf("right code after a wrong one: %s", r.raw)
	}
}

func TestBehaviour5ErrorsByStatus(t *testing.T) {
	e := newEnv(t)
	e.wantError(e.authn("/api/v1/authn", map[string]any{"stateToken": "dead"}), 401, "E0000011")
	uid := e.user("b5@example.com", true)
	f := e.api("POST", "/api/v1/users/"+uid+"/factors", map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	var last resp
	for range 6 {
		last = e.api("POST", "/api/v1/users/"+uid+"/factors/"+f.str("id")+"/lifecycle/activate", map[string]any{"passCode": "000000"})
	}
	e.wantError(last, 429, "E0000047")
	if last.header.Get("X-Rate-Limit-Reset") == "" || last.header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("429 without rate-limit headers: %v", last.header)
	}
}

func TestBehaviour6WidgetEnrollSMS(t *testing.T) {
	e := newEnv(t)
	uid := e.user("b6@example.com", true)
	f := e.enrollActive(uid, "+14155550123")
	e.api("DELETE", "/api/v1/users/"+uid+"/factors/"+f, nil)
	e.clock.Advance(time.Minute)
	r := e.signIn("b6@example.com")
	tok := r.str("stateToken")
	// (a) the verified phone is listed, masked.
	sms := r.obj("_embedded")["factors"].([]any)[0].(map[string]any)
	phones := sms["_embedded"].(map[string]any)["phones"].([]any)
	if len(phones) != 1 || phones[0].(map[string]any)["profile"].(map[string]any)["phoneNumber"] != "+1 XXX-XXX-0123" {
		t.Fatalf("phones: %v", phones)
	}
	// (e) E0000098 for a number that is possible but not valid; the
	// widget's retry with validatePhone:false is accepted.
	body := map[string]any{"stateToken": tok, "factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+1-555-415-1337"}}
	e.wantError(e.authn("/api/v1/authn/factors?updatePhone=true", body), 400, "E0000098")
	// …and E0000001 "Invalid Phone Number." (no retry) for what is not a number at all.
	junk := e.authn("/api/v1/authn/factors?updatePhone=true", map[string]any{"stateToken": tok, "factorType": "sms", "profile": map[string]any{"phoneNumber": "call me"}})
	e.wantError(junk, 400, "E0000001")
	if c := causes(junk); len(c) != 1 || c[0] != "Invalid Phone Number." {
		t.Fatalf("causes: %v", c)
	}
	body["profile"].(map[string]any)["validatePhone"] = false
	r = e.authn("/api/v1/authn/factors?updatePhone=true", body)
	if r.str("status") != "MFA_ENROLL_ACTIVATE" {
		t.Fatalf("validatePhone:false: %s", r.raw)
	}
	// (b) re-send goes to lifecycle/resend with only the state token.
	e.clock.Advance(30 * time.Second)
	resend := r.body["_links"].(map[string]any)["resend"].([]any)[0].(map[string]any)["href"].(string)
	if rs := e.authn(resend, map[string]any{"stateToken": tok}); rs.str("status") != "MFA_ENROLL_ACTIVATE" || e.sent("+15554151337") != 2 {
		t.Fatalf("resend: %s", rs.raw)
	}
	// (c) previous, then enroll another number with updatePhone=true.
	if p := e.authn("/api/v1/authn/previous", map[string]any{"stateToken": tok}); p.str("status") != "MFA_ENROLL" {
		t.Fatalf("previous: %s", p.raw)
	}
	e.clock.Advance(30 * time.Second)
	r = e.authn("/api/v1/authn/factors?updatePhone=true", map[string]any{"stateToken": tok, "factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+447911123456"}})
	// (d) activate with {passCode, stateToken}.
	if a := e.authn(e.linkOf(r, "next"), map[string]any{"passCode": e.code("+447911123456"), "stateToken": tok}); a.str("status") != "SUCCESS" {
		t.Fatalf("activate: %s", a.raw)
	}
}

func TestBehaviour7FactorLifecycleLikeSDKv2(t *testing.T) {
	e := newEnv(t)
	u := e.api("POST", "/api/v1/users?activate=false", map[string]any{"profile": map[string]any{"login": "b7@example.com", "email": "b7@example.com", "firstName": "B", "lastName": "Seven"},
		"credentials": map[string]any{"password": map[string]any{"value": "Abcd1234!x"}}})
	if u.status != 200 || u.str("status") != "STAGED" || strings.Contains(u.raw, "Abcd1234") {
		t.Fatalf("create: %d %s", u.status, u.raw)
	}
	uid := u.str("id")
	cat := e.api("GET", "/api/v1/users/"+uid+"/factors/catalog", nil)
	if len(cat.list) != 1 || cat.list[0].(map[string]any)["factorType"] != "sms" || strings.Contains(cat.raw, "_embedded") {
		t.Fatalf("catalog: %s", cat.raw)
	}
	if l := e.api("GET", "/api/v1/users/"+uid+"/factors", nil); l.raw != "[]\n" {
		t.Fatalf("list: %q", l.raw)
	}
	f := e.api("POST", "/api/v1/users/"+uid+"/factors", map[string]any{"factorType": "sms", "profile": map[string]any{"phoneNumber": "16284001133"}})
	if f.status != 200 || f.str("factorType") != "sms" || f.str("status") != "PENDING_ACTIVATION" || f.str("profile", "phoneNumber") != "+16284001133" {
		t.Fatalf("enroll: %d %s", f.status, f.raw)
	}
	if g := e.api("GET", "/api/v1/users/"+uid+"/factors/"+f.str("id"), nil); g.str("id") != f.str("id") {
		t.Fatalf("get: %s", g.raw)
	}
	if d := e.api("DELETE", "/api/v1/users/"+uid+"/factors/"+f.str("id"), nil); d.status != 204 || d.raw != "" {
		t.Fatalf("delete: %d %q", d.status, d.raw)
	}
}

func TestBehaviour8FactorsAPIRules(t *testing.T) {
	e := newEnv(t)
	uid := e.user("b8@example.com", true)
	base := "/api/v1/users/" + uid + "/factors"
	f := e.api("POST", base, map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	fid := f.str("id")
	rs := e.api("POST", base+"/"+fid+"/resend", map[string]any{"factorType": "sms", "provider": "OKTA"})
	e.wantError(rs, 429, "E0000109")
	reset, _ := strconv.ParseInt(rs.header.Get("X-Rate-Limit-Reset"), 10, 64)
	if reset != e.clock.Now().Add(30*time.Second).Unix() {
		t.Fatalf("X-Rate-Limit-Reset %d, want the end of the cooldown", reset)
	}
	a := e.api("POST", base+"/"+fid+"/lifecycle/activate", map[string]any{"passCode": e.code("+14155550123")})
	if a.str("status") != "ACTIVE" {
		t.Fatalf("activate: %s", a.raw)
	}
	e.clock.Advance(time.Minute)
	ch := e.api("POST", base+"/"+fid+"/verify", nil)
	if ch.str("factorResult") != "CHALLENGE" || ch.str("profile", "phoneNumber") != "+14155550123" {
		t.Fatalf("challenge: %s", ch.raw)
	}
	if v := e.api("POST", base+"/"+fid+"/verify", map[string]any{"passCode": e.code("+14155550123")}); v.str("factorResult") != "SUCCESS" {
		t.Fatalf("verify: %s", v.raw)
	}
	if d := e.api("DELETE", base+"/"+fid, nil); d.status != 204 {
		t.Fatalf("delete: %d", d.status)
	}
	other := e.api("POST", base, map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+14155550199"}})
	e.wantError(other, 400, "E0000001")
	if c := causes(other); c[0] != "There is an existing verified phone number." {
		t.Fatalf("causes: %v", c)
	}
	e.clock.Advance(time.Minute)
	again := e.api("POST", base, map[string]any{"factorType": "sms", "provider": "OKTA"})
	if again.str("profile", "phoneNumber") != "+14155550123" || e.sent("+14155550123") != 3 {
		t.Fatalf("re-enroll without a number: %s", again.raw)
	}
	uid2 := e.user("b8b@example.com", true)
	act := e.api("POST", "/api/v1/users/"+uid2+"/factors?activate=true", map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+14155550177"}})
	if act.str("status") != "ACTIVE" || e.sent("+14155550177") != 0 {
		t.Fatalf("activate=true: %s (%d SMS)", act.raw, e.sent("+14155550177"))
	}
}

func TestBehaviour9AuthnStateMachine(t *testing.T) {
	e := newEnv(t)
	e.user("b9@example.com", true)
	r := e.signIn("b9@example.com")
	tok := r.str("stateToken")
	exp, err := time.Parse(time.RFC3339, r.str("expiresAt"))
	if err != nil || !exp.Equal(e.clock.Now().Add(5*time.Minute)) {
		t.Fatalf("expiresAt %q", r.str("expiresAt"))
	}
	wrongState := e.authn("/api/v1/authn/factors/xyz/verify", map[string]any{"stateToken": tok})
	e.wantError(wrongState, 403, "E0000079")
	r = e.authn("/api/v1/authn/factors", map[string]any{"stateToken": tok, "factorType": "sms", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	s := e.authn(e.linkOf(r, "next"), map[string]any{"stateToken": tok, "passCode": e.code("+14155550123")})
	if s.str("status") != "SUCCESS" || s.str("sessionToken") == "" || s.str("stateToken") != "" || s.str("_embedded", "user", "profile", "login") != "b9@example.com" {
		t.Fatalf("success: %s", s.raw)
	}
	e.wantError(e.authn("/api/v1/authn", map[string]any{"stateToken": tok}), 401, "E0000011")
	r = e.signIn("b9@example.com")
	e.clock.Advance(5 * time.Minute)
	e.wantError(e.authn("/api/v1/authn", map[string]any{"stateToken": r.str("stateToken")}), 401, "E0000011")
}

func TestBehaviour10GoSDKv5Decoding(t *testing.T) {
	e := newEnv(t)
	uid := e.user("b10@example.com", true)
	fid := e.enrollActive(uid, "+14155550123")
	e.clock.Advance(time.Minute)
	ch := e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", "null")
	if ch.str("factorResult") != "CHALLENGE" {
		t.Fatalf("null body: %s", ch.raw)
	}
	if _, isList := ch.obj("_links")["resend"].([]any); isList {
		t.Fatal("verify answer has a resend array")
	}
	for _, path := range []string{"/api/v1/users/" + uid + "/factors", "/api/v1/users/" + uid + "/factors/catalog", "/api/v1/users/" + uid + "/factors/" + fid} {
		if r := e.api("GET", path, nil); strings.Contains(r.raw, "_embedded") {
			t.Fatalf("%s holds _embedded: %s", path, r.raw)
		}
	}
	quick := e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", map[string]any{})
	e.wantError(quick, 429, "E0000109")
	if _, err := strconv.ParseInt(quick.header.Get("X-Rate-Limit-Reset"), 10, 64); err != nil {
		t.Fatalf("X-Rate-Limit-Reset %q", quick.header.Get("X-Rate-Limit-Reset"))
	}
}

// enrollActive enrolls and activates sms through the Factors API.
func (e *env) enrollActive(uid, number string) string {
	e.t.Helper()
	f := e.api("POST", "/api/v1/users/"+uid+"/factors", map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": number}})
	a := e.api("POST", "/api/v1/users/"+uid+"/factors/"+f.str("id")+"/lifecycle/activate", map[string]any{"passCode": e.code(number)})
	if a.str("status") != "ACTIVE" {
		e.t.Fatalf("activate: %s", a.raw)
	}
	return f.str("id")
}

// The Factors API names a user by id or by login; a challenge through the
// login links to the user's id, and an unknown user is a 404 either way.
func TestVerifyByLoginAndUnknownUser(t *testing.T) {
	e := newEnv(t)
	uid := e.user("byLogin@example.com", true)
	fid := e.enrollActive(uid, "+14155550123")
	e.clock.Advance(time.Minute)
	ch := e.api("POST", "/api/v1/users/byLogin@example.com/factors/"+fid+"/verify", nil)
	if ch.str("factorResult") != "CHALLENGE" || !strings.Contains(e.linkOf(ch, "verify"), "/api/v1/users/"+uid+"/factors/"+fid+"/verify") {
		t.Fatalf("challenge by login: %s", ch.raw)
	}
	if v := e.api("POST", "/api/v1/users/BYLOGIN@example.com/factors/"+fid+"/verify", map[string]any{"passCode": e.code("+14155550123")}); v.str("factorResult") != "SUCCESS" {
		t.Fatalf("verify by login: %s", v.raw)
	}
	for _, body := range []any{nil, map[string]any{"passCode": "123456"}, "{not json"} {
		e.wantError(e.api("POST", "/api/v1/users/00unobody/factors/"+fid+"/verify", body), 404, "E0000007")
		e.wantError(e.api("POST", "/api/v1/users/nobody@example.com/factors/"+fid+"/verify", body), 404, "E0000007")
	}
	// A known user with a body that does not parse: the body's error.
	e.wantError(e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", "{not json"), 400, "E0000003")
}
