package api_test

import (
	"encoding/base32"
	"net/http"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

func totpCode(t *testing.T, e *env, secret string, steps int64) string {
	t.Helper()
	sec, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return mfa.TOTPCode(sec, mfa.TOTPStep(e.clock.Now())+steps, 6)
}

func (e *env) enableTOTP(t *testing.T) {
	t.Helper()
	if err := e.svc.Org.SetFactorEnabled(e.ctx, "totp", true); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url, token string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, res.Header.Get("Content-Type"), []byte(b.String())
}

func TestFactorsAPITOTPEnrollActivateVerify(t *testing.T) {
	e := newEnv(t)
	e.enableTOTP(t)
	uid := e.user("ann@example.com", true)
	r := e.api("POST", "/api/v1/users/"+uid+"/factors", map[string]any{"factorType": "token:software:totp", "provider": "GOOGLE"})
	if r.status != 200 || r.str("status") != "PENDING_ACTIVATION" || r.str("factorType") != "token:software:totp" || r.str("provider") != "GOOGLE" {
		t.Fatalf("enroll: %d %s", r.status, r.raw)
	}
	if r.str("profile", "credentialId") != "ann@example.com" {
		t.Fatalf("credentialId: %s", r.raw)
	}
	act := r.obj("_embedded", "activation")
	secret, _ := act["sharedSecret"].(string)
	if act["encoding"] != "base32" || act["timeStep"] != float64(30) || act["keyLength"] != float64(6) || len(secret) != 32 {
		t.Fatalf("activation: %v", act)
	}
	qr, _ := act["_links"].(map[string]any)["qrcode"].(map[string]any)
	href, _ := qr["href"].(string)
	if qr["type"] != "image/png" || !strings.HasPrefix(href, e.srv.URL+"/api/v1/users/"+uid+"/factors/"+r.str("id")+"/qr/") {
		t.Fatalf("qrcode link: %v", qr)
	}
	status, ctype, png := get(t, href, "")
	if status != 200 || ctype != "image/png" || string(png[1:4]) != "PNG" {
		t.Fatalf("QR: %d %s", status, ctype)
	}
	// A guessed key, or another user's path, gives nothing.
	if st, _, _ := get(t, href[:len(href)-4]+"0000", ""); st != 404 {
		t.Fatalf("QR with a wrong key: %d", st)
	}
	other := e.user("bob@example.com", true)
	if st, _, _ := get(t, strings.Replace(href, uid, other, 1), ""); st != 404 {
		t.Fatalf("QR under another user: %d", st)
	}
	fid := r.str("id")
	e.wantError(e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/lifecycle/activate", map[string]any{"passCode": wrong(totpCode(t, e, secret, 0))}), 403, "E0000068")
	r = e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/lifecycle/activate", map[string]any{"passCode": totpCode(t, e, secret, 0)})
	if r.status != 200 || r.str("status") != "ACTIVE" || r.obj("_embedded") != nil {
		t.Fatalf("activate: %d %s", r.status, r.raw)
	}
	// Once active the QR code is gone, and the secret is never shown again.
	if st, _, _ := get(t, href, ""); st != 404 {
		t.Fatalf("QR after activation: %d", st)
	}
	r = e.api("GET", "/api/v1/users/"+uid+"/factors", nil)
	if len(r.list) != 1 || strings.Contains(r.raw, secret) {
		t.Fatalf("list: %s", r.raw)
	}
	// The activation code's step is spent.
	e.wantError(e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", map[string]any{"passCode": totpCode(t, e, secret, 0)}), 403, "E0000082")
	e.clock.Advance(mfa.TOTPPeriod)
	r = e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", map[string]any{"passCode": totpCode(t, e, secret, 0)})
	if r.status != 200 || r.str("factorResult") != "SUCCESS" {
		t.Fatalf("verify: %d %s", r.status, r.raw)
	}
	e.wantError(e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", map[string]any{"passCode": totpCode(t, e, secret, 0)}), 403, "E0000082")
	e.wantError(e.api("POST", "/api/v1/users/"+uid+"/factors/"+fid+"/verify", map[string]any{}), 400, "E0000001")
	// The secret is in no event of the system log.
	logs := e.api("GET", "/api/v1/logs?limit=1000", nil)
	if strings.Contains(logs.raw, secret) || !strings.Contains(logs.raw, "token:software:totp") {
		t.Fatal("the system log holds the secret, or no TOTP event")
	}
	// Catalog lists both providers.
	r = e.api("GET", "/api/v1/users/"+other+"/factors/catalog", nil)
	if !strings.Contains(r.raw, `"provider":"GOOGLE"`) || !strings.Contains(r.raw, `"factorType":"token:software:totp"`) {
		t.Fatalf("catalog: %s", r.raw)
	}
}

func TestAuthnTOTPEnrollAndSignIn(t *testing.T) {
	e := newEnv(t)
	e.enableTOTP(t)
	e.user("ann@example.com", true)
	r := e.signIn("ann@example.com")
	if r.str("status") != "MFA_ENROLL" || !strings.Contains(r.raw, `"factorType":"token:software:totp"`) || !strings.Contains(r.raw, `"factorType":"sms"`) {
		t.Fatalf("MFA_ENROLL: %s", r.raw)
	}
	st := r.str("stateToken")
	r = e.authn("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "token:software:totp", "provider": "OKTA"})
	if r.status != 200 || r.str("status") != "MFA_ENROLL_ACTIVATE" {
		t.Fatalf("enroll: %d %s", r.status, r.raw)
	}
	act := r.obj("_embedded", "factor", "_embedded", "activation")
	secret, _ := act["sharedSecret"].(string)
	if secret == "" || r.obj("_links", "resend") != nil {
		t.Fatalf("activation: %s", r.raw)
	}
	next := e.linkOf(r, "next")
	r = e.authn(next, map[string]any{"stateToken": st, "passCode": totpCode(t, e, secret, 0)})
	if r.str("status") != "SUCCESS" {
		t.Fatalf("activate: %s", r.raw)
	}
	e.clock.Advance(mfa.TOTPPeriod)
	r = e.signIn("ann@example.com")
	if r.str("status") != "MFA_REQUIRED" || !strings.Contains(r.raw, `"credentialId":"ann@example.com"`) {
		t.Fatalf("MFA_REQUIRED: %s", r.raw)
	}
	fs := r.body["_embedded"].(map[string]any)["factors"].([]any)
	verify := e.checkLink(fs[0].(map[string]any)["_links"].(map[string]any)["verify"].(map[string]any))
	st = r.str("stateToken")
	e.wantError(e.authn(verify, map[string]any{"stateToken": st, "passCode": wrong(totpCode(t, e, secret, 0))}), 403, "E0000068")
	r = e.authn(verify, map[string]any{"stateToken": st, "passCode": totpCode(t, e, secret, 0)})
	if r.str("status") != "SUCCESS" || r.str("sessionToken") == "" {
		t.Fatalf("verify: %s", r.raw)
	}
}

func TestOrgFactorsTOTP(t *testing.T) {
	e := newEnv(t)
	r := e.api("GET", "/api/v1/org/factors", nil)
	if len(r.list) != 5 || !strings.Contains(r.raw, `"id":"google_otp","provider":"GOOGLE","factorType":"token:software:totp","status":"INACTIVE"`) || !strings.Contains(r.raw, `"id":"okta_call","provider":"OKTA","factorType":"call","status":"INACTIVE"`) {
		t.Fatalf("org factors: %s", r.raw)
	}
	r = e.api("POST", "/api/v1/org/factors/google_otp/lifecycle/activate", nil)
	if r.status != 200 || r.str("status") != "ACTIVE" {
		t.Fatalf("activate: %d %s", r.status, r.raw)
	}
	if set, _ := e.svc.Org.Settings(e.ctx); !set.TOTPEnabled {
		t.Fatal("totp_enabled still off")
	}
	if r = e.api("GET", "/api/v1/org/factors/okta_otp", nil); r.str("status") != "ACTIVE" {
		t.Fatalf("okta_otp: %s", r.raw)
	}
	r = e.api("GET", `/api/v1/org/factors?filter=status+eq+%22ACTIVE%22`, nil)
	if len(r.list) != 3 {
		t.Fatalf("active: %s", r.raw)
	}
	e.api("POST", "/api/v1/org/factors/okta_otp/lifecycle/deactivate", nil)
	if set, _ := e.svc.Org.Settings(e.ctx); set.TOTPEnabled {
		t.Fatal("totp_enabled still on")
	}
	e.wantError(e.api("GET", "/api/v1/org/factors/nope", nil), 404, "E0000007")
	// A stranger (no token) gets nothing.
	if r := e.do("POST", "/api/v1/org/factors/okta_otp/lifecycle/activate", "", nil); r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
}
