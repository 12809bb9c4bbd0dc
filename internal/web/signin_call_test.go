package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/sms/devsink"
)

// newest is the newest message the sink holds.
func (s *site) newest(t *testing.T) devsink.Message {
	t.Helper()
	msgs := s.sink.Messages()
	if len(msgs) == 0 {
		t.Fatal("nothing sent")
	}
	return msgs[len(msgs)-1]
}

func callsSite(t *testing.T, clock mfa.Clock) (*site, context.Context) {
	s := newSite(t, "http://127.0.0.1", false, clock)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.Org.UpdateSettings(ctx, map[string]string{"sms_enabled": "true", "call_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	return s, ctx
}

// Set up Voice Call on a landline at sign-in, then sign in with a call.
func TestVoiceCallSetupAndSignIn(t *testing.T) {
	clock := mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s, _ := callsSite(t, clock)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if _, page := s.get(t, c, "/signin/enroll"); !strings.Contains(page, "Voice Call") || !strings.Contains(page, `href="/signin/enroll/call"`) {
		t.Fatalf("the enrollment list offers no Voice Call:\n%s", page)
	}
	// A premium number is refused on the page, with what was typed kept.
	resp := s.post(t, c, "/signin/enroll/call", url.Values{"country": {"US"}, "phone": {"+1 900 555 0199"}, "extension": {"12"}})
	if page := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "cannot be used for voice calls") || !strings.Contains(page, `value="12"`) {
		t.Fatalf("premium number: %d\n%s", resp.StatusCode, page)
	}
	resp = s.post(t, c, "/signin/enroll/call", url.Values{"country": {"GB"}, "phone": {"020 7946 0958"}, "extension": {"12"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enroll: %d %s", resp.StatusCode, body(resp))
	}
	call := s.newest(t)
	if call.Channel != "voice" || call.To != "+442079460958" || call.Extension != "12" {
		t.Fatalf("call %+v", call)
	}
	_, page := s.get(t, c, "/signin/enroll/sms/code")
	if !strings.Contains(page, "Enter the code from the call to") || strings.Contains(page, "Call me instead") || !strings.Contains(page, "We are calling") {
		t.Fatalf("code page:\n%s", page)
	}
	if resp := s.post(t, c, "/signin/enroll/sms/code", url.Values{"code": {call.Code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", resp.StatusCode, body(resp))
	}
	if _, page := s.get(t, c, "/account"); !strings.Contains(page, "Voice Call") || !strings.Contains(page, "•") || !strings.Contains(page, `action="/account/call/remove"`) {
		t.Fatalf("account page:\n%s", page)
	}

	// Next sign-in: the verify page offers the call.
	clock.Advance(time.Minute)
	c = s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if _, page := s.get(t, c, "/signin/verify"); !strings.Contains(page, "Call me") {
		t.Fatalf("verify page:\n%s", page)
	}
	if resp := s.post(t, c, "/signin/verify/send", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("call: %d %s", resp.StatusCode, body(resp))
	}
	call = s.newest(t)
	if call.Channel != "voice" {
		t.Fatalf("sign-in code went by %+v", call)
	}
	if resp := s.post(t, c, "/signin/verify", url.Values{"code": {call.Code}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("verify: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// "Call me instead" on the sign-in code page: a new code, read out in a
// call to the SMS number; the text's code is no longer the newest.
func TestCallMeInsteadAtSignIn(t *testing.T) {
	clock := mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s, ctx := callsSite(t, clock)
	u, _ := s.svc.Users.GetUser(ctx, "user@example.com")
	if _, _, err := s.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550101", Activate: true}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	s.post(t, c, "/signin/verify/send", nil)
	text := s.newest(t)
	if _, page := s.get(t, c, "/signin/verify"); !strings.Contains(page, "Call me instead") {
		t.Fatalf("no Call me instead:\n%s", page)
	}
	// Too soon after the text: the wait is on the page.
	resp := s.post(t, c, "/signin/verify/call", nil)
	if page := body(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "A phone call was made a moment ago") {
		t.Fatalf("call too soon: %d\n%s", resp.StatusCode, page)
	}
	clock.Advance(31 * time.Second)
	if resp := s.post(t, c, "/signin/verify/call", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("call instead: %d %s", resp.StatusCode, body(resp))
	}
	call := s.newest(t)
	if call.Channel != "voice" || call.To != "+14155550101" || call.Code == text.Code {
		t.Fatalf("call %+v (text code %s)", call, text.Code)
	}
	if resp := s.post(t, c, "/signin/verify", url.Values{"code": {call.Code}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("verify: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
