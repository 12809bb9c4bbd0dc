package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
	"smsmfa/internal/store/storetest"
)

// The fuzz targets post fuzzed values through the real handlers on a fresh
// database (SQLite unless SMSMFA_TEST_ENGINE says otherwise), then check
// that no answer is a 5xx and that everything stored is fit to store
// (storetest.TextChecker). .ci/run runs each for a bounded time; go test
// runs their seeds.

// fuzzSite is a site whose limits do not stop a fuzz run, with SMS on and
// two users besides user@ and admin@: verify@, whose factor is active, and
// account@, who has none.
type fuzzSite struct {
	*site
	clock *mfa.FakeClock
	text  *storetest.TextChecker
	ctx   context.Context // the command line, for setup
}

func newFuzzSite(f *testing.F) *fuzzSite {
	clock := mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s := &fuzzSite{site: newSite(f, "http://127.0.0.1", false, clock), clock: clock,
		ctx: mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})}
	s.text = storetest.NewTextChecker(s.db)
	if err := s.svc.Org.UpdateSettings(s.ctx, storetest.FuzzSettings); err != nil {
		f.Fatal(err)
	}
	if err := s.svc.Org.SetSMSEnabled(s.ctx, true); err != nil {
		f.Fatal(err)
	}
	for _, login := range []string{"verify@example.com", "account@example.com"} {
		if _, err := s.svc.Users.CreateUser(s.ctx, mfa.NewUser{Login: login, Password: "User-Pass-2026", Activate: true}); err != nil {
			f.Fatal(err)
		}
	}
	u, err := s.svc.Users.GetUser(s.ctx, "verify@example.com")
	if err != nil {
		f.Fatal(err)
	}
	factor, _, err := s.svc.Factors.EnrollSMS(s.ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550101"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.svc.Factors.ActivateSMS(s.ctx, u.ID, factor.ID, s.lastCode(f)); err != nil {
		f.Fatal(err)
	}
	return s
}

var sentCode = regexp.MustCompile(`code is (\d+)\.`)

// lastCode is the code of the newest text the development sink received.
func (s *fuzzSite) lastCode(tb testing.TB) string {
	tb.Helper()
	msgs := s.sink.Messages()
	if len(msgs) == 0 {
		tb.Fatal("no text was sent")
	}
	m := sentCode.FindStringSubmatch(msgs[len(msgs)-1].Body)
	if m == nil {
		tb.Fatalf("no code in %q", msgs[len(msgs)-1].Body)
	}
	return m[1]
}

// send posts form (or, with a nil form, gets path) and fails t on a 5xx.
func (s *fuzzSite) send(t *testing.T, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	var resp *http.Response
	if form == nil {
		resp, _ = s.get(t, c, path)
	} else {
		resp = s.post(t, c, path, form)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, body(resp))
	}
	return resp
}

