package e2e_test

import (
	"strings"
	"testing"
)

// lastCall is the newest call to number in the development inbox; it
// checks what the person hears: the code read out twice, digit by digit.
func (s *server) lastCall(number string) sinkMessage {
	s.t.Helper()
	var last *sinkMessage
	msgs := s.messages()
	for i := range msgs {
		if msgs[i].To == number {
			last = &msgs[i]
		}
	}
	if last == nil || last.Channel != "voice" {
		s.t.Fatalf("no call to %s (newest: %+v)", number, last)
	}
	if spoken := strings.Join(strings.Split(last.Code, ""), ", "); len(last.Code) < 6 || strings.Count(last.Body, spoken) != 2 {
		s.t.Fatalf("the call to %s reads %q: not the code %s twice, digit by digit", number, last.Body, last.Code)
	}
	return *last
}

// TestVoiceCall: with call_enabled, Alice sets up Voice Call on a London
// landline with an extension from the "Extra verification is required"
// page, enters the code read out in the call, sees Voice Call on her
// account page, and signs in again with a call.
func TestVoiceCall(t *testing.T) {
	s := &server{t: t, dir: t.TempDir()}
	s.cli("user", "create", "--login", "alice@example.com", "--password", "Alice-Pass-2026", "--first", "Alice", "--last", "Example")
	s.cli("user", "create", "--login", "admin@example.com", "--password", "Admin-Pass-2026", "--admin")
	s.cli("sms", "enable")
	s.cli("settings", "set", "call_enabled=true")
	s.start()
	b := newBrowser(t, s.base)

	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required for your account")
	b.click("a[href='/signin/enroll/call']")
	b.waitFor("call_phone", "h1", "Set up Voice Call")
	b.fill("#phone", "+44 20 7946 0958")
	b.fill("#extension", "7")
	b.click("form button[type=submit]")
	b.waitFor("code", "h1", "Enter the code from the call to +44")
	if !strings.Contains(b.text(".alert"), "We are calling") {
		b.fail("the page does not say a call is coming")
	}
	b.shot("voice-call-code")
	call := s.lastCall("+442079460958")
	if call.Extension != "7" {
		b.fail("the call dials extension %q, want 7", call.Extension)
	}
	b.fill("#code", call.Code)
	b.click("form[action='/signin/enroll/sms/code'] button")
	b.waitFor("account", "h1", "Account")
	if b.attr("form[action='/account/call/remove'] button", "aria-label") != "Remove Voice Call" || !strings.Contains(b.text("main"), "+44") {
		b.fail("the account page does not show Voice Call set up: %q", b.text("main"))
	}
	b.shot("account-voice-call")
	b.signOut()

	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("verify", "h1", "Verify it's you")
	if !strings.Contains(b.text(".factor"), "Voice Call") {
		b.fail("the verify page does not offer the call")
	}
	b.click("form[action='/signin/verify/send'] button")
	b.waitFor("code", "h1", "Enter the code from the call to +44")
	b.fill("#code", s.lastCall("+442079460958").Code)
	b.click("form[action='/signin/verify'] button")
	b.waitFor("account", "h1", "Account")
}

// TestCallMeInstead: setting up Text Message Code, Alice asks for a call
// instead of the text; the code read out in the call sets the factor up.
func TestCallMeInstead(t *testing.T) {
	s := &server{t: t, dir: t.TempDir()}
	s.cli("user", "create", "--login", "alice@example.com", "--password", "Alice-Pass-2026")
	s.cli("user", "create", "--login", "admin@example.com", "--password", "Admin-Pass-2026", "--admin")
	s.cli("sms", "enable")
	s.cli("settings", "set", "call_enabled=true", "resend_cooldown=0s")
	s.start()
	b := newBrowser(t, s.base)

	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required for your account")
	b.click("a[href='/signin/enroll/sms']")
	b.waitFor("phone", "h1", "Set up Text Message Code")
	b.fill("#phone", "(415) 555-0123")
	b.click("form button[type=submit]")
	b.waitFor("code", "h1", "Enter the code sent to +1 ••• ••• 0123")
	text, _ := s.lastCode("+14155550123")
	b.click("form[action='/signin/enroll/sms/call'] button")
	b.waitFor("code", ".alert", "We are calling +1 ••• ••• 0123")
	b.shot("call-me-instead")
	call := s.lastCall("+14155550123")
	if call.Code == text {
		b.fail("the call reads the text's code; want a new one")
	}
	b.fill("#code", call.Code)
	b.click("form[action='/signin/enroll/sms/code'] button")
	b.waitFor("account", "h1", "Account")
}
