package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"smsmfa/internal/passkeytest"
)

var (
	dataOptions = regexp.MustCompile(`data-options="([^"]*)"`)
	scriptSrc   = regexp.MustCompile(`<script src="([^"]+)"`)
)

// createAnswer answers the creation options of a passkey page as the
// script would post them.
func createAnswer(t *testing.T, page string, a *passkeytest.Authenticator, origin string) string {
	t.Helper()
	m := dataOptions.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no data-options in\n%s", page)
	}
	var opts struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &opts); err != nil {
		t.Fatal(err)
	}
	ch, err := base64.RawURLEncoding.DecodeString(opts.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	cd, att := a.Create(opts.RP.ID, origin, ch)
	b64 := base64.RawURLEncoding.EncodeToString
	out, _ := json.Marshal(map[string]any{"id": b64(a.ID), "rawId": b64(a.ID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64(cd), "attestationObject": b64(att), "transports": []string{"internal"}}})
	return string(out)
}

func TestPasskeyPagesAndTheirScript(t *testing.T) {
	s := newSite(t, "http://localhost", false)
	if err := s.svc.Org.UpdateSettings(context.Background(), map[string]string{"sms_enabled": "false", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	// The sign-in page: no script, and a policy that allows none.
	resp, page := s.get(t, c, "/login")
	if strings.Contains(page, "<script") || strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src") {
		t.Fatalf("the sign-in page allows or loads a script: %s", resp.Header.Get("Content-Security-Policy"))
	}
	resp = s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if loc := resp.Header.Get("Location"); loc != "/signin/enroll" {
		t.Fatalf("after the password: %d %s", resp.StatusCode, loc)
	}
	_, page = s.get(t, c, "/signin/enroll")
	if strings.Contains(page, "Text Message Code") || !strings.Contains(page, "Security Key or Biometric Authenticator") || strings.Contains(page, "<script") {
		t.Fatalf("enroll page:\n%s", page)
	}
	resp, page = s.get(t, c, "/signin/enroll/webauthn")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("passkey page: %d, CSP %q", resp.StatusCode, csp)
	}
	src := scriptSrc.FindStringSubmatch(page)
	if src == nil || strings.Count(page, "<script") != 1 {
		t.Fatalf("the passkey page does not load exactly one script:\n%s", page)
	}
	js, script := s.get(t, c, src[1])
	if js.StatusCode != 200 || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(script, "navigator.credentials.create") ||
		strings.Contains(script, "eval(") {
		t.Fatalf("script: %d %s", js.StatusCode, js.Header.Get("Content-Type"))
	}

	// No answer (no JavaScript): a clear message, the page again.
	resp = s.post(t, c, "/signin/enroll/webauthn", url.Values{"credential": {""}})
	if b := body(resp); resp.StatusCode != 400 || !strings.Contains(b, "No answer came from a passkey") {
		t.Fatalf("empty answer: %d\n%s", resp.StatusCode, b)
	}
	// The right answer, to the newest options.
	_, page = s.get(t, c, "/signin/enroll/webauthn")
	a := passkeytest.New()
	resp = s.post(t, c, "/signin/enroll/webauthn", url.Values{"credential": {createAnswer(t, page, a, "http://localhost")}, "name": {"My laptop"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 && resp.StatusCode != 302 || loc == "" {
		t.Fatalf("setup: %d %s\n%s", resp.StatusCode, loc, body(resp))
	}
	_, page = s.get(t, c, "/account")
	if !strings.Contains(page, "My laptop") || strings.Contains(page, "<script") {
		t.Fatalf("account page:\n%s", page)
	}
}

// A page of another site (or a browser's prefetch) cannot start a passkey
// ceremony for a sign-in in progress: the GET that starts one goes back to
// the list, and the sign-in has not moved.
func TestPasskeyCeremonyIsNotStartedFromElsewhere(t *testing.T) {
	s := newSite(t, "http://localhost", false)
	if err := s.svc.Org.UpdateSettings(context.Background(), map[string]string{"sms_enabled": "false", "webauthn_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "same-site"}, {"Sec-Purpose", "prefetch"}} {
		req, _ := http.NewRequest("GET", s.srv.URL+"/signin/enroll/webauthn", nil)
		req.Header.Set(h[0], h[1])
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/signin/enroll" {
			t.Fatalf("%s: %s: %d %q, want a redirect to the list", h[0], h[1], resp.StatusCode, loc)
		}
	}
	// Still MFA_ENROLL: the list shows, and the user's own click starts it.
	if _, page := s.get(t, c, "/signin/enroll"); !strings.Contains(page, "Security Key or Biometric Authenticator") {
		t.Fatalf("the list after the refused starts:\n%s", page)
	}
	if resp, page := s.get(t, c, "/signin/enroll/webauthn"); resp.StatusCode != 200 || !dataOptions.MatchString(page) {
		t.Fatalf("the user's own start: %d", resp.StatusCode)
	}
}