// signIn signs login in on a new client; with SMS on, the sign-in stops at
// the second factor.
func (s *fuzzSite) signIn(t *testing.T, login string) *http.Client {
	t.Helper()
	c := s.client(t)
	if resp := s.send(t, c, "/login", url.Values{"username": {login}, "password": {"User-Pass-2026"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %d", login, resp.StatusCode)
	}
	return c
}

// end checks what the run stored and moves the clock on an hour, past
// every lockout and rate-limit window.
func (s *fuzzSite) end(t *testing.T) {
	t.Helper()
	s.text.Check(t)
	s.clock.Advance(time.Hour)
}

// tricky are seeds every target starts from: the attacks of issue 9 and
// text at and over the caps.
var tricky = []string{"", "user@example.com", "ad\x00min", "ad\xffmin", "admin\u202Egnp", "a\tb\r\nc", strings.Repeat("é", 257),
	strings.Repeat("x", 2049), "/./\\evil.example", "+1 415 555 0101", "123456", "{code}", "%00", "javascript:alert(1)"}

func FuzzSignInForm(f *testing.F) {
	for _, v := range tricky {
		f.Add(v, "User-Pass-2026")
	}
	s := newFuzzSite(f)
	f.Fuzz(func(t *testing.T, username, password string) {
		c := s.client(t)
		s.send(t, c, "/login", url.Values{"username": {username}, "password": {password}})
		s.send(t, c, "/login?username="+url.QueryEscape(username), nil)
		s.end(t)
	})
}

// FuzzSignInFactorForms fuzzes the phone and code forms of the sign-in:
// setting up the factor (account@ has none) and verifying it (verify@).
func FuzzSignInFactorForms(f *testing.F) {
	for _, v := range tricky {
		f.Add(v, "US", v)
	}
	f.Add("4155550123", "GB", "000000")
	s := newFuzzSite(f)
	f.Fuzz(func(t *testing.T, number, country, code string) {
		c := s.signIn(t, "account@example.com")
		s.send(t, c, "/signin/enroll/sms", url.Values{"phone": {number}, "country": {country}})
		s.send(t, c, "/signin/enroll/sms/code", url.Values{"code": {code}})
		s.send(t, c, "/signin/enroll/sms/resend", url.Values{})
		s.send(t, c, "/signin/enroll/sms/back", url.Values{})
		s.send(t, c, "/signin/cancel", url.Values{})
		c = s.signIn(t, "verify@example.com")
		s.send(t, c, "/signin/verify/send", url.Values{})
		s.send(t, c, "/signin/verify", url.Values{"code": {code}})
		s.send(t, c, "/signin/verify/resend", url.Values{})
		s.end(t)
	})
}

// FuzzAccountForms fuzzes the account pages' forms: the password
// confirmation and its next, the phone and code forms of setup and reset,
// and removal.
func FuzzAccountForms(f *testing.F) {
	for _, v := range tricky {
		f.Add(v, v, v, "US", v)
	}
	s := newFuzzSite(f)
	f.Fuzz(func(t *testing.T, password, next, number, country, code string) {
		// The account user signs in with SMS off, then it is turned on.
		if err := s.svc.Org.SetSMSEnabled(s.ctx, false); err != nil {
			t.Fatal(err)
		}
		c := s.signIn(t, "account@example.com")
		if err := s.svc.Org.SetSMSEnabled(s.ctx, true); err != nil {
			t.Fatal(err)
		}
		s.send(t, c, "/account/sms/setup", url.Values{"phone": {number}, "country": {country}})
		s.send(t, c, "/account/sms/code", url.Values{"code": {code}})
		s.send(t, c, "/account/sms/resend", url.Values{})
		s.send(t, c, "/account/sms/reset", url.Values{"phone": {number}, "country": {country}, "use": {code}})
		s.send(t, c, "/account/confirm?next="+url.QueryEscape(next), nil)
		s.send(t, c, "/account/confirm", url.Values{"password": {password}, "next": {next}})
		s.send(t, c, "/account/sms/remove", url.Values{})
		s.end(t)
	})
}

// FuzzAdminForms fuzzes every form of the console with the same three
// values: settings, users and their search, numbers, tokens, providers,
// templates, and the system log's search.
func FuzzAdminForms(f *testing.F) {
	for _, v := range tricky {
		f.Add(v, v, v)
	}
	f.Add("acme", "https://app.example.com", "GB")
	f.Add("hook", "webhook", "https://hooks.example.com/sms")
	f.Add("Wiki", "https://wiki.example.com/cb\nhttp://localhost:3000/cb", "https://wiki.example.com/bye")
	f.Add("fr", "Code : {code}", "preview")
	s := newFuzzSite(f)
	admin := s.client(f)
	if resp := s.post(f, admin, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}}); resp.StatusCode != http.StatusSeeOther {
		f.Fatalf("admin sign-in: %d", resp.StatusCode)
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		s.send(t, admin, "/admin/settings", url.Values{"org_name": {a}, "trusted_origins": {b}, "default_region": {c}, "log_retention": {a},
			"phone_types": {b}, "countries_allow": {c}, "code_lifetime": {a}})
		s.send(t, admin, "/admin/users", url.Values{"login": {a}, "password": {b}, "first": {c}, "last": {a}, "admin": {b}})
		s.send(t, admin, "/admin/users?q="+url.QueryEscape(a)+"&after="+url.QueryEscape(b), nil)
		s.send(t, admin, "/admin/users/"+url.PathEscape(a), nil)
		s.send(t, admin, "/admin/users/"+url.PathEscape(a)+"/unlock", url.Values{})
		s.send(t, admin, "/admin/numbers", url.Values{"number": {a}, "status": {b}})
		s.send(t, admin, "/admin/tokens", url.Values{"name": {a}})
		s.send(t, admin, "/admin/radius", url.Values{"name": {a}, "address": {b}, "secret": {c}})
		s.send(t, admin, "/admin/radius/"+url.PathEscape(a)+"/remove", url.Values{})
		s.send(t, admin, "/admin/apps", url.Values{"name": {a}, "redirect_uris": {b}, "logout_uris": {c}, "public": {a}})
		s.send(t, admin, "/admin/apps/"+url.PathEscape(a)+"/remove", url.Values{})
		s.send(t, admin, "/admin/providers", url.Values{"name": {a}, "type": {b}, "url": {c}, "senders": {b}, "credentials": {"secret=" + c + "\n" + a}, "priority": {"5"}})
		s.send(t, admin, "/admin/providers/"+url.PathEscape(a)+"/update", url.Values{"priority": {b}, "enabled": {c}})
		s.send(t, admin, "/admin/templates", url.Values{"locale": {a}, "body": {b}, "action": {c}})
		s.send(t, admin, "/admin/log?q="+url.QueryEscape(a)+"&type="+url.QueryEscape(b)+"&since="+url.QueryEscape(c), nil)
		s.send(t, admin, "/admin/providers/"+url.PathEscape(a)+"/remove", url.Values{})
		s.end(t)
	})
}
