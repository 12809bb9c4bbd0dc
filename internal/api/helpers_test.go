package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/api"
	"smsmfa/internal/delivery"
	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
	"smsmfa/internal/password"
	"smsmfa/internal/secret"
	"smsmfa/internal/sms/devsink"
	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
	"smsmfa/internal/telephony"
)

type env struct {
	t     testing.TB
	srv   *httptest.Server
	db    *store.DB
	svc   mfa.Services
	clock *mfa.FakeClock
	sink  *devsink.Sink
	token string
	ctx   context.Context
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	keys, _ := secret.Derive(bytes.Repeat([]byte{5}, 32))
	clock := mfa.NewFakeClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	sink := devsink.New(1000, nil)
	disp := delivery.New(db, keys, delivery.Single{Name: "dev", Provider: sink}, clock, nil, nil)
	disp.Wait = 5 * time.Second
	svc := mfa.New(mfa.Config{Store: db, Clock: clock, CodeKey: keys.CodeMAC, Sealer: keys, Hasher: password.NewHasher(password.Fast), Deliver: disp, Host: "127.0.0.1", ProviderKinds: telephony.AllKinds()})
	e := &env{t: t, db: db, svc: svc, clock: clock, sink: sink, ctx: mfa.WithClient(ctx, mfa.Client{Actor: mfa.CLIActor})}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	mux.Handle("/", httpx.Common(api.New(api.Options{Services: api.ServicesOf(svc), BaseURL: e.srv.URL}), httpx.ClientIP{}, nil))
	if err := svc.Org.SetSMSEnabled(e.ctx, true); err != nil {
		t.Fatal(err)
	}
	e.token = e.adminToken(adminLogin)
	return e
}

// adminLogin is the admin who owns the test's token.
const adminLogin = "admin@example.com"

// adminToken creates an active admin (unless login exists) and a token it
// owns, and returns the token.
func (e *env) adminToken(login string) string {
	e.t.Helper()
	u, err := e.svc.Users.GetUser(e.ctx, login)
	if err != nil {
		if u, err = e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: login, Password: "Pass-word-2026", Admin: true, Activate: true}); err != nil {
			e.t.Fatal(err)
		}
	}
	_, tok, err := e.svc.Tokens.CreateToken(e.ctx, "test", u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// resp is a decoded answer.
type resp struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
	list   []any
}

func (e *env) do(method, path, token string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.srv.URL + path
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if res.Header.Get("X-Okta-Request-Id") == "" {
		e.t.Errorf("%s %s: no X-Okta-Request-Id", method, path)
	}
	if len(raw) > 0 {
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			e.t.Errorf("%s %s: Content-Type %q on a JSON body", method, path, res.Header.Get("Content-Type"))
		}
		if raw[0] == '[' {
			json.Unmarshal(raw, &r.list)
		} else if err := json.Unmarshal(raw, &r.body); err != nil {
			e.t.Errorf("%s %s: answer is not JSON: %s", method, path, raw)
		}
	}
	return r
}

// authn posts to the public Authn API.
func (e *env) authn(path string, body any) resp { e.t.Helper(); return e.do("POST", path, "", body) }

// api calls a management endpoint with the test's token.
func (e *env) api(method, path string, body any) resp {
	e.t.Helper()
	return e.do(method, path, e.token, body)
}

func (r resp) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func (r resp) obj(path ...string) map[string]any {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	m, _ := v.(map[string]any)
	return m
}

// wantError checks an Okta error answer.
func (e *env) wantError(r resp, status int, code string) {
	e.t.Helper()
	if r.status != status || r.str("errorCode") != code || r.str("errorLink") != code || !strings.HasPrefix(r.str("errorId"), "oae") {
		e.t.Fatalf("want %d %s, got %d %s", status, code, r.status, r.raw)
	}
	if _, ok := r.body["errorCauses"].([]any); !ok {
		e.t.Fatalf("errorCauses missing: %s", r.raw)
	}
}

func causes(r resp) []string {
	var out []string
	for _, c := range r.body["errorCauses"].([]any) {
		out = append(out, c.(map[string]any)["errorSummary"].(string))
	}
	return out
}

func (e *env) user(login string, activate bool) string {
	e.t.Helper()
	u, err := e.svc.Users.CreateUser(e.ctx, mfa.NewUser{Login: login, Password: "Pass-word-2026", Activate: activate})
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

func (e *env) code(number string) string {
	e.t.Helper()
	msgs := e.sink.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == number {
			if msgs[i].Code == "" {
				e.t.Fatalf("the SMS to %s carries no code", number)
			}
			return msgs[i].Code
		}
	}
	e.t.Fatalf("no SMS to %s", number)
	return ""
}

func (e *env) sent(number string) int {
	n := 0
	for _, m := range e.sink.Messages() {
		if m.To == number {
			n++
		}
	}
	return n
}

func wrong(c string) string { return string(rune('0'+(c[0]-'0'+1)%10)) + c[1:] }

// linkOf returns a link's href, checking it allows exactly one method.
func (e *env) linkOf(r resp, name string) string {
	e.t.Helper()
	l := r.obj("_links", name)
	if l == nil {
		e.t.Fatalf("no _links.%s in %s", name, r.raw)
	}
	return e.checkLink(l)
}

func (e *env) checkLink(l map[string]any) string {
	e.t.Helper()
	allow, _ := l["hints"].(map[string]any)["allow"].([]any)
	href, _ := l["href"].(string)
	if len(allow) != 1 || !strings.HasPrefix(href, e.srv.URL+"/api/v1/") {
		e.t.Fatalf("link %v: want one allowed method and an absolute URL on this server", l)
	}
	return href
}

// signIn starts a transaction for login.
func (e *env) signIn(login string) resp {
	e.t.Helper()
	r := e.authn("/api/v1/authn", map[string]any{"username": login, "password": "Pass-word-2026"})
	if r.status != 200 {
		e.t.Fatalf("sign in: %d %s", r.status, r.raw)
	}
	return r
}
