package api_test

import (
	"strings"
	"testing"
	"time"
)

const landline = "+442079460958"

func (e *env) callsOn() {
	e.t.Helper()
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"call_enabled": "true"}); err != nil {
		e.t.Fatal(err)
	}
}

// lastCall is the newest call to number the sink received.
func (e *env) lastCall(number string) (body, code, ext string) {
	e.t.Helper()
	msgs := e.sink.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == number {
			if msgs[i].Channel != "voice" {
				e.t.Fatalf("the newest message to %s is not a call: %+v", number, msgs[i])
			}
			return msgs[i].Body, msgs[i].Code, msgs[i].Extension
		}
	}
	e.t.Fatalf("no call to %s", number)
	return "", "", ""
}

func TestFactorsAPICall(t *testing.T) {
	e := newEnv(t)
	e.callsOn()
	uid := e.user("caller@example.com", true)
	base := "/api/v1/users/" + uid + "/factors"

	cat := e.api("GET", base+"/catalog", nil)
	var types []string
	for _, it := range cat.list {
		types = append(types, it.(map[string]any)["factorType"].(string))
	}
	if strings.Join(types, ",") != "sms,call" {
		t.Fatalf("catalog %s", cat.raw)
	}

	r := e.api("POST", base, map[string]any{"factorType": "call", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+44 20 7946 0958", "phoneExtension": "1234"}})
	if r.status != 200 || r.str("factorType") != "call" || r.str("status") != "PENDING_ACTIVATION" || r.str("profile", "phoneNumber") != landline ||
		r.str("profile", "phoneExtension") != "1234" || !strings.HasPrefix(r.str("id"), "clf") {
		t.Fatalf("enroll: %d %s", r.status, r.raw)
	}
	resend := r.obj("_links")["resend"].([]any)[0].(map[string]any)
	if resend["name"] != "call" || !strings.HasSuffix(resend["href"].(string), "/resend") {
		t.Fatalf("resend link %v", resend)
	}
	fid := r.str("id")
	body, code, ext := e.lastCall(landline)
	if ext != "1234" || strings.Count(body, strings.Join(strings.Split(code, ""), ", ")) != 2 {
		t.Fatalf("call %q ext %q", body, ext)
	}
	// Okta's E0000133 for a call within 30 seconds.
	e.wantError(e.api("POST", base+"/"+fid+"/resend", map[string]any{"factorType": "call"}), 429, "E0000133")
	e.clock.Advance(31 * time.Second)
	if r := e.api("POST", base+"/"+fid+"/resend", map[string]any{"factorType": "call"}); r.status != 200 {
		t.Fatalf("resend %d %s", r.status, r.raw)
	}
	_, code, _ = e.lastCall(landline)
	e.wantError(e.api("POST", base+"/"+fid+"/lifecycle/activate", map[string]any{"passCode": "000000"}), 403, "E0000068")
	a := e.api("POST", base+"/"+fid+"/lifecycle/activate", map[string]any{"passCode": code})
	if a.status != 200 || a.str("status") != "ACTIVE" || a.str("factorType") != "call" {
		t.Fatalf("activate %d %s", a.status, a.raw)
	}
	if l := e.api("GET", base, nil); len(l.list) != 1 || l.list[0].(map[string]any)["factorType"] != "call" {
		t.Fatalf("list %s", l.raw)
	}
	if g := e.api("GET", base+"/"+fid, nil); g.status != 200 || g.str("factorType") != "call" {
		t.Fatalf("get %s", g.raw)
	}

	e.clock.Advance(time.Minute)
	ch := e.api("POST", base+"/"+fid+"/verify", map[string]any{})
	if ch.status != 200 || ch.str("factorResult") != "CHALLENGE" || ch.str("profile", "phoneNumber") != landline {
		t.Fatalf("challenge %d %s", ch.status, ch.raw)
	}
	_, code, _ = e.lastCall(landline)
	if v := e.api("POST", base+"/"+fid+"/verify", map[string]any{"passCode": code}); v.status != 200 || v.str("factorResult") != "SUCCESS" {
		t.Fatalf("verify %d %s", v.status, v.raw)
	}
	// Enrolled twice: Okta's E0000001.
	e.wantError(e.api("POST", base, map[string]any{"factorType": "call", "profile": map[string]any{"phoneNumber": landline}}), 400, "E0000001")
	if d := e.api("DELETE", base+"/"+fid, nil); d.status != 204 {
		t.Fatalf("delete %d %s", d.status, d.raw)
	}
}

func TestFactorsAPICallRefusals(t *testing.T) {
	e := newEnv(t)
	e.callsOn()
	uid := e.user("refused@example.com", true)
	base := "/api/v1/users/" + uid + "/factors"
	for _, c := range []struct {
		profile map[string]any
		status  int
		code    string
	}{
		{map[string]any{"phoneNumber": "+1 900 555 0199"}, 400, "E0000001"}, // premium rate
		{map[string]any{"phoneNumber": landline, "phoneExtension": "12a"}, 400, "E0000001"},
		{map[string]any{}, 403, "E0000097"}, // as for sms: no number
	} {
		e.wantError(e.api("POST", base, map[string]any{"factorType": "call", "profile": c.profile}), c.status, c.code)
	}
	e.wantError(e.api("POST", base, map[string]any{"factorType": "call", "provider": "GOOGLE", "profile": map[string]any{"phoneNumber": landline}}), 400, "E0000001")
	if n := len(e.sink.Messages()); n != 0 {
		t.Fatalf("%d calls placed", n)
	}
	// The voice budget: Okta's daily limit answer.
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"budget_voice_daily": "1"}); err != nil {
		t.Fatal(err)
	}
	if r := e.api("POST", base, map[string]any{"factorType": "call", "profile": map[string]any{"phoneNumber": landline}}); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	other := "/api/v1/users/" + e.user("other@example.com", true) + "/factors"
	e.wantError(e.api("POST", other, map[string]any{"factorType": "call", "profile": map[string]any{"phoneNumber": "+442079460959"}}), 429, "E0000147")
}

