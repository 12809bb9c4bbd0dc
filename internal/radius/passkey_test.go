package radius_test

import (
	"testing"

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
