package oktago

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// voiceServer has the call factor on (call_enabled), resend cooldown 0 s
// and roomy limits.
func voiceServer(t *testing.T) *server {
	return sharedServer(t, "voice", append([]string{"resend_cooldown=0s", "call_enabled=true"}, roomy...)...)
}

// waitCall waits (up to 10 s) for a call to `to` placed after mark and
// returns it and its code. It checks what the person hears: the code read
// out twice, digit by digit.
func (s *server) waitCall(t *testing.T, to string, mark int) (smsMessage, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms := s.messages(t)
		for i := len(ms) - 1; i >= mark; i-- {
			m := ms[i]
			if m.To != to {
				continue
			}
			if m.Channel != "voice" {
				t.Fatalf("message to %s is a text, want a call: %+v", to, m)
			}
			if spoken := strings.Join(strings.Split(m.Code, ""), ", "); len(m.Code) < 6 || strings.Count(m.Body, spoken) != 2 {
				t.Fatalf("call to %s reads %q; want the code %s read twice, digit by digit", to, m.Body, m.Code)
			}
			return m, m.Code
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call to %s within 10 s", to)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func callFactor(t *testing.T, what string, f *okta.ListFactors200ResponseInner) *okta.UserFactorCall {
	t.Helper()
	if f == nil || f.UserFactorCall == nil {
		t.Fatalf("%s: response did not decode as a UserFactorCall (factorType \"call\"): %+v", what, f)
	}
	return f.UserFactorCall
}

// TestV5CallFactorLifecycle: with call_enabled, the catalog offers call;
// EnrollFactor call with a phone and extension → UserFactorCall
// PENDING_ACTIVATION and a call reads the code out twice; ActivateFactor
// (wrong code E0000068, right code ACTIVE); VerifyFactor with no body →
// CHALLENGE and a new call; the code → SUCCESS; ListFactors shows it;
// UnenrollFactor → 204.
func TestV5CallFactorLifecycle(t *testing.T) {
	s := voiceServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	uid := v5CreateUser(t, c, true).GetId()
	phone := phoneNumber()

	cat, _, err := c.UserFactorAPI.ListSupportedFactors(ctx, uid).Execute()
	if err != nil {
		t.Fatalf("ListSupportedFactors: %v %s", err, errBody(err))
	}
	hasCall := false
	for _, f := range cat {
		if f.GetFactorType() == "call" && f.GetProvider() == "OKTA" {
			hasCall = true
		}
	}
	if !hasCall {
		t.Fatalf("ListSupportedFactors has no call/OKTA: %+v", cat)
	}

	body := okta.NewUserFactorCall()
	body.FactorType = "call"
	body.SetProvider("OKTA")
	prof := okta.UserFactorCallProfile{PhoneNumber: okta.PtrString(phone)}
	prof.SetPhoneExtension("1234")
	body.SetProfile(prof)
	mark := s.mark(t)
	res, resp, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(okta.UserFactorCallAsListFactors200ResponseInner(body)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(call %s): %v %s", phone, err, errBody(err))
	}
	f := callFactor(t, "EnrollFactor", res)
	fid := f.GetId()
	if resp.StatusCode != http.StatusOK || f.GetStatus() != "PENDING_ACTIVATION" || f.GetProvider() != "OKTA" {
		t.Fatalf("EnrollFactor: HTTP %d status %q provider %q", resp.StatusCode, f.GetStatus(), f.GetProvider())
	}
	if p := f.GetProfile(); p.GetPhoneNumber() != phone || p.GetPhoneExtension() != "1234" {
		t.Errorf("EnrollFactor: profile %q ext %q, want %s 1234", p.GetPhoneNumber(), p.GetPhoneExtension(), phone)
	}
	m, code := s.waitCall(t, phone, mark)
	if m.Extension != "1234" {
		t.Errorf("the call dials extension %q, want 1234", m.Extension)
	}

	_, resp, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": wrongCode(code)}).Execute()
	checkV5Error(t, "ActivateFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)
	res, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil {
		t.Fatalf("ActivateFactor: %v %s", err, errBody(err))
	}
	if f := callFactor(t, "ActivateFactor", res); f.GetStatus() != "ACTIVE" {
		t.Fatalf("ActivateFactor: status %q, want ACTIVE", f.GetStatus())
	}

	mark = s.mark(t)
	vr, _, err := c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Execute()
	if err != nil || vr.GetFactorResult() != "CHALLENGE" {
		t.Fatalf("VerifyFactor(challenge): %v %s %+v", err, errBody(err), vr)
	}
	_, code = s.waitCall(t, phone, mark)
	vr, _, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": code}).Execute()
	if err != nil || vr.GetFactorResult() != "SUCCESS" {
		t.Fatalf("VerifyFactor(code): %v %s %+v", err, errBody(err), vr)
	}

	list, _, err := c.UserFactorAPI.ListFactors(ctx, uid).Execute()
	if err != nil || len(list) != 1 || list[0].UserFactorCall == nil || list[0].UserFactorCall.GetId() != fid {
		t.Fatalf("ListFactors: %v %+v", err, list)
	}
	resp, err = c.UserFactorAPI.UnenrollFactor(ctx, uid, fid).Execute()
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("UnenrollFactor: %v", err)
	}
}
