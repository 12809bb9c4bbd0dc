package api_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"smsmfa/internal/passkeytest"
)

// The test server's base URL is http://127.0.0.1:port, but the domain is
// built with Host 127.0.0.1: its origin is http://127.0.0.1.
const (
	apiRP     = "127.0.0.1"
	apiOrigin = "http://127.0.0.1"
)

func std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func challengeOf(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 16 {
		t.Fatalf("challenge %q: %v", s, err)
	}
	return b
}

func passkeyAPIEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"sms_enabled": "false", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFactorsAPIWebAuthn(t *testing.T) {
	e := passkeyAPIEnv(t)
	uid := e.user("alice@example.com", true)
	base := "/api/v1/users/" + uid + "/factors"
	cat := e.api("GET", base+"/catalog", nil)
	if len(cat.list) != 1 || cat.list[0].(map[string]any)["factorType"] != "webauthn" || cat.list[0].(map[string]any)["provider"] != "FIDO" {
		t.Fatalf("catalog: %s", cat.raw)
	}
	r := e.api("POST", base, map[string]any{"factorType": "webauthn", "provider": "FIDO"})
	if r.status != 200 || r.str("status") != "PENDING_ACTIVATION" || r.str("factorType") != "webauthn" || r.str("provider") != "FIDO" {
		t.Fatalf("enroll: %d %s", r.status, r.raw)
	}
	act := r.obj("_embedded", "activation")
	if act["attestation"] != "direct" || r.str("_embedded", "activation", "authenticatorSelection", "userVerification") != "required" ||
		r.str("_embedded", "activation", "user", "name") != "alice@example.com" || r.str("_embedded", "activation", "rp", "name") == "" {
		t.Fatalf("activation: %s", r.raw)
	}
	if _, ok := act["pubKeyCredParams"].([]any); !ok {
		t.Fatalf("no pubKeyCredParams: %s", r.raw)
	}
	fid := r.str("id")
	a := passkeytest.New()
	cd, att := a.Create(apiRP, apiOrigin, challengeOf(t, r.str("_embedded", "activation", "challenge")))

	// Garbage first: refused with a clear error, nothing stored.
	bad := e.api("POST", base+"/"+fid+"/lifecycle/activate", map[string]any{"attestation": "not base64!", "clientData": std(cd)})
	e.wantError(bad, 400, "E0000001")
	if !strings.Contains(bad.raw, "attestation") {
		t.Fatalf("the error does not name the field: %s", bad.raw)
	}
	huge := e.api("POST", base+"/"+fid+"/lifecycle/activate", map[string]any{"attestation": std(make([]byte, 40<<10)), "clientData": std(cd)})
	e.wantError(huge, 400, "E0000001")
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, uid); len(st.Credentials) != 0 || st.Factor.Status != "PENDING_ACTIVATION" {
		t.Fatalf("after refused answers: %+v", st)
	}

	r = e.api("POST", base+"/"+fid+"/lifecycle/activate", map[string]any{"attestation": std(att), "clientData": std(cd)})
	if r.status != 200 || r.str("status") != "ACTIVE" || r.str("profile", "credentialId") != base64.RawURLEncoding.EncodeToString(a.ID) {
		t.Fatalf("activate: %d %s", r.status, r.raw)
	}
	e.wantError(e.api("POST", base, map[string]any{"factorType": "webauthn", "provider": "FIDO"}), 400, "E0000001")
	if l := e.api("GET", base, nil); len(l.list) != 1 || l.list[0].(map[string]any)["id"] != fid {
		t.Fatalf("list: %s", l.raw)
	}
	if g := e.api("GET", base+"/"+fid, nil); g.status != 200 || g.str("factorType") != "webauthn" {
		t.Fatalf("get: %s", g.raw)
	}

	ch := e.api("POST", base+"/"+fid+"/verify", nil)
	if ch.status != 200 || ch.str("factorResult") != "CHALLENGE" || ch.str("_links", "verify", "href") == "" {
		t.Fatalf("challenge: %d %s", ch.status, ch.raw)
	}
	cd, ad, sig := a.Get(apiRP, apiOrigin, challengeOf(t, ch.str("_embedded", "challenge", "challenge")))
	answer := map[string]any{"clientData": std(cd), "authenticatorData": std(ad), "signatureData": std(sig)}
	if v := e.api("POST", base+"/"+fid+"/verify", answer); v.status != 200 || v.str("factorResult") != "SUCCESS" {
		t.Fatalf("verify: %d %s", v.status, v.raw)
	}
	// The same answer again: the challenge is spent.
	e.wantError(e.api("POST", base+"/"+fid+"/verify", answer), 403, "E0000068")

	// Removed, the passkey no longer verifies.
	if d := e.api("DELETE", base+"/"+fid, nil); d.status != 204 {
		t.Fatalf("delete: %d %s", d.status, d.raw)
	}
	if st, _ := e.svc.Factors.WebAuthn(e.ctx, uid); st.Factor != nil || len(st.Credentials) != 0 {
		t.Fatalf("after delete: %+v", st)
	}
}

