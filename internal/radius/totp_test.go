package radius_test

import (
	"encoding/base32"
	"strings"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"smsmfa/internal/mfa"
)

// TestAuthenticatorAppCode: a user whose newest factor is the
// authenticator app types its code at the challenge; "sms" switches to a
// texted code; a replayed app code is rejected.
func TestAuthenticatorAppCode(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.SetFactorEnabled(e.ctx, "totp", true); err != nil {
		t.Fatal(err)
	}
	u := e.user("ann@example.com", true)
	e.clock.Advance(mfa.TOTPPeriod)
	f, st, err := e.svc.Factors.EnrollTOTP(e.ctx, u.ID, "GOOGLE")
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(st.Secret)
	code := func() string { return mfa.TOTPCode(sec, mfa.TOTPStep(e.clock.Now()), mfa.TOTPDigits) }
	if _, err := e.svc.Factors.ActivateTOTP(e.ctx, u.ID, f.ID, code()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(mfa.TOTPPeriod)

	c := e.conn("127.0.0.1")
	ch := e.signInPassword(c, "ann@example.com", "")
	if got := rfc2865.ReplyMessage_GetString(ch); !strings.HasPrefix(got, "Enter the code from your authenticator app") || !strings.Contains(got, "type sms") {
		t.Fatalf("challenge %q", got)
	}
	app := code()
	ok := e.exchange(c, request(nasSecret, "ann@example.com", app, rfc2865.State_Get(ch), ""))
	if ok.Code != radius.CodeAccessAccept {
		t.Fatalf("app code: %v %q", ok.Code, rfc2865.ReplyMessage_GetString(ok))
	}
	// The same code again, in a new sign-in: refused (each step once).
	ch = e.signInPassword(c, "ann@example.com", "")
	if r := e.exchange(c, request(nasSecret, "ann@example.com", app, rfc2865.State_Get(ch), "")); r.Code != radius.CodeAccessReject {
		t.Fatalf("replayed app code: %v", r.Code)
	}
	// "sms" switches to a texted code.
	ch = e.signInPassword(c, "ann@example.com", "")
	sent := len(e.sink.Messages())
	ch = e.exchange(c, request(nasSecret, "ann@example.com", "sms", rfc2865.State_Get(ch), ""))
	if ch.Code != radius.CodeAccessChallenge || !strings.HasPrefix(rfc2865.ReplyMessage_GetString(ch), "Enter the code sent to") || len(e.sink.Messages()) != sent+1 {
		t.Fatalf("sms keyword: %v %q", ch.Code, rfc2865.ReplyMessage_GetString(ch))
	}
	if r := e.exchange(c, request(nasSecret, "ann@example.com", e.lastCode(), rfc2865.State_Get(ch), "")); r.Code != radius.CodeAccessAccept {
		t.Fatalf("texted code: %v", r.Code)
	}
}
