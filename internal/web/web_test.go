package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/web"
)

type site struct {
	srv  *httptest.Server
	svc  *mfa.Service
	sink *devsink.Sink
}

func newSite(t *testing.T, base string, dev bool) *site {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	keys, _ := secret.Derive(bytes.Repeat([]byte{3}, 32))
	sink := devsink.New(100, nil)
	disp := delivery.New(db, keys, delivery.Single{Name: "dev", Provider: sink}, mfa.SystemClock{}, nil, nil)
	svc := mfa.New(mfa.Config{Store: db, CodeKey: keys.CodeMAC, Sealer: keys, Hasher: password.NewHasher(password.Fast), Deliver: disp})
	u, _ := url.Parse(base)
	o := web.Options{Service: svc, Sessions: db.Sessions(), BaseURL: u, SessionLifetime: time.Hour, SessionIdle: time.Hour}
	if dev {
		o.Dev = sink
	}
	h, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpx.Common(h, httpx.ClientIP{}, nil))
	t.Cleanup(srv.Close)
	for _, nu := range []mfa.NewUser{
		{Login: "user@example.com", Password: "User-Pass-2026", Activate: true},
		{Login: "admin@example.com", Password: "Admin-Pass-2026", Activate: true, Admin: true},
	} {
		if _, err := svc.CreateUser(ctx, nu); err != nil {
			t.Fatal(err)
		}
	}
	return &site{srv: srv, svc: svc, sink: sink}
}

func (s *site) client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// post sends a same-origin form, as a browser does.
func (s *site) post(t *testing.T, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (s *site) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestSecurityHeadersAndCookie(t *testing.T) {
	s := newSite(t, "https://mfa.example.com", false)
	c := s.client(t)
	resp, _ := s.get(t, c, "/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
		"X-Okta-Request-Id":       "req",
	} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q, want it to contain %q", h, resp.Header.Get(h), want)
		}
	}
	resp = s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		cookie = ck
	}
	if cookie == nil || cookie.Name != "__Host-smsmfa_session" || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("session cookie = %+v", cookie)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	req, _ := http.NewRequest("POST", s.srv.URL+"/login", strings.NewReader("username=user%40example.com&password=User-Pass-2026"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := s.client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b := body(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "sent from another site") {
		t.Fatalf("cross-site POST: %d %s", resp.StatusCode, b)
	}
	evs, _ := s.svc.Events(context.Background(), mfa.EventFilter{Types: []string{mfa.EvSignIn}})
	if len(evs) != 0 {
		t.Fatal("a cross-site form reached the sign-in")
	}
}

func TestSignInFailureDoesNotTellUsersApart(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	a := s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"wrong"}})
	b := s.post(t, c, "/login", url.Values{"username": {"nobody@example.com"}, "password": {"wrong"}})
	ba, bb := body(a), body(b)
	if a.StatusCode != b.StatusCode || !strings.Contains(ba, "Sign-in failed") ||
		strings.ReplaceAll(ba, "user@example.com", "X") != strings.ReplaceAll(bb, "nobody@example.com", "X") {
		t.Fatalf("responses differ:\n%s\n---\n%s", ba, bb)
	}
}

func TestReturnAfterSignInIsLocalOnly(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	resp, _ := s.get(t, c, "/account")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("/account signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if loc := resp.Header.Get("Location"); loc != "/account" {
		t.Fatalf("after sign-in: %s", loc)
	}
	c2 := s.client(t)
	s.get(t, c2, "//evil.example.com/account")
	resp = s.post(t, c2, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if loc := resp.Header.Get("Location"); loc != "/account" {
		t.Fatalf("open redirect: %s", loc)
	}
}

func TestAdminOnly(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if resp, b := s.get(t, c, "/admin"); resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "administrator") {
		t.Fatalf("non-admin at /admin: %d", resp.StatusCode)
	}
	resp := s.post(t, c, "/admin/sms", url.Values{"enabled": {"true"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-admin switched SMS: %d", resp.StatusCode)
	}
	if set, _ := s.svc.Settings(context.Background()); set.SMSEnabled {
		t.Fatal("SMS turned on by a non-admin")
	}
}

func TestAdminSettingsRefusalKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	resp := s.post(t, c, "/admin/settings", url.Values{"code_lifetime": {"10m"}, "code_length": {"4"}})
	b := body(resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "Nothing was saved") || !strings.Contains(b, `value="4"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if set, _ := s.svc.Settings(context.Background()); set.CodeLifetime != 300*time.Second {
		t.Fatal("a setting was saved despite the refusal")
	}
}

func TestDevSinkOnlyInDevMode(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	if resp, _ := s.get(t, s.client(t), "/dev/sms/messages"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/dev/sms/messages without --dev: %d", resp.StatusCode)
	}
	d := newSite(t, "http://127.0.0.1", true)
	resp, b := d.get(t, d.client(t), "/dev/sms/messages")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || strings.TrimSpace(b) != "[]" {
		t.Fatalf("/dev/sms/messages: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

func TestSessionCookieRedirect(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := context.Background()
	token := func() string {
		v, err := s.svc.PrimaryAuth(ctx, "user@example.com", "User-Pass-2026", "")
		if err != nil || v.Txn.SessionToken == "" {
			t.Fatalf("primary auth: %v", err)
		}
		return v.Txn.SessionToken
	}
	c := s.client(t)
	tok := token()
	resp, _ := s.get(t, c, "/login/sessionCookieRedirect?token="+tok+"&redirectUrl="+url.QueryEscape("/account"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("exchange: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, b := s.get(t, c, "/account"); resp.StatusCode != 200 || !strings.Contains(b, "user@example.com") {
		t.Fatalf("not signed in after the exchange: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, s.client(t), "/login/sessionCookieRedirect?token="+tok); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("second use of a session token: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, s.client(t), "/login/sessionCookieRedirect?token="+token()+"&redirectUrl="+url.QueryEscape("https://evil.example.com/")); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("untrusted redirect: %d", resp.StatusCode)
	}
	actx := mfa.WithClient(ctx, mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.UpdateSettings(actx, map[string]string{"trusted_origins": "https://app.example.com"}); err != nil {
		t.Fatal(err)
	}
	resp, _ = s.get(t, s.client(t), "/login/sessionCookieRedirect?token="+token()+"&redirectUrl="+url.QueryEscape("https://app.example.com/home"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://app.example.com/home" {
		t.Fatalf("trusted redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
