package radius_test

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"smsmfa/internal/mfa"
	"smsmfa/internal/passkeytest"
)

// A user who verifies with a passkey is rejected over RADIUS with a clear
// message: the password alone never lets them in, and no text is sent.
func TestPasskeyUserRejected(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"sms_enabled": "false", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	u := e.user("pk@example.com", false)
	v, err := e.svc.Signin.PrimaryAuth(e.ctx, u.Login, userPass, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Signin.TxnWebAuthnEnroll(e.ctx, v.Txn.StateToken)
	if err != nil {
		t.Fatal(err)
	}
	cd, att := passkeytest.New().Create("login.example.com", "http://login.example.com", v.Creation.Challenge)
	if _, err := e.svc.Signin.TxnWebAuthnActivate(e.ctx, v.Txn.StateToken, "", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, ""); err != nil {
		t.Fatal(err)
	}
	c := e.conn("127.0.0.1")
	r := e.exchange(c, request(nasSecret, u.Login, userPass, nil, ""))
	if r.Code != radius.CodeAccessReject || rfc2865.ReplyMessage_GetString(r) != "Your account verifies with a passkey (Security Key or Biometric Authenticator), which cannot be used here." {
		t.Errorf("got %v %q", r.Code, rfc2865.ReplyMessage_GetString(r))
	}
}

// A user with an authenticator app and a newer passkey signs in over
// RADIUS with the app; an empty answer asks for the app's code again (it
// picked the passkey, used most recently, and ended the sign-in).
func TestAppUserWithANewerPasskeyKeepsTheApp(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"totp_enabled": "true", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	u := e.user("both@example.com", false)
	f, st, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(st.Secret)
	if _, err := e.svc.Factors.ActivateTOTP(e.ctx, u.ID, f.ID, mfa.TOTPCode(sec, mfa.TOTPStep(e.clock.Now()), mfa.TOTPDigits)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	_, opts, err := e.svc.Factors.BeginWebAuthnEnroll(e.ctx, u.ID, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	cd, att := passkeytest.New().Create("login.example.com", "http://login.example.com", opts.Challenge)
	if _, _, err := e.svc.Factors.FinishWebAuthnEnroll(e.ctx, u.ID, "test", mfa.AttestationInput{ClientDataJSON: cd, AttestationObject: att}, "Laptop"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	c := e.conn("127.0.0.1")
	ch := e.signInPassword(c, u.Login, "")
	if ch.Code != radius.CodeAccessChallenge || !strings.HasPrefix(rfc2865.ReplyMessage_GetString(ch), "Enter the code from your authenticator app") {
		t.Fatalf("first challenge: %v %q", ch.Code, rfc2865.ReplyMessage_GetString(ch))
	}
	again := e.exchange(c, request(nasSecret, u.Login, "", rfc2865.State_Get(ch), ""))
	if again.Code != radius.CodeAccessChallenge || !strings.HasPrefix(rfc2865.ReplyMessage_GetString(again), "Enter the code from your authenticator app") {
		t.Fatalf("empty answer: %v %q", again.Code, rfc2865.ReplyMessage_GetString(again))
	}
	ok := e.exchange(c, request(nasSecret, u.Login, mfa.TOTPCode(sec, mfa.TOTPStep(e.clock.Now()), mfa.TOTPDigits), rfc2865.State_Get(again), ""))
	if ok.Code != radius.CodeAccessAccept {
		t.Fatalf("app code: %v %q", ok.Code, rfc2865.ReplyMessage_GetString(ok))
	}
}
