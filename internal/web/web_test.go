package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"smsmfa/internal/delivery"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
	"smsmfa/internal/web"
)

type site struct {
	db   *store.DB
	srv  *httptest.Server
	h    http.Handler // what srv serves
	svc  mfa.Services
	sink *devsink.Sink
}

func newSite(t testing.TB, base string, dev bool, clock ...mfa.Clock) *site {
	t.Helper()
	return newSiteWith(t, base, dev, nil, clock...)
}

// newSiteWith is newSite with mod applied to the UI's options.
func newSiteWith(t testing.TB, base string, dev bool, mod func(*web.Options), clock ...mfa.Clock) *site {
	t.Helper()
	s := newEmptySite(t, base, dev, mod, clock...)
	for _, nu := range []mfa.NewUser{
		{Login: "user@example.com", Password: "User-Pass-2026", Activate: true},
		{Login: "admin@example.com", Password: "Admin-Pass-2026", Activate: true, Admin: true},
	} {
		if _, err := s.svc.Users.CreateUser(context.Background(), nu); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// newEmptySite is newSiteWith on a database without users (first run).
func newEmptySite(t testing.TB, base string, dev bool, mod func(*web.Options), clock ...mfa.Clock) *site {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	keys, _ := secret.Derive(bytes.Repeat([]byte{3}, 32))
	sink := devsink.New(100, nil)
	var dclk mfa.Clock = mfa.SystemClock{}
	if len(clock) > 0 {
		dclk = clock[0]
	}
	disp := delivery.New(db, keys, delivery.Single{Name: "dev", Provider: sink}, dclk, nil, nil)
	var clk mfa.Clock = mfa.SystemClock{}
	if len(clock) > 0 {
		clk = clock[0]
	}
	u, _ := url.Parse(base)
	svc := mfa.New(mfa.Config{Store: db, Clock: clk, CodeKey: keys.CodeMAC, Sealer: keys, Hasher: password.NewHasher(password.Fast), Deliver: disp, ProviderKinds: telephony.AllKinds(),
		Host: u.Host, Origin: u.Scheme + "://" + u.Host})
	pool := telephony.New(telephony.Options{Service: svc.Telephony, Keys: keys, Sink: sink})
	if err := pool.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	o := web.Options{Services: web.ServicesOf(svc), Sessions: db.Sessions(), BaseURL: u, SessionLifetime: time.Hour, SessionIdle: time.Hour, Keys: keys, Pool: pool}
	if dev {
		o.Dev = sink
	}
	if mod != nil {
		mod(&o)
	}
	h, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	hh := httpx.Common(h, httpx.ClientIP{}, nil)
	srv := httptest.NewServer(hh)
	t.Cleanup(srv.Close)
	return &site{db: db, srv: srv, h: hh, svc: svc, sink: sink}
}

func (s *site) client(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// post sends a same-origin form, as a browser does.
func (s *site) post(t testing.TB, c *http.Client, path string, form url.Values) *http.Response {
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

func (s *site) get(t testing.TB, c *http.Client, path string) (*http.Response, string) {
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
	evs, err := s.svc.Org.Events(context.Background(), mfa.EventFilter{Types: []string{mfa.EvSignIn}})
	if err != nil {
		t.Fatal(err)
	}
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
	// Neither a page on another host nor one too long to keep is gone
	// back to (nor written to the session).
	for _, page := range []string{"//evil.example.com/account", "/account?x=" + strings.Repeat("y", 4000)} {
		c2 := s.client(t)
		s.get(t, c2, page)
		resp = s.post(t, c2, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
		if loc := resp.Header.Get("Location"); loc != "/account" {
			t.Fatalf("after asking for %.40s: %.60s", page, loc)
		}
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
	if set, err := s.svc.Org.Settings(context.Background()); err != nil || set.SMSEnabled {
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
	if set, err := s.svc.Org.Settings(context.Background()); err != nil || set.CodeLifetime != 300*time.Second {
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
		v, err := s.svc.Signin.PrimaryAuth(ctx, "user@example.com", "User-Pass-2026", "")
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
	if err := s.svc.Org.UpdateSettings(actx, map[string]string{"trusted_origins": "https://app.example.com"}); err != nil {
		t.Fatal(err)
	}
	resp, _ = s.get(t, s.client(t), "/login/sessionCookieRedirect?token="+token()+"&redirectUrl="+url.QueryEscape("https://app.example.com/home"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://app.example.com/home" {
		t.Fatalf("trusted redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAccountChangesNeedARecentSignIn(t *testing.T) {
	clock := mfa.NewFakeClock(time.Now())
	s := newSite(t, "http://127.0.0.1", false, clock)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if resp, _ := s.get(t, c, "/account/sms/setup"); resp.StatusCode != 200 {
		t.Fatalf("just after sign-in: %d", resp.StatusCode)
	}
	clock.Advance(16 * time.Minute)
	resp, _ := s.get(t, c, "/account/sms/setup")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/confirm?next=%2Faccount%2Fsms%2Fsetup" {
		t.Fatalf("16 minutes later: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := s.post(t, c, "/account/sms/remove", nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/account/confirm") {
		t.Fatalf("remove without confirming: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	bad := s.post(t, c, "/account/confirm", url.Values{"password": {"wrong"}, "next": {"/account/sms/setup"}})
	if b := body(bad); bad.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "That password is not right.") {
		t.Fatalf("wrong password: %d", bad.StatusCode)
	}
	good := s.post(t, c, "/account/confirm", url.Values{"password": {"User-Pass-2026"}, "next": {"/account/sms/setup"}})
	if good.StatusCode != http.StatusSeeOther || good.Header.Get("Location") != "/account/sms/setup" {
		t.Fatalf("confirmed: %d %s", good.StatusCode, good.Header.Get("Location"))
	}
	if resp, _ := s.get(t, c, "/account/sms/setup"); resp.StatusCode != 200 {
		t.Fatalf("after confirming: %d", resp.StatusCode)
	}
	evs, err := s.svc.Org.Events(ctx, mfa.EventFilter{Types: []string{mfa.EvReauth}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Outcome != mfa.OutcomeSuccess || evs[1].Outcome != mfa.OutcomeFailure {
		t.Fatalf("re-authentication events: %+v", evs)
	}
}

// stateTokenRe matches a clear state token (00 and 40 base-62 characters).
var stateTokenRe = regexp.MustCompile(`^00[0-9A-Za-z]{40}$`)

func TestStateTokenIsSealedInTheSession(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.Org.SetSMSEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	resp := s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if resp.Header.Get("Location") != "/signin/enroll" {
		t.Fatalf("sign-in: %s", resp.Header.Get("Location"))
	}
	if r, b := s.get(t, c, "/signin/enroll"); r.StatusCode != 200 || !strings.Contains(b, "Extra verification is required") {
		t.Fatalf("the sealed state token does not work: %d", r.StatusCode)
	}
	rows, err := s.db.SQL().Query(`SELECT data FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys, _ := secret.Derive(bytes.Repeat([]byte{3}, 32)) // newSite's
	found := 0
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		_, values, err := scs.GobCodec{}.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		kept, ok := values["st"].(string)
		if !ok {
			continue
		}
		found++
		if stateTokenRe.MatchString(kept) {
			t.Fatalf("the session keeps the state token in clear: %q", kept)
		}
		raw, err := base64.RawURLEncoding.DecodeString(kept)
		if err != nil {
			t.Fatal(err)
		}
		clear, err := keys.Open(raw, "web state token")
		if err != nil || !stateTokenRe.Match(clear) {
			t.Fatalf("the kept value is not the sealed state token: %v", err)
		}
	}
	if found != 1 {
		t.Fatalf("%d sessions keep a state token, want 1", found)
	}
}

func TestCancelAfterTheSignInExpired(t *testing.T) {
	clock := mfa.NewFakeClock(time.Now())
	s := newSite(t, "http://127.0.0.1", false, clock)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.Org.SetSMSEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	if resp := s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}}); resp.Header.Get("Location") != "/signin/enroll" {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	clock.Advance(time.Hour)
	if resp := s.post(t, c, "/signin/cancel", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("cancel of an expired sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := s.get(t, c, "/signin/enroll"); resp.Header.Get("Location") != "/login" {
		t.Fatalf("the sign-in is still in the session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAdminLogRefusesAFilterItCannotRead(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	c := s.client(t)
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	for _, q := range []string{"since=yesterday", "until=2026-13-01T00%3A00", "after=x"} {
		resp, b := s.get(t, c, "/admin/log?"+q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, `role="alert"`) || strings.Contains(b, "<code>user.session.start</code>") {
			t.Errorf("%s: %d\n%s", q, resp.StatusCode, b)
		}
	}
	resp, b := s.get(t, c, "/admin/log?since=2000-01-01T00%3A00:00&type=user.session.start")
	if resp.StatusCode != http.StatusOK || !strings.Contains(b, "<code>user.session.start</code>") {
		t.Errorf("a time with seconds: %d\n%s", resp.StatusCode, b)
	}
}

// Issue 9, item 10: failed code attempts on the account are told to the
// user at their next sign-in, once.
func TestSignInTellsOfFailedCodeAttempts(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.Org.SetSMSEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	u, err := s.svc.Users.GetUser(ctx, "user@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := s.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: "+14155550101", Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	// Somebody else tries three wrong codes.
	if _, err := s.svc.Factors.ChallengeSMS(ctx, u.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.svc.Factors.VerifySMS(ctx, u.ID, f.ID, "000000"); mfa.ReasonOf(err) != mfa.RCodeWrong && mfa.ReasonOf(err) != mfa.RCodeExpired {
			t.Fatalf("wrong code: %v", err)
		}
	}
	signIn := func() string {
		c := s.client(t)
		s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
		if resp := s.post(t, c, "/signin/verify/send", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send code: %d %s", resp.StatusCode, body(resp))
		}
		msgs := s.sink.Messages()
		code := msgs[len(msgs)-1].Code
		if resp := s.post(t, c, "/signin/verify", url.Values{"code": {code}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d %s", resp.StatusCode, body(resp))
		}
		_, page := s.get(t, c, "/account")
		return page
	}
	if page := signIn(); !strings.Contains(page, "There were 3 failed code attempts on your account since") {
		t.Fatalf("the account page after sign-in does not tell of the failed attempts:\n%s", page)
	}
	if page := signIn(); strings.Contains(page, "failed code attempt") {
		t.Fatal("told twice")
	}
}

// The sign-in form shares the per-address password limit of the authn API:
// past it, 429 with Retry-After and the reason on the page.
func TestSignInFormPasswordLimit(t *testing.T) {
	clock := mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 30, 0, time.UTC))
	s := newSite(t, "http://127.0.0.1", false, clock)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	if err := s.svc.Org.UpdateSettings(ctx, map[string]string{"limit_password_minute": "3"}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	for range 3 {
		if resp := s.post(t, c, "/login", url.Values{"username": {"nobody@example.com"}, "password": {"guess-guess"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
	}
	resp := s.post(t, c, "/login", url.Values{"username": {"user@example.com"}, "password": {"User-Pass-2026"}})
	if b := body(resp); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" || !strings.Contains(b, "Too many sign-in attempts from your network") {
		t.Fatalf("past the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// Issue 9, item 1, in the console: the admin sees on a user's page which
// accounts enrolled the user's number, and on the numbers page who is
// verified on a blocked number.
func TestConsoleShowsEnrollmentsOfAUsersNumber(t *testing.T) {
	s := newSite(t, "http://127.0.0.1", false)
	ctx := mfa.WithClient(context.Background(), mfa.Client{Actor: mfa.CLIActor})
	c := s.client(t) // the admin signs in while SMS is off: password only
	s.post(t, c, "/login", url.Values{"username": {"admin@example.com"}, "password": {"Admin-Pass-2026"}})
	if err := s.svc.Org.UpdateSettings(ctx, map[string]string{"sms_enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	victim, err := s.svc.Users.GetUser(ctx, "user@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Factors.EnrollSMS(ctx, victim.ID, mfa.EnrollRequest{Phone: "+14155550101", Activate: true}); err != nil {
		t.Fatal(err)
	}
	mallory, err := s.svc.Users.CreateUser(ctx, mfa.NewUser{Login: "mallory@example.com", Password: "Mallory-Pass-2026", Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Factors.EnrollSMS(ctx, mallory.ID, mfa.EnrollRequest{Phone: "+14155550101"}); err != nil {
		t.Fatalf("another account enrolls the number: %v", err)
	}
	// With one user per number allowed, a third account gets it blocked.
	if err := s.svc.Org.UpdateSettings(ctx, map[string]string{"shared_number_max_users": "1"}); err != nil {
		t.Fatal(err)
	}
	eve, err := s.svc.Users.CreateUser(ctx, mfa.NewUser{Login: "eve@example.com", Password: "Eve-Pass-2026-x", Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err = s.svc.Factors.EnrollSMS(ctx, eve.ID, mfa.EnrollRequest{Phone: "+14155550101"}); mfa.ReasonOf(err) != mfa.RNumberBlocked {
		t.Fatalf("a second account on a number for one: %v", err)
	}
	if _, b := s.get(t, c, "/admin/users/"+victim.ID); !strings.Contains(b, "Other accounts enrolled this user's number") || !strings.Contains(b, "mallory@example.com") {
		t.Fatalf("the user's page does not show who enrolled their number:\n%s", b)
	}
	if _, b := s.get(t, c, "/admin/numbers"); !strings.Contains(b, `href="/admin/users/`+victim.ID+`">user@example.com</a>`) {
		t.Fatalf("the numbers page does not show who is verified on the blocked number:\n%s", b)
	}
}