func TestAuthnCall(t *testing.T) {
	e := newEnv(t)
	e.callsOn()
	e.user("authncall@example.com", true)
	p := e.authn("/api/v1/authn", map[string]any{"username": "authncall@example.com", "password": "Pass-word-2026"})
	if p.str("status") != "MFA_ENROLL" {
		t.Fatalf("primary %s", p.raw)
	}
	fs := p.obj("_embedded")["factors"].([]any)
	if len(fs) != 2 || fs[1].(map[string]any)["factorType"] != "call" {
		t.Fatalf("enroll options %s", p.raw)
	}
	tok := p.str("stateToken")
	en := e.authn("/api/v1/authn/factors", map[string]any{"stateToken": tok, "factorType": "call", "provider": "OKTA", "profile": map[string]any{"phoneNumber": landline}})
	if en.status != 200 || en.str("status") != "MFA_ENROLL_ACTIVATE" || en.obj("_embedded", "factor")["factorType"] != "call" {
		t.Fatalf("enroll %d %s", en.status, en.raw)
	}
	fid := en.obj("_embedded", "factor")["id"].(string)
	resend := en.obj("_links")["resend"].([]any)[0].(map[string]any)
	if resend["name"] != "call" {
		t.Fatalf("resend %v", resend)
	}
	_, code, _ := e.lastCall(landline)
	act := e.authn("/api/v1/authn/factors/"+fid+"/lifecycle/activate", map[string]any{"stateToken": tok, "passCode": code})
	if act.str("status") != "SUCCESS" {
		t.Fatalf("activate %s", act.raw)
	}

	// Sign in again: MFA_REQUIRED with the call factor, then MFA_CHALLENGE.
	e.clock.Advance(time.Minute)
	p = e.authn("/api/v1/authn", map[string]any{"username": "authncall@example.com", "password": "Pass-word-2026"})
	if p.str("status") != "MFA_REQUIRED" {
		t.Fatalf("primary %s", p.raw)
	}
	tok = p.str("stateToken")
	ch := e.authn("/api/v1/authn/factors/"+fid+"/verify", map[string]any{"stateToken": tok})
	if ch.str("status") != "MFA_CHALLENGE" || ch.obj("_links")["resend"].([]any)[0].(map[string]any)["name"] != "call" {
		t.Fatalf("challenge %s", ch.raw)
	}
	rs := e.authn("/api/v1/authn/factors/"+fid+"/verify/resend", map[string]any{"stateToken": tok})
	e.wantError(rs, 429, "E0000133")
	_, code, _ = e.lastCall(landline)
	ok := e.authn("/api/v1/authn/factors/"+fid+"/verify", map[string]any{"stateToken": tok, "passCode": code})
	if ok.str("status") != "SUCCESS" || ok.str("sessionToken") == "" {
		t.Fatalf("verify %s", ok.raw)
	}
	_, amr, err := e.svc.Signin.TakeSessionToken(e.ctx, ok.str("sessionToken"))
	if err != nil || strings.Join(amr, ",") != "pwd,tel,mfa" {
		t.Fatalf("amr %v %v", amr, err)
	}
}
