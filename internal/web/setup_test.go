package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/web"
)

// from sends requests straight to the site's handler as if from addr (a
// client on another machine), not over the loopback listener.
type from struct {
	h    http.Handler
	addr string
}

func (f from) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.RemoteAddr = f.addr
	r.RequestURI = r.URL.RequestURI()
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// clientFrom is a browser at addr.
func (s *site) clientFrom(addr string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: from{s.h, addr}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func setupForm(code string) url.Values {
	return url.Values{"code": {code}, "login": {"root@example.com"}, "first": {"Ada"}, "last": {"Root"},
		"password": {"Admin-Pass-2026"}, "password2": {"Admin-Pass-2026"}}
}

func TestFirstRunLeadsToSetupThenTheConsole(t *testing.T) {
	s := newEmptySite(t, "http://127.0.0.1", true, nil)
	c := s.client(t) // the loopback listener: the server's own machine
	for _, path := range []string{"/", "/login"} {
		if resp, _ := s.get(t, c, path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
			t.Fatalf("%s on a first run: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, page := s.get(t, c, "/setup")
	if !strings.Contains(page, "Set up smsmfa") || !strings.Contains(page, "no code is needed") {
		t.Fatalf("setup page from loopback:\n%s", page)
	}
	// Two different passwords are refused with what was typed kept.
	bad := setupForm("")
	bad.Set("password2", "Other-Pass-2026")
	resp := s.post(t, c, "/setup", bad)
	if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "The two passwords differ") || !strings.Contains(b, `value="root@example.com"`) {
		t.Fatalf("passwords differ: %d\n%s", resp.StatusCode, b)
	}
	resp = s.post(t, c, "/setup", setupForm(""))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("setup: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
	}
	resp, page = s.get(t, c, "/admin")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Welcome, Ada Root") || !strings.Contains(page, "Getting started") {
		t.Fatalf("console after setup: %d\n%s", resp.StatusCode, page)
	}
	// The checklist from the real state: SMS off, the dev inbox in use
	// (done), no message sent, no user invited.
	for _, want := range []string{"3 of 4 steps left", "Use the development inbox (running with --dev)", `href="/dev/sms"`, `href="/admin/users"`} {
		if !strings.Contains(page, want) {
			t.Errorf("checklist lacks %q", want)
		}
	}
	if resp := s.post(t, c, "/admin/sms", url.Values{"enabled": {"true"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn SMS on: %d", resp.StatusCode)
	}
	if resp := s.post(t, c, "/admin/users", url.Values{"login": {"alice@example.com"}, "password": {"Alice-Pass-2026"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add user: %d %s", resp.StatusCode, body(resp))
	}
	_, page = s.get(t, c, "/admin")
	if !strings.Contains(page, "1 of 4 steps left") {
		t.Fatalf("checklist after SMS on and a user:\n%s", page)
	}
	// Setup is over, on this and on any other instance of the database.
	for _, cl := range []*http.Client{s.client(t), s.clientFrom("198.51.100.7:4000")} {
		if resp, _ := s.get(t, cl, "/setup"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("/setup once an admin exists: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := s.get(t, cl, "/login"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/login once an admin exists: %d", resp.StatusCode)
		}
	}
	// Another instance on the same database, started before the admin
	// existed: the database decides.
	h2, err := web.New(web.Options{Services: web.ServicesOf(s.svc), Sessions: s.db.Sessions(), SessionLifetime: time.Hour, SessionIdle: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	second := &site{db: s.db, srv: s.srv, h: httpx.Common(h2, httpx.ClientIP{}, nil), svc: s.svc}
	sc := second.clientFrom("127.0.0.1:4000")
	resp = second.post(t, sc, "/setup", setupForm(""))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("setup again on another instance: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if users, _ := s.svc.Users.ListUsers(context.Background(), "", "", 10); len(users) != 2 {
		t.Fatalf("%d users after a second setup", len(users))
	}
}

func TestSetupFromAnotherMachineNeedsTheCode(t *testing.T) {
	s := newEmptySite(t, "http://mfa.example.com", false, nil)
	code, err := s.svc.Users.StartSetup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := s.clientFrom("198.51.100.7:4000")
	if resp, _ := s.get(t, c, "/"); resp.Header.Get("Location") != "/setup" {
		t.Fatalf("/ from elsewhere: %s", resp.Header.Get("Location"))
	}
	_, page := s.get(t, c, "/setup")
	if strings.Contains(page, "no code is needed") || !strings.Contains(page, "printed to its log") {
		t.Fatalf("setup page from elsewhere:\n%s", page)
	}
	resp := s.post(t, c, "/setup", setupForm(""))
	if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "Enter the setup code") {
		t.Fatalf("no code: %d\n%s", resp.StatusCode, b)
	}
	resp = s.post(t, c, "/setup", setupForm("AAAA-BBBB-CCCC"))
	if b := body(resp); resp.StatusCode == http.StatusSeeOther || !strings.Contains(b, "This setup code is not valid") {
		t.Fatalf("wrong code: %d\n%s", resp.StatusCode, b)
	}
	// A proxy on the server's machine forwards a stranger: not local.
	proxied := s.clientFrom("127.0.0.1:5000")
	req, _ := http.NewRequest("POST", s.srv.URL+"/setup", strings.NewReader(setupForm("").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", "203.0.113.5")
	if resp, err := proxied.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("proxied setup without a code: %v %v", resp.StatusCode, err)
	}
	// A page of another site whose name was rebound to 127.0.0.1 (DNS
	// rebinding) reaches the loopback listener with its own name: not local.
	req, _ = http.NewRequest("POST", s.srv.URL+"/setup", strings.NewReader(setupForm("").Encode()))
	req.Host = "rebound.example:8080"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, err := proxied.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("setup without a code through a rebound name: %v %v", resp.StatusCode, err)
	}
	resp = s.post(t, c, "/setup", setupForm(code))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("setup with the code: %d %s", resp.StatusCode, body(resp))
	}
	// The code died with its use.
	other := s.clientFrom("203.0.113.9:4000")
	f := setupForm(code)
	f.Set("login", "mallory@example.com")
	resp = s.post(t, other, "/setup", f)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("code reused: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := s.svc.Users.GetUser(context.Background(), "mallory@example.com"); mfa.ReasonOf(err) != mfa.RUserNotFound {
		t.Fatalf("the reused code made a user: %v", err)
	}
}

// The attack: a stranger guesses setup codes from one address, then from
// many. They are refused with a clear message, in the system log, and the
// right code does not get through while throttled.
func TestSetupCodeGuessingThroughTheForm(t *testing.T) {
	s := newEmptySite(t, "http://mfa.example.com", false, nil)
	code, _ := s.svc.Users.StartSetup(context.Background())
	c := s.clientFrom("198.51.100.66:4000")
	for i := range mfa.SetupTriesPerAddress {
		if resp := s.post(t, c, "/setup", setupForm(fmt.Sprintf("GUESS-%04d-AAAA", i))); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("guess %d: %d", i, resp.StatusCode)
		}
	}
	resp := s.post(t, c, "/setup", setupForm(code))
	if b := body(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "Too many setup code tries") {
		t.Fatalf("throttled guesser: %d\n%s", resp.StatusCode, b)
	}
	evs, err := s.svc.Org.Events(context.Background(), mfa.EventFilter{Types: []string{mfa.EvSetupRefused, mfa.EvRateLimit}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != mfa.SetupTriesPerAddress+1 || evs[0].ClientIP != "198.51.100.66" {
		t.Fatalf("system log: %d events %+v", len(evs), evs)
	}
	// The operator at the machine still gets in.
	if resp := s.post(t, s.client(t), "/setup", setupForm("")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("loopback setup while a guesser is throttled: %d", resp.StatusCode)
	}
}

// Two setups at once through the form: one admin, the other refused.
func TestConcurrentSetupThroughTheForm(t *testing.T) {
	s := newEmptySite(t, "http://mfa.example.com", false, nil)
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Go(func() {
			f := setupForm("")
			f.Set("login", fmt.Sprintf("admin%d@example.com", i))
			resp := s.post(t, s.client(t), "/setup", f)
			codes[i] = resp.StatusCode
			if resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/admin" {
				codes[i] = 1
			}
		})
	}
	wg.Wait()
	made := 0
	for _, c := range codes {
		if c == 1 {
			made++
		}
	}
	users, _ := s.svc.Users.ListUsers(context.Background(), "", "", 10)
	if made != 1 || len(users) != 1 {
		t.Fatalf("%d setups went through, %d users (%v)", made, len(users), codes)
	}
}

// An org with users and no administrator (all made from the command line
// without --admin): a sign-in on its way somewhere is not turned away to
// the setup page, and a signed-in user is not either.
func TestSignInStillWorksWithoutAnAdmin(t *testing.T) {
	s := newEmptySite(t, "http://mfa.example.com", false, nil)
	if _, err := s.svc.Users.CreateUser(context.Background(), mfa.NewUser{Login: "user@example.com", Password: "User-Pass-2026", Activate: true}); err != nil {
		t.Fatal(err)
	}
	c := s.clientFrom("198.51.100.7:4000")
	if resp, _ := s.get(t, c, "/account"); resp.Header.Get("Location") != "/login" {
		t.Fatalf("/account signed out: %s", resp.Header.Get("Location"))
	}
	if resp, page := s.get(t, c, "/login"); resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-page="login"`) {
		t.Fatalf("/login on the way to /account: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}}); resp.Header.Get("Location") != "/account" {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/", "/login"} {
		if resp, _ := s.get(t, c, path); resp.Header.Get("Location") != "/account" {
			t.Fatalf("%s signed in: %s", path, resp.Header.Get("Location"))
		}
	}
	// A stranger's plain visit still leads to setup.
	if resp, _ := s.get(t, s.clientFrom("203.0.113.1:4000"), "/login"); resp.Header.Get("Location") != "/setup" {
		t.Fatalf("plain /login: %s", resp.Header.Get("Location"))
	}
}