func TestAuthnAPIWebAuthn(t *testing.T) {
	e := passkeyAPIEnv(t)
	e.user("alice@example.com", true)
	login := map[string]any{"username": "alice@example.com", "password": "Pass-word-2026"}
	r := e.authn("/api/v1/authn", login)
	fs, _ := r.obj("_embedded")["factors"].([]any)
	if r.str("status") != "MFA_ENROLL" || len(fs) != 1 || fs[0].(map[string]any)["factorType"] != "webauthn" {
		t.Fatalf("primary: %s", r.raw)
	}
	tok := r.str("stateToken")
	r = e.authn("/api/v1/authn/factors", map[string]any{"stateToken": tok, "factorType": "webauthn", "provider": "FIDO"})
	if r.str("status") != "MFA_ENROLL_ACTIVATE" || r.str("_embedded", "factor", "_embedded", "activation", "u2fParams", "appid") == "" {
		t.Fatalf("enroll: %d %s", r.status, r.raw)
	}
	if _, resend := r.obj("_links")["resend"]; resend {
		t.Fatalf("a resend link for a passkey: %s", r.raw)
	}
	a := passkeytest.New()
	cd, att := a.Create(apiRP, apiOrigin, challengeOf(t, r.str("_embedded", "factor", "_embedded", "activation", "challenge")))
	r = e.authn(r.str("_links", "next", "href"), map[string]any{"stateToken": tok, "attestation": std(att), "clientData": std(cd)})
	if r.str("status") != "SUCCESS" || r.str("sessionToken") == "" {
		t.Fatalf("activate: %d %s", r.status, r.raw)
	}

	r = e.authn("/api/v1/authn", login)
	fs, _ = r.obj("_embedded")["factors"].([]any)
	if r.str("status") != "MFA_REQUIRED" || len(fs) != 1 {
		t.Fatalf("second sign-in: %s", r.raw)
	}
	f := fs[0].(map[string]any)
	if f["profile"].(map[string]any)["credentialId"] != base64.RawURLEncoding.EncodeToString(a.ID) {
		t.Fatalf("factor profile: %v", f)
	}
	tok = r.str("stateToken")
	// Verify by type: challengeType FACTOR_TYPE, the factor as an array.
	r = e.authn("/api/v1/authn/factors/webauthn/verify", map[string]any{"stateToken": tok})
	arr, _ := r.obj("_embedded")["factor"].([]any)
	if r.status != 200 || r.str("status") != "MFA_CHALLENGE" || r.str("challengeType") != "FACTOR_TYPE" || len(arr) != 1 || r.str("_embedded", "challenge", "challenge") == "" {
		t.Fatalf("verify by type: %d %s", r.status, r.raw)
	}
	challenge := challengeOf(t, r.str("_embedded", "challenge", "challenge"))
	// A wrong signature: E0000068, and it counts.
	cd, ad, sig := a.Get(apiRP, apiOrigin, challenge)
	badSig := append([]byte{}, sig...)
	badSig[len(badSig)-1] ^= 1
	e.wantError(e.authn("/api/v1/authn/factors/webauthn/verify", map[string]any{"stateToken": tok, "clientData": std(cd), "authenticatorData": std(ad), "signatureData": std(badSig)}), 403, "E0000068")
	// The ceremony is spent: a new challenge, through the factor's own path.
	r = e.authn("/api/v1/authn/factors/"+f["id"].(string)+"/verify", map[string]any{"stateToken": tok})
	if r.str("status") != "MFA_CHALLENGE" || r.str("_embedded", "factor", "_embedded", "challenge", "userVerification") != "required" {
		t.Fatalf("challenge: %d %s", r.status, r.raw)
	}
	cd, ad, sig = a.Get(apiRP, apiOrigin, challengeOf(t, r.str("_embedded", "factor", "_embedded", "challenge", "challenge")))
	r = e.authn(r.str("_links", "next", "href"), map[string]any{"stateToken": tok, "clientData": std(cd), "authenticatorData": std(ad), "signatureData": std(sig)})
	if r.str("status") != "SUCCESS" || r.str("sessionToken") == "" {
		t.Fatalf("verify: %d %s", r.status, r.raw)
	}
	if u, _ := e.svc.Users.GetUser(e.ctx, "alice@example.com"); u.FailedMFA != 0 {
		t.Fatalf("failed MFA %d after success", u.FailedMFA)
	}
}
