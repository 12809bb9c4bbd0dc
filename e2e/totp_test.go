package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpAt computes the code of secret at time step step with pquerna/otp
// (an implementation apart from the server's).
func totpAt(t *testing.T, secret string, step int64) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAuthenticatorAppFlows: with SMS and the authenticator app on, a new
// user sees both on "Extra verification is required", sets up the app
// (the test reads the key from the page), signs out; an admin adds her a
// phone; she signs in with an app code through "Verify another way", and
// next time (the app now offered first) switches to SMS that way.
func TestAuthenticatorAppFlows(t *testing.T) {
	s := startServer(t)
	out := strings.Split(strings.TrimSpace(s.cli("token", "create", "--name", "e2e")), "\n")
	token := out[len(out)-1] // the notice goes first, the token last
	b := newBrowser(t, s.base)

	// The admin turns both factors on in the console's Factors panel.
	b.signIn("admin@example.com", "Admin-Pass-2026")
	b.waitFor("account", "h1", "Account")
	b.open("/admin")
	b.waitFor("admin_overview", "#factor-totp", "Off")
	b.click("#factor-sms button")
	b.waitFor("admin_overview", "#factor-sms", "On")
	b.click("#factor-totp button")
	b.waitFor("admin_overview", ".alert.success", "Google Authenticator is on")
	if !strings.Contains(b.text("#factor-totp"), "On") {
		b.fail("Google Authenticator is not shown on")
	}
	b.shot("admin-factors")
	b.signOut()

	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required for your account")
	list := b.text(".card")
	if !strings.Contains(list, "Text Message Code") || !strings.Contains(list, "Google Authenticator") {
		b.fail("both factors are not offered")
	}
	b.shot("enroll-both")
	b.click("a[href='/signin/enroll/totp']")
	b.waitFor("totp_intro", "h1", "Set up Google Authenticator")
	b.click("form[action='/signin/enroll/totp'] button")
	b.waitFor("totp_setup", "h1", "Set up Google Authenticator")
	if src := b.attr(".qr img", "src"); !strings.HasPrefix(src, "data:image/png;base64,") {
		b.fail("no QR code image in the page: %q", src)
	}
	b.shot("totp-setup")
	secret := strings.ReplaceAll(b.text("#totp-secret"), " ", "")
	step := time.Now().Unix() / 30
	b.fill("#code", "000000")
	if totpAt(t, secret, step) == "000000" {
		step++ // one in a million: the wrong code would be right
	}
	b.click("form[action='/signin/enroll/totp/code'] button")
	b.waitFor("totp_setup", "#form-error", "not right")
	b.fill("#code", totpAt(t, secret, step))
	b.click("form[action='/signin/enroll/totp/code'] button")
	b.waitFor("account", "h1", "Account")
	b.signOut()

	// The admin gives Alice a phone too (the Factors API, activate=true).
	body, _ := json.Marshal(map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+14155550123"}})
	req, _ := http.NewRequest("POST", s.base+"/api/v1/users/alice@example.com/factors?activate=true", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "SSWS "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("add sms: %d %s", res.StatusCode, raw)
	}

	// The phone is newest: offered first; Verify another way → the app.
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("verify", "h1", "Verify it's you")
	b.click("form[action='/signin/verify/choose'] button")
	b.waitFor("verify_choose", "h1", "Verify another way")
	b.shot("verify-another-way")
	b.click("button[aria-label='Select Google Authenticator']")
	b.waitFor("totp_verify", "h1", "Verify it's you")
	// Each step once: the setup's step is spent; the next one is accepted
	// (±1 step).
	step = max(time.Now().Unix()/30, step+1)
	b.fill("#code", totpAt(t, secret, step))
	b.click("form[action='/signin/verify/totp'] button")
	b.waitFor("account", "h1", "Account")
	b.signOut()

	// The app was used last: offered first; Verify another way → SMS.
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("totp_verify", "h1", "Verify it's you")
	b.click("form[action='/signin/verify/choose'] button")
	b.waitFor("verify_choose", "h1", "Verify another way")
	b.click("button[aria-label='Select Text Message Code']")
	b.waitFor("verify", ".phone", "+1 ••• ••• 0123")
	b.click("form[action='/signin/verify/send'] button")
	b.waitFor("code", "h1", "+1 ••• ••• 0123")
	c, _ := s.lastCode("+14155550123")
	b.fill("#code", c)
	b.click("form[action='/signin/verify'] button")
	b.waitFor("account", "h1", "Account")
	// The app's key is not in the server's log.
	if log, err := os.ReadFile(s.logPath); err != nil || strings.Contains(string(log), secret) {
		t.Fatalf("the server log holds the TOTP secret (%v)", err)
	}

	// Recovery codes: generated on the account page, shown once; one
	// signs Alice in through "Verify another way", once.
	b.click("a[href='/account/recovery']")
	b.waitFor("recovery_codes", "h1", "Your recovery codes")
	b.click("form[action='/account/recovery'] button")
	b.waitFor("recovery_codes", "#recovery-codes", "-")
	codes := strings.Fields(b.text("#recovery-codes"))
	if len(codes) != 10 {
		b.fail("%d recovery codes shown, want 10", len(codes))
	}
	b.shot("recovery-codes")
	b.open("/account")
	b.waitFor("account", "#recovery-left", "10 unused codes")
	b.signOut()
	for _, want := range []string{"account", "recovery_verify"} {
		b.signIn("alice@example.com", "Alice-Pass-2026")
		b.waitFor("verify", "h1", "Verify it's you") // SMS was used last
		b.click("form[action='/signin/verify/choose'] button")
		b.waitFor("verify_choose", "h1", "Verify another way")
		b.click("a[href='/signin/verify/recovery']")
		b.waitFor("recovery_verify", "h1", "Use a recovery code")
		b.fill("#code", codes[0])
		b.click("form[action='/signin/verify/recovery'] button")
		if want == "account" {
			b.waitFor("account", "#recovery-left", "9 unused codes")
			b.signOut()
			continue
		}
		b.waitFor(want, "#form-error", "used already")
	}
}
