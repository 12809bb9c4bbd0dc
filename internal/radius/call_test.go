package radius_test

import (
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"smsmfa/internal/mfa"
)

// A user whose only factor is Voice Call signs in through the NAS: the
// code is read out in a call, and typing it is accepted.
func TestVoiceCallThroughTheNAS(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"call_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	u := e.user("caller@example.com", false)
	f, _, err := e.svc.Factors.EnrollCall(e.ctx, u.ID, mfa.CallEnrollRequest{Phone: "+442079460958"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Factors.ActivateSMS(e.ctx, u.ID, f.ID, e.lastCode()); err != nil {
		t.Fatal(err)
	}
	c := e.conn("127.0.0.1")
	ch := e.signInPassword(c, "caller@example.com", "198.51.100.9:5000")
	if got, want := rfc2865.ReplyMessage_GetString(ch), "Enter the code from the call to +44 ••• ••• 0958"; got != want {
		t.Fatalf("challenge Reply-Message = %q, want %q", got, want)
	}
	msgs := e.sink.Messages()
	if last := msgs[len(msgs)-1]; last.Channel != "voice" || last.To != "+442079460958" {
		t.Fatalf("the sign-in code went by %+v", last)
	}
	// An empty answer within the resend wait asks again, without ending
	// the sign-in.
	again := e.exchange(c, request(nasSecret, "caller@example.com", "", rfc2865.State_Get(ch), "198.51.100.9:5000"))
	if again.Code != radius.CodeAccessChallenge {
		t.Fatalf("empty answer: %v %q", again.Code, rfc2865.ReplyMessage_GetString(again))
	}
	ok := e.exchange(c, request(nasSecret, "caller@example.com", e.lastCode(), rfc2865.State_Get(again), "198.51.100.9:5000"))
	if ok.Code != radius.CodeAccessAccept {
		t.Fatalf("code: %v %q", ok.Code, rfc2865.ReplyMessage_GetString(ok))
	}
}
