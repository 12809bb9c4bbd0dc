package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// events returns the system log's events of type typ, oldest first.
func (s *site) events(t *testing.T, typ string) []mfa.Event {
	t.Helper()
	evs, err := s.svc.Org.Events(context.Background(), mfa.EventFilter{Types: []string{typ}, OldestFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Issue 9, item 2: a 5 MB username posted to the sign-in form is refused
// with 413 before anything reads it: no sign-in is tried, nothing of it is
// stored, and the refusal is in the system log once.
func TestSignInFormOf5MBRefused(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	huge := strings.Repeat("A", 5<<20)
	for range 3 {
		resp := s.post(t, c, "/login", url.Values{"username": {huge}, "password": {"x"}})
		if b := body(resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(b, "larger than 64 KiB") || strings.Contains(b, "AAAA") {
			t.Fatalf("5 MB form: %d, %d bytes", resp.StatusCode, len(b))
		}
	}
	if evs := s.events(t, mfa.EvSignIn); len(evs) != 0 {
		t.Fatalf("the 5 MB form reached the sign-in: %d events", len(evs))
	}
	evs := s.events(t, mfa.EvRequestBlocked)
	if len(evs) != 1 || evs[0].Reason != mfa.BlockedTooLarge || evs[0].Details["what"] != "POST /login" {
		t.Fatalf("blocked events = %+v, want one", evs)
	}
}

// Under the size limit, a long username is refused like any wrong login,
// shown again cut to 256 characters and logged cut; one holding NUL (a 500
// on PostgreSQL before), bytes that are not UTF-8 or a bidirectional
// control is not a form anybody typed: refused at the door (400), logged
// once a minute, and never tried.
func TestSignInWithLongOrNULUsername(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	resp := s.post(t, c, "/login", url.Values{"username": {strings.Repeat("b", 60<<10)}, "password": {"User-Pass-2026"}})
	if b := body(resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "Sign-in failed") ||
		!strings.Contains(b, strings.Repeat("b", 255)+"…") || strings.Contains(b, strings.Repeat("b", 256)) {
		t.Fatalf("60 KiB username: %d, %d bytes", resp.StatusCode, len(b))
	}
	for _, login := range []string{"user@example.com\x00", "us\xffer", "\u202Euser@example.com"} {
		resp := s.post(t, c, "/login", url.Values{"username": {login}, "password": {"User-Pass-2026"}})
		if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "cannot be typed") {
			t.Fatalf("username %q: %d %s", login, resp.StatusCode, b)
		}
	}
	evs := s.events(t, mfa.EvSignIn)
	if len(evs) != 1 || len([]rune(evs[0].Actor.AlternateID)) != mfa.FieldLogin.Max {
		t.Fatalf("sign-in events = %d, want the long one only, cut", len(evs))
	}
	if evs := s.events(t, mfa.EvRequestBlocked); len(evs) != 1 || evs[0].Reason != mfa.BlockedNotText {
		t.Fatalf("blocked events = %+v", evs)
	}
}

// Issue 9, item 4: the reported open redirects, and their cousins, are
// refused before the session token is spent, and logged.
func TestSessionCookieRedirectRefusesOpenRedirects(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	v, err := s.svc.Signin.PrimaryAuth(context.Background(), "user@example.com", "User-Pass-2026", "")
	if err != nil {
		t.Fatal(err)
	}
	tok := v.Txn.SessionToken
	for _, raw := range []string{"/./%5Cevil.example", "/./\\evil.example", "/\t/evil.example", "/%09/evil.example", "//evil.example", "/\\/evil.example",
		"https:evil.example", "https://127.0.0.1@evil.example/", "javascript:alert(1)"} {
		resp, _ := s.get(t, s.client(t), "/login/sessionCookieRedirect?token="+tok+"&redirectUrl="+url.QueryEscape(raw))
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("redirectUrl %q: %d Location %q", raw, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if evs := s.events(t, mfa.EvRequestBlocked); len(evs) != 1 || evs[0].Reason != mfa.BlockedRedirect {
		t.Errorf("blocked events = %+v, want one a minute", evs)
	}
	resp, _ := s.get(t, s.client(t), "/login/sessionCookieRedirect?token="+tok+"&redirectUrl="+url.QueryEscape("/./account"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("the token after the refusals: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// The next field of the password confirmation goes nowhere but here.
func TestConfirmNextRefusesOpenRedirects(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if _, b := s.get(t, c, "/account/confirm?next="+url.QueryEscape("/./\\evil.example")); strings.Contains(b, "evil.example") {
		t.Fatal("the confirmation form carries the bad next")
	}
	for _, next := range []string{"/./\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example/"} {
		resp := s.post(t, c, "/account/confirm", url.Values{"password": {"User-Pass-2026"}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Errorf("next %q: %d %s", next, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp := s.post(t, c, "/account/confirm", url.Values{"password": {"User-Pass-2026"}, "next": {"/account/sms/./setup"}})
	if resp.Header.Get("Location") != "/account/sms/setup" {
		t.Errorf("a good next: %s", resp.Header.Get("Location"))
	}
}

// A refused user is shown the reason and the form again, with what was
// typed (but the password).
func TestAdminAddUserRefusalKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	resp := s.post(t, c, "/admin/users", url.Values{"login": {"new@example.com"}, "password": {"New-Pass-2026"}, "first": {strings.Repeat("n", 101)}, "last": {"Last"}})
	b := body(resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "The first name must be at most 100 characters.") ||
		!strings.Contains(b, `value="new@example.com"`) || !strings.Contains(b, `value="Last"`) || strings.Contains(b, "New-Pass-2026") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	resp = s.post(t, c, "/admin/users", url.Values{"login": {"bad login"}, "password": {"New-Pass-2026"}})
	if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "The login may hold only printable characters") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if resp, b := s.get(t, c, "/admin/users?q="+strings.Repeat("q", 201)); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "The search must be at most 200 characters.") {
		t.Fatalf("a long search: %d", resp.StatusCode)
	}
}
