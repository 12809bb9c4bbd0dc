package oidc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsmfa/internal/delivery"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/oidc"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
	"smsmfa/internal/web"
)

const (
	login = "ada@example.com"
	pw    = "Ada-Pass-2026"
)

// op is a server with the web UI and the OpenID Provider mounted as
// cmd/smsmfa mounts them, on a fake clock.
type op struct {
	url   string
	svc   mfa.Services
	clock *mfa.FakeClock
	user  *mfa.User
}

func newOP(t *testing.T) *op { return newCluster(t, 1) }

// newCluster is newOP with n instances on one database behind one address,
// each request going to the next instance in turn (as a load balancer
// without sticky sessions would): each has its own domain services, caches
// and provider, so a step that needed another instance's memory fails.
func newCluster(t *testing.T, n int) *op {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	keys, _ := secret.Derive(bytes.Repeat([]byte{7}, 32))
	clock := mfa.NewFakeClock(time.Now())
	sink := devsink.New(100, nil)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	var handlers []http.Handler
	var first mfa.Services
	for i := range n {
		disp := delivery.New(db, keys, delivery.Single{Name: "dev", Provider: sink}, clock, nil, nil)
		svc := mfa.New(mfa.Config{Store: db, Clock: clock, CodeKey: keys.CodeMAC, Sealer: keys, Opener: keys, Hasher: password.NewHasher(password.Fast),
			Deliver: disp, ProviderKinds: telephony.AllKinds()})
		if i == 0 {
			first = svc
		}
		p, err := oidc.New(oidc.Options{Domain: svc.OIDC, BaseURL: base, Limiter: svc.Org})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(base)
		ui, err := web.New(web.Options{Services: web.ServicesOf(svc), Sessions: db.Sessions(), BaseURL: u, SessionLifetime: time.Hour, SessionIdle: time.Hour,
			Keys: keys, Provider: p})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		h := p.Handler()
		mux.Handle("/.well-known/openid-configuration", h)
		mux.Handle("/oauth2/", h)
		mux.Handle("/oauth2/v1/logout", ui)
		mux.Handle("/oauth2/default/v1/logout", ui)
		mux.Handle("/", ui)
		handlers = append(handlers, httpx.Common(mux, httpx.ClientIP{}, nil))
	}
	var next atomic.Int64
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[int(next.Add(1))%len(handlers)].ServeHTTP(w, r)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	usr, err := first.Users.CreateUser(ctx, mfa.NewUser{Login: login, Password: pw, FirstName: "Ada", LastName: "Lovelace", Email: login, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	return &op{url: base, svc: first, clock: clock, user: usr}
}

// app registers an application whose redirect URI is on no server (the
// tests read the code from the Location header).
func (o *op) app(t *testing.T, public bool) (mfa.App, string) {
	t.Helper()
	a, sec, err := o.svc.OIDC.CreateApp(context.Background(), mfa.NewApp{Name: "Wiki", RedirectURIs: []string{"https://wiki.example.com/callback"},
		LogoutURIs: []string{"https://wiki.example.com/bye"}, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	return a, sec
}

func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// pkce returns a verifier and its S256 challenge.
func pkce(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 43)[:43]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authParams(a mfa.App, challenge string, extra ...string) url.Values {
	q := url.Values{"client_id": {a.ID}, "response_type": {"code"}, "scope": {"openid profile email offline_access"},
		"redirect_uri": {a.RedirectURIs[0]}, "state": {"st-123"}, "nonce": {"n-456"}}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", "S256")
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// get follows the server's redirects until one leaves it, and returns
// the last response (its body read).
func (o *op) get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	for range 10 {
		if strings.HasPrefix(u, "/") {
			u = o.url + u
		}
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode/100 != 3 || (!strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, o.url)) {
			return resp, string(b)
		}
		u = loc
	}
	t.Fatal("too many redirects")
	return nil, ""
}

var refreshRE = regexp.MustCompile(`http-equiv="refresh" content="0;url=([^"]+)"`)

// signIn signs the browser in at the login page it was sent to, and
// returns where the browser goes next (the app's redirect URI).
func (o *op) signIn(t *testing.T, c *http.Client, password string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", o.url+"/login", strings.NewReader(url.Values{"username": {login}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	_, page := o.get(t, c, resp.Header.Get("Location"))
	m := refreshRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("after sign-in, no page sending the browser to the app: %s", page)
	}
	return html.UnescapeString(m[1])
}

// authorize runs /authorize in browser c, signing in when sent to the
// login page, and returns the app's redirect URI with its parameters.
func (o *op) authorize(t *testing.T, c *http.Client, q url.Values) *url.URL {
	t.Helper()
	resp, _ := o.get(t, c, "/oauth2/v1/authorize?"+q.Encode())
	loc := resp.Header.Get("Location")
	if resp.StatusCode == http.StatusOK && strings.HasSuffix(resp.Request.URL.Path, "/login") {
		loc = o.signIn(t, c, pw)
	}
	u, err := url.Parse(loc)
	if err != nil || loc == "" {
		t.Fatalf("authorize ended at %d %s (Location %q)", resp.StatusCode, resp.Request.URL, loc)
	}
	return u
}

// code runs /authorize and returns the code sent to the app, after
// checking the state came back.
func (o *op) code(t *testing.T, c *http.Client, q url.Values) string {
	t.Helper()
	u := o.authorize(t, c, q)
	if got := u.Query().Get("state"); got != q.Get("state") {
		t.Fatalf("state = %q, want %q (%s)", got, q.Get("state"), u)
	}
	code := u.Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %s", u)
	}
	return code
}

// token posts to the token endpoint and returns the status and the JSON.
func (o *op) token(t *testing.T, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", o.url+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	return o.do(t, req)
}

func (o *op) do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{"_body": string(b)}
	}
	return resp.StatusCode, out
}

// userinfo calls /userinfo with an access token.
func (o *op) userinfo(t *testing.T, access string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", o.url+"/oauth2/v1/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	return o.do(t, req)
}

func (o *op) events(t *testing.T, typ string) []mfa.Event {
	t.Helper()
	evs, err := o.svc.Org.Events(context.Background(), mfa.EventFilter{Types: []string{typ}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
