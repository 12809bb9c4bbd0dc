package e2e_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// setupCode reads the setup code serve printed at start.
func (s *server) setupCode() string {
	s.t.Helper()
	out, err := os.ReadFile(s.logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	m := regexp.MustCompile(`enter the setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})`).FindSubmatch(out)
	if m == nil {
		s.t.Fatalf("serve printed no setup code:\n%s", out)
	}
	if !strings.Contains(string(out), "no administrator yet: open "+s.base+"/") {
		s.t.Fatalf("serve did not say where to go:\n%s", out)
	}
	return string(m[1])
}

// The "Done when": a fresh server, / leads to setup, the admin is
// created with the printed code, turns SMS on and adds a user in the
// console; the user signs in and enrolls with the code from the
// development inbox. No command-line step.
//
// The browser reaches the server over loopback (tests talk only to
// loopback), where the code is optional; the page checks a code that is
// typed all the same, so the printed code is what is exercised here. The
// path of a client on another machine (code required) is tested in
// internal/web (setup_test.go) with a non-loopback client address.
func TestFirstRunInTheBrowser(t *testing.T) {
	s := startFreshServer(t)
	code := s.setupCode()
	b := newBrowser(t, s.base)

	b.open("/")
	b.waitFor("setup", "h1", "Set up smsmfa")
	b.shot("setup")
	b.fill("#code", "WRNG-WRNG-WRNG")
	b.fill("#login", "root@example.com")
	b.fill("#first", "Ada")
	b.fill("#last", "Root")
	b.fill("#password", "Admin-Pass-2026")
	b.fill("#password2", "Admin-Pass-2026")
	b.click("form[action='/setup'] button")
	b.waitFor("setup", "#form-error", "This setup code is not valid")
	if b.attr("#login", "value") != "root@example.com" {
		b.fail("the refused form lost what was typed")
	}
	b.shot("setup-wrong-code")
	b.fill("#code", strings.ToLower(code))
	b.fill("#password", "Admin-Pass-2026")
	b.fill("#password2", "Admin-Pass-2026")
	b.click("form[action='/setup'] button")
	b.waitFor("admin_overview", ".alert.success", "Welcome, Ada Root")
	b.shot("console-checklist")
	list := b.text(".checklist")
	for _, want := range []string{"Turn SMS authentication on", "Use the development inbox (running with --dev)", "Send a test message", "Invite users"} {
		if !strings.Contains(list, want) {
			b.fail("checklist lacks %q", want)
		}
	}
	if !strings.Contains(b.text("#start-h + p"), "3 of 4 steps left") {
		b.fail("checklist count: %s", b.text("#start-h + p"))
	}

	// SMS on, from the console.
	b.click("form[action='/admin/sms'] button")
	b.waitFor("admin_overview", ".alert.success", "SMS authentication is on")
	if !strings.Contains(b.text("#start-h + p"), "2 of 4 steps left") {
		b.fail("checklist after SMS on: %s", b.text("#start-h + p"))
	}

	// A user, from the console.
	b.click("a[href='/admin/users']")
	b.waitFor("admin_users", "h1", "Users")
	b.fill("#login", "alice@example.com")
	b.fill("#password", "Alice-Pass-2026")
	b.fill("#first", "Alice")
	b.click("form[method='post'][action='/admin/users'] button")
	b.waitFor("admin_user", ".alert.success", "User alice@example.com added.")
	b.open("/admin")
	b.waitFor("admin_overview", "#start-h + p", "1 of 4 steps left")

	// The setup page is gone: the code died.
	b.open("/setup")
	b.waitFor("account", "", "")
	b.signOut()
	b.open("/setup")
	b.waitFor("login", "h1", "Sign in")

	// The new user signs in and enrolls with the code from the inbox.
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.enrollSMS(s, "(415) 555-0123", "+14155550123")
	b.waitFor("account", ".factor", "+1 ••• ••• 0123")
	b.shot("enrolled")
}
