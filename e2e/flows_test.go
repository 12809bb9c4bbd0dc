package e2e_test

import (
	"strings"
	"testing"
)

// TestEndUserFlows walks DESIGN §1 steps 1–6 in one browser, as a person
// would, after the admin turned the SMS factor on in the console.
func TestEndUserFlows(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, s.base)

	// The admin turns SMS authentication on in the console.
	b.signIn("admin@example.com", "Admin-Pass-2026")
	b.waitFor("account", "h1", "Account")
	b.open("/admin")
	b.waitFor("admin_overview", "#sms-h + p .badge", "Off")
	b.shot("admin-sms-off")
	b.click("form[action='/admin/sms'] button")
	b.waitFor("admin_overview", ".alert.success", "SMS authentication is on")
	b.shot("admin-sms-on")
	b.signOut()

	// 1–2. Alice signs in and meets the enrollment page.
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required for your account")
	if !strings.Contains(b.text(".factor"), "Text Message Code") {
		b.fail("Text Message Code is not offered")
	}
	b.shot("extra-verification-required")

	// 3. Setup: country picker + number, a code, a wrong code, a re-send.
	b.click(".factor a.button")
	b.waitFor("phone", "h1", "Set up Text Message Code")
	if b.attr("#country option[selected]", "value") != "US" {
		b.fail("the country picker does not default to the org's region")
	}
	b.fill("#phone", "not a phone")
	b.click("form button[type=submit]")
	b.waitFor("phone", "#form-error", "Enter a valid mobile phone number")
	if b.attr("#phone", "aria-invalid") != "true" {
		b.fail("the refused field is not marked invalid for screen readers")
	}
	b.shot("phone-refused")
	b.fill("#phone", "(415) 555-0123")
	b.click("form button[type=submit]")
	b.waitFor("code", "h1", "Enter the code sent to +1 ••• ••• 0123")
	if b.attr("#code", "autocomplete") != "one-time-code" || b.attr("#code", "inputmode") != "numeric" {
		b.fail("the code field does not invite one-time-code autofill")
	}
	if !strings.Contains(b.text(".alert"), "+1 ••• ••• 0123") {
		b.fail("the page does not say where the code went")
	}
	if !strings.Contains(b.text("#resend-note"), "You can re-send the code in") {
		b.fail("the page does not show when a re-send is possible")
	}
	b.shot("code-page")
	code, n := s.lastCode("+14155550123")
	if n != 1 {
		b.fail("%d texts sent, want 1", n)
	}
	wrong := string(rune('0'+(code[0]-'0'+1)%10)) + code[1:]
	b.fill("#code", wrong)
	b.click("form[action='/signin/enroll/sms/code'] button")
	b.waitFor("code", "#form-error", "That code is not right. You have 4 more tries")
	b.shot("wrong-code")
	b.click("form[action='/signin/enroll/sms/resend'] button")
	b.waitFor("code", "#form-error", "A code was sent a moment ago")
	b.shot("resend-too-soon")
	s.cli("settings", "set", "resend_cooldown=0s")
	b.click("form[action='/signin/enroll/sms/resend'] button")
	b.waitFor("code", ".alert.success", "We sent a code to +1 ••• ••• 0123")
	code2, n := s.lastCode("+14155550123")
	if n != 2 {
		b.fail("%d texts after re-send, want 2", n)
	}
	if code2 != code {
		// The first code died with the re-send.
		b.fill("#code", code)
		b.click("form[action='/signin/enroll/sms/code'] button")
		b.waitFor("code", "#form-error", "That code is not right")
	}
	b.fill("#code", code2)
	b.click("form[action='/signin/enroll/sms/code'] button")
	b.waitFor("account", ".factor", "+1 ••• ••• 0123")
	if !strings.Contains(b.text(".factor"), "Set up") {
		b.fail("the account page does not show the factor as set up")
	}
	b.shot("account-after-enroll")
	b.signOut()

	// 4. A later sign-in: send a code, enter it.
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("verify", ".factor", "+1 ••• ••• 0123")
	b.shot("verify-send")
	b.click("form[action='/signin/verify/send'] button")
	b.waitFor("code", "h1", "Enter the code sent to +1 ••• ••• 0123")
	code3, _ := s.lastCode("+14155550123")
	b.fill("#code", code3)
	b.click("form[action='/signin/verify'] button")
	b.waitFor("account", "h1", "Account")
	b.shot("signed-in-with-code")

	// 5. Reset to another number: verified by a code before it replaces the old one.
	b.click("a[href='/account/sms/reset']")
	b.waitFor("phone", "h1", "Reset Text Message Code")
	b.click("details summary")
	b.fill("details #phone", "+44 7911 123456")
	b.click("details form button[type=submit]")
	b.waitFor("code", "h1", "Enter the code sent to +44 ••• ••• 3456")
	b.open("/account")
	b.waitFor("account", ".factor", "+1 ••• ••• 0123") // still the old number
	b.open("/account/sms/code")
	b.waitFor("code", "h1", "+44 ••• ••• 3456")
	uk, _ := s.lastCode("+447911123456")
	b.fill("#code", uk)
	b.click("form[action='/account/sms/code'] button")
	b.waitFor("account", ".alert.success", "Text Message Code is set up.")
	if !strings.Contains(b.text(".factor"), "+44 ••• ••• 3456") {
		b.fail("the new number is not shown after reset")
	}
	b.shot("account-after-reset")

	// 6. Remove, then set up again without typing a number.
	b.click("a[href='/account/sms/remove']")
	b.waitFor("remove", "h1", "Remove Text Message Code?")
	b.click("form[action='/account/sms/remove'] button")
	b.waitFor("account", ".alert.success", "Text Message Code was removed.")
	if !strings.Contains(b.text(".factor"), "Not set up") {
		b.fail("the factor still shows after removal")
	}
	b.click("a[href='/account/sms/setup']")
	b.waitFor("phone", "p", "You already have a verified phone number: +44 ••• ••• 3456")
	b.shot("setup-existing-number")
	b.click("form input[value=existing] + button")
	b.waitFor("code", "h1", "Enter the code sent to +44 ••• ••• 3456")
	uk2, _ := s.lastCode("+447911123456")
	b.fill("#code", uk2)
	b.click("form[action='/account/sms/code'] button")
	b.waitFor("account", ".factor", "+44 ••• ••• 3456")
	b.shot("account-set-up-again")
}

