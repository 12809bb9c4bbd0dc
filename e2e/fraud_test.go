package e2e_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Issue 11: a run of enrollments to fresh numbers in one range whose codes
// nobody enters gets the range throttled (the API says E0000204, the page
// says why); the admin finds the charts and the throttle with its evidence
// on the traffic dashboard, lifts it, and the next enrollment goes out.
func TestPumpedRangeOnTheDashboard(t *testing.T) {
	s := startServer(t)
	s.cli("sms", "enable")
	// The smallest sample and maturity the settings allow, so the run is
	// judged within about a minute and a half of real time; every request
	// comes from 127.0.0.1, so its per-address limit is raised.
	s.cli("settings", "set", "fraud_min_codes=5", "fraud_code_maturity=30s", "limit_ip_hour=1000")
	const rangePrefix = "+1415720"
	// Real traffic first: Alice enrolls (and enters her code) elsewhere.
	status, tok, fid := s.enrollByAPI("alice@example.com", "Alice-Pass-2026", "+14155550123")
	if status != 200 {
		t.Fatalf("alice's enrollment: %d", status)
	}
	code, _ := s.lastCode("+14155550123")
	if status, tx := s.authn("/api/v1/authn/factors/"+fid+"/lifecycle/activate", map[string]any{"stateToken": tok, "passCode": code}); status != 200 || tx["status"] != "SUCCESS" {
		t.Fatalf("alice's activation: %d %v", status, tx)
	}
	// The bot: a fresh account and a fresh number in one range for each
	// code, never entered, until the range is throttled (polling the
	// product's answer, at most 3 minutes).
	var refused map[string]any
	sent := 0
	deadline := time.Now().Add(3 * time.Minute)
	for i := 0; refused == nil; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("%d codes to %s… in 3 minutes, never throttled", sent, rangePrefix)
		}
		login := fmt.Sprintf("bot%d@example.com", i)
		s.cli("user", "create", "--login", login, "--password", "Bot-Pass-2026")
		status, tok, _ := s.enrollByAPI(login, "Bot-Pass-2026", fmt.Sprintf("%s%04d", rangePrefix, 1000+i))
		switch status {
		case 200:
			sent++
			time.Sleep(time.Second) // the bot's pace; the detector judges codes 30 s old
		case 429:
			_, refused = s.authn("/api/v1/authn/factors", map[string]any{"stateToken": tok, "factorType": "sms", "provider": "OKTA",
				"profile": map[string]any{"phoneNumber": fmt.Sprintf("%s%04d", rangePrefix, 1000+i)}})
		default:
			t.Fatalf("%s: enrollment answered %d", login, status)
		}
	}
	causes, _ := refused["errorCauses"].([]any)
	if refused["errorCode"] != "E0000204" || len(causes) != 1 || !strings.Contains(fmt.Sprint(causes[0]), "unusual activity") {
		t.Fatalf("the refusal: %v", refused)
	}
	if sent < 5 {
		t.Fatalf("throttled after %d codes, before the sample was complete", sent)
	}

	b := newBrowser(t, s.base)
	// A person enrolling a number in the range sees why it is refused.
	s.cli("user", "create", "--login", "carol@example.com", "--password", "Carol-Pass-2026")
	b.signIn("carol@example.com", "Carol-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required")
	b.open("/signin/enroll/sms")
	b.waitFor("phone", "h1", "Set up Text Message Code")
	b.fill("#phone", "+1 415 720 9999")
	b.click("form button[type=submit]")
	b.waitFor("phone", "main", "cannot be sent right now because of unusual activity")
	b.shot("enrollment-refused-range-throttled")

	// The admin (who enrolls first, in another range) opens the dashboard.
	b = newBrowser(t, s.base)
	b.signIn("admin@example.com", "Admin-Pass-2026")
	b.enrollSMS(s, "+1 415 555 0199", "+14155550199")
	b.waitFor("account", "h1", "Account")

	b.open("/admin/traffic")
	b.waitFor("admin_traffic", "#throttled", rangePrefix)
	evidence := b.text("#throttled .evidence")
	if !strings.Contains(evidence, "codes in") || !strings.Contains(evidence, "entered = 0%") || !strings.Contains(evidence, "baseline") {
		b.fail("the throttle's evidence: %q", evidence)
	}
	if n := b.attr("#traffic-chart", "aria-label"); !strings.Contains(n, fmt.Sprintf("%d texts", sent+2)) {
		b.fail("the chart's summary: %q (want %d texts)", n, sent+2)
	}
	if b.attr("#traffic-chart rect.sent, #traffic-chart rect.delivered", "height") == "" {
		b.fail("the chart has no bars")
	}
	if !strings.Contains(b.text("#countries-h + .table-wrap"), "US") {
		b.fail("no country table")
	}
	b.shot("traffic-dashboard-throttled")
	b.click("#throttled form button")
	b.waitFor("admin_traffic", ".alert.success", "Throttle lifted")
	if !strings.Contains(b.text("#throttled"), "Nothing is throttled") {
		b.fail("the range is still listed as throttled: %q", b.text("#throttled"))
	}
	b.shot("traffic-dashboard-lifted")
	b.open("/admin/log?type=system.sms.fraud.lift")
	b.waitFor("admin_log", "table", "admin@example.com")

	// The next enrollment to the range goes out.
	s.cli("user", "create", "--login", "dave@example.com", "--password", "Dave-Pass-2026")
	if status, _, _ := s.enrollByAPI("dave@example.com", "Dave-Pass-2026", rangePrefix+"4242"); status != 200 {
		t.Fatalf("the enrollment after the lift answered %d", status)
	}
	if _, n := s.lastCode(rangePrefix + "4242"); n != 1 {
		t.Fatalf("%d texts to the number after the lift", n)
	}
}
