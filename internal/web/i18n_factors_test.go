package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// checkPage fails t when page lacks a want, holds one of the English texts
// it should not, or shows a formatting artefact.
func checkPage(t *testing.T, what, page string, want, notEnglish []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s: no %q", what, w)
		}
	}
	for _, e := range notEnglish {
		if strings.Contains(page, e) {
			t.Errorf("%s: English %q left", what, e)
		}
	}
	if strings.Contains(page, "%!") {
		t.Errorf("%s: formatting artefact", what)
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, page)
	}
}

// The factor pages added beside Text Message Code (Voice Call, the
// authenticator app, recovery codes) speak the user's language: the list
// of factors, the call setup and its refusal, the call's flashes and
// cooldown, the account page.
func TestFactorPagesInGerman(t *testing.T) {
	clock := mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s, ctx := callsSite(t, clock)
	if err := s.svc.Org.UpdateSettings(ctx, map[string]string{"totp_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	s.post(t, c, "/lang", url.Values{"lang": {"de"}, "back": {"/login"}})
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})

	_, page := s.get(t, c, "/signin/enroll")
	checkPage(t, "factor list", page,
		[]string{"Richten Sie eine der folgenden Optionen ein", "<strong>Anruf</strong>", "Erhalten Sie einen Anruf, der Ihnen einen Einmalcode vorliest.",
			"<strong>Google Authenticator</strong>", "<strong>SMS-Code</strong>", `aria-label="Anruf einrichten"`},
		[]string{"Voice Call", "Get a call", "authenticator app on your phone"})

	_, page = s.get(t, c, "/signin/enroll/call")
	checkPage(t, "call setup", page, []string{"<h1>Anruf einrichten</h1>", "Durchwahl (optional)", "Zurück zur Liste", ">Anrufen<"},
		[]string{"Set up Voice Call", "Extension", "Back to the list", "Call me"})

	resp := s.post(t, c, "/signin/enroll/call", url.Values{"country": {"US"}, "phone": {"+1 900 555 0199"}, "extension": {"12"}})
	page = body(resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("premium number: %d", resp.StatusCode)
	}
	checkPage(t, "premium number refused", page, []string{"und kann nicht für Anrufe verwendet werden. Geben Sie eine Telefonnummer ein.", `value="12"`},
		[]string{"cannot be used for voice calls"})

	if resp := s.post(t, c, "/signin/enroll/call", url.Values{"country": {"GB"}, "phone": {"020 7946 0958"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enroll: %d %s", resp.StatusCode, body(resp))
	}
	call := s.newest(t)
	_, page = s.get(t, c, "/signin/enroll/sms/code")
	checkPage(t, "call code page", page, []string{"Geben Sie den Code aus dem Anruf an", "Wir rufen", "Nehmen Sie ab, um Ihren Code zu hören."},
		[]string{"Enter the code from the call", "We are calling"})

	resp = s.post(t, c, "/signin/enroll/sms/resend", nil)
	page = body(resp)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("call again too soon: %d", resp.StatusCode)
	}
	checkPage(t, "call cooldown", page, []string{"Gerade wurde ein Anruf getätigt. Sie können in ", "Sekunden einen weiteren anfordern."},
		[]string{"A phone call was made"})

	if resp := s.post(t, c, "/signin/enroll/sms/code", url.Values{"code": {call.Code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", resp.StatusCode, body(resp))
	}
	_, page = s.get(t, c, "/account")
	checkPage(t, "account", page,
		[]string{"<strong>Anruf</strong>", `aria-label="Anruf entfernen"`, "<strong>Google Authenticator</strong>", `aria-label="Google Authenticator einrichten"`,
			"Wiederherstellungscodes", "Sie haben keine Wiederherstellungscodes.", "Codes erzeugen"},
		[]string{"Voice Call", "Recovery codes", "Generate codes"})
}