// TestAdminConsole checks the admin's view: the system log, a user's
// factor reset and unlock.
func TestAdminConsole(t *testing.T) {
	s := startServer(t)
	s.cli("sms", "enable")
	s.cli("user", "create", "--login", "bob@example.com", "--password", "Bob-Pass-2026")
	b := newBrowser(t, s.base)

	// Bob fails his password ten times: locked.
	for range 10 {
		b.signIn("bob@example.com", "wrong-password")
		b.waitFor("login", "#form-error", "Sign-in failed")
	}
	b.signIn("bob@example.com", "Bob-Pass-2026")
	b.waitFor("login", "#form-error", "Sign-in failed")

	// The admin (who must enroll too) sees and unlocks him.
	b.signIn("admin@example.com", "Admin-Pass-2026")
	b.enrollSMS(s, "+1 415 555 0199", "+14155550199")
	b.waitFor("account", "h1", "Account")

	b.open("/admin/log?q=bob@example.com")
	b.waitFor("admin_log", "table", "user.account.lock")
	b.shot("system-log")
	b.open("/admin/users?q=bob")
	b.waitFor("admin_users", "table", "Locked")
	b.click("table a")
	b.waitFor("admin_user", "h1", "bob@example.com")
	b.click("form[action$='/unlock'] button")
	b.waitFor("admin_user", ".alert.success", "User unlocked.")
	b.shot("user-unlocked")
	b.open("/admin/log?type=user.account.unlock_by_admin")
	b.waitFor("admin_log", "table", "admin@example.com")
	b.signOut()

	b.signIn("bob@example.com", "Bob-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required")
}
