package oidc_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"smsmfa/internal/mfa"
)

type idClaims struct {
	AMR      []string `json:"amr"`
	ACR      string   `json:"acr"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce"`
	Email    string   `json:"email"`
}

// verify checks an ID token as a relying party does (go-oidc, keys from
// discovery) and returns its claims.
func (o *op) verify(t *testing.T, issuer, clientID, raw string) (*gooidc.IDToken, idClaims) {
	t.Helper()
	p, err := gooidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.Verifier(&gooidc.Config{ClientID: clientID}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	var c idClaims
	if err := tok.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return tok, c
}

func TestCodeFlowConfidential(t *testing.T) {
	o := newOP(t)
	a, secret := o.app(t, false)
	c := browser()
	verifier, challenge := pkce("v")
	code := o.code(t, c, authParams(a, challenge))

	status, tok := o.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}}, a.ID, secret)
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	id, claims := o.verify(t, o.url, a.ID, tok["id_token"].(string))
	if id.Subject != o.user.ID || claims.Nonce != "n-456" || claims.Email != login {
		t.Errorf("ID token sub %q nonce %q email %q", id.Subject, claims.Nonce, claims.Email)
	}
	// SMS is off for this org: the password was the only factor.
	if !slices.Equal(claims.AMR, []string{"pwd"}) || claims.ACR != "urn:okta:loa:1fa:pwd" || claims.AuthTime == 0 {
		t.Errorf("amr %v acr %q auth_time %d", claims.AMR, claims.ACR, claims.AuthTime)
	}
	if status, ui := o.userinfo(t, tok["access_token"].(string)); status != http.StatusOK || ui["sub"] != o.user.ID || ui["preferred_username"] != login {
		t.Errorf("userinfo: %d %v", status, ui)
	}
	// Introspection, by the app with its secret.
	introspect := func() map[string]any {
		req, _ := http.NewRequest("POST", o.url+"/oauth2/v1/introspect", strings.NewReader(url.Values{"token": {tok["access_token"].(string)}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(a.ID, secret)
		_, body := o.do(t, req)
		return body
	}
	if in := introspect(); in["active"] != true || in["username"] != login || in["client_id"] != a.ID || in["sub"] != o.user.ID {
		t.Errorf("introspect: %v", in)
	}
	if err := o.svc.OIDC.RevokeToken(context.Background(), a.ID, tok["refresh_token"].(string)); err != nil {
		t.Fatal(err)
	}
	if in := introspect(); in["active"] != false {
		t.Errorf("introspect after the family was revoked: %v", in)
	}
	// The wrong secret, and no secret, get nothing.
	status, body := o.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, a.ID, secret+"x")
	if status != http.StatusUnauthorized && status != http.StatusBadRequest || body["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", status, body)
	}
	// Tokens issued are in the system log; the tokens themselves are not.
	evs := o.events(t, mfa.EvOAuthAccess)
	if len(evs) != 1 || evs[0].Actor.ID != o.user.ID || evs[0].Target.ID != a.ID {
		t.Fatalf("access token events: %+v", evs)
	}
	for _, e := range append(o.events(t, mfa.EvOAuthRefresh), evs...) {
		for _, v := range e.Details {
			for _, secretText := range []string{tok["access_token"].(string), tok["refresh_token"].(string), code} {
				if strings.Contains(v, secretText) {
					t.Errorf("event %s holds a token: %v", e.Type, e.Details)
				}
			}
		}
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	verifier, challenge := pkce("r")
	code := o.code(t, browser(), authParams(a, challenge))
	_, first := o.token(t, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}})
	rt1 := first["refresh_token"].(string)

	status, second := o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {rt1}})
	if status != http.StatusOK || second["refresh_token"] == rt1 || second["refresh_token"] == nil {
		t.Fatalf("refresh: %d %v", status, second)
	}
	_, claims := o.verify(t, o.url, a.ID, second["id_token"].(string))
	if !slices.Contains(claims.AMR, "pwd") {
		t.Errorf("refreshed ID token amr %v", claims.AMR)
	}
	// The first refresh token, used again, is refused and its whole family
	// revoked: the rotated refresh token and the access tokens die too.
	status, body := o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {rt1}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("reused refresh token: %d %v", status, body)
	}
	status, body = o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {second["refresh_token"].(string)}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("rotated refresh token after reuse: %d %v", status, body)
	}
	for _, at := range []any{first["access_token"], second["access_token"]} {
		if status, _ := o.userinfo(t, at.(string)); status == http.StatusOK {
			t.Errorf("an access token of the revoked family still works at userinfo")
		}
	}
	if evs := o.events(t, mfa.EvOAuthReuse); len(evs) != 1 || evs[0].Outcome != mfa.OutcomeDeny {
		t.Errorf("reuse events: %+v", evs)
	}
}

func TestCodeRefusals(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	c := browser()
	exchange := func(code, verifier, redirect string) (int, map[string]any) {
		f := url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {redirect}}
		if verifier != "" {
			f.Set("code_verifier", verifier)
		}
		return o.token(t, f)
	}
	verifier, challenge := pkce("x")

	t.Run("ErrWrongRedirectURI", func(t *testing.T) {
		for _, bad := range []string{"https://wiki.example.com/callback/", "https://evil.example.com/callback", "https://wiki.example.com/callback?x=1"} {
			resp, page := o.get(t, c, "/oauth2/v1/authorize?"+authParams(a, challenge, "redirect_uri", bad).Encode())
			// Never a redirect to an unregistered URI: an error shown here.
			if resp.StatusCode == http.StatusFound || !strings.Contains(page, "redirect_uri") {
				t.Errorf("redirect_uri %s: %d Location %q", bad, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
	t.Run("ErrPKCEPlain", func(t *testing.T) {
		q := authParams(a, "", "code_challenge", verifier, "code_challenge_method", "plain")
		u := o.authorize(t, c, q)
		if u.Query().Get("error") != "invalid_request" || u.Query().Get("state") != "st-123" {
			t.Errorf("plain PKCE: %s", u)
		}
	})
	t.Run("ErrPublicWithoutPKCE", func(t *testing.T) {
		u := o.authorize(t, c, authParams(a, ""))
		if u.Query().Get("error") != "invalid_request" {
			t.Errorf("public app without PKCE: %s", u)
		}
	})
	t.Run("ErrMissingVerifier", func(t *testing.T) {
		code := o.code(t, c, authParams(a, challenge))
		if status, body := exchange(code, "", a.RedirectURIs[0]); status != http.StatusBadRequest || body["error"] != "invalid_grant" && body["error"] != "invalid_request" {
			t.Errorf("no verifier: %d %v", status, body)
		}
		// The code is spent by the failed try.
		if status, body := exchange(code, verifier, a.RedirectURIs[0]); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("code after a failed try: %d %v", status, body)
		}
	})
	t.Run("ErrWrongVerifier", func(t *testing.T) {
		code := o.code(t, c, authParams(a, challenge))
		other, _ := pkce("y")
		if status, body := exchange(code, other, a.RedirectURIs[0]); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("wrong verifier: %d %v", status, body)
		}
	})
	t.Run("ErrRedirectURIMismatch", func(t *testing.T) {
		code := o.code(t, c, authParams(a, challenge))
		if status, body := exchange(code, verifier, "https://wiki.example.com/other"); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("other redirect_uri: %d %v", status, body)
		}
	})
	t.Run("ErrReplayedCode", func(t *testing.T) {
		code := o.code(t, c, authParams(a, challenge))
		status, tok := exchange(code, verifier, a.RedirectURIs[0])
		if status != http.StatusOK {
			t.Fatalf("first exchange: %d %v", status, tok)
		}
		if status, body := exchange(code, verifier, a.RedirectURIs[0]); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("replayed code: %d %v", status, body)
		}
		// The replay revokes what the code gave (RFC 6749 §4.1.2).
		if status, _ := o.userinfo(t, tok["access_token"].(string)); status == http.StatusOK {
			t.Error("the access token of a replayed code still works")
		}
		if status, body := o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {tok["refresh_token"].(string)}}); status == http.StatusOK {
			t.Errorf("the refresh token of a replayed code still works: %v", body)
		}
	})
	t.Run("ErrExpiredCode", func(t *testing.T) {
		code := o.code(t, c, authParams(a, challenge))
		o.clock.Advance(mfa.AuthCodeLifetime)
		if status, body := exchange(code, verifier, a.RedirectURIs[0]); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("expired code: %d %v", status, body)
		}
	})
	t.Run("CodeJustBeforeExpiry", func(t *testing.T) {
		code := o.code(t, c, authParams(a, challenge))
		o.clock.Advance(mfa.AuthCodeLifetime - time.Second)
		if status, body := exchange(code, verifier, a.RedirectURIs[0]); status != http.StatusOK {
			t.Errorf("code 1 s before expiry: %d %v", status, body)
		}
	})
}

func TestPromptAndMaxAge(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	_, challenge := pkce("p")
	c := browser()

	// prompt=none with nobody signed in: login_required, with the state.
	u := o.authorize(t, c, authParams(a, challenge, "prompt", "none"))
	if u.Query().Get("error") != "login_required" || u.Query().Get("state") != "st-123" || u.Host != "wiki.example.com" {
		t.Fatalf("prompt=none signed out: %s", u)
	}
	o.code(t, c, authParams(a, challenge)) // signs the browser in

	// Signed in: prompt=none answers at once.
	resp, _ := o.get(t, c, "/oauth2/v1/authorize?"+authParams(a, challenge, "prompt", "none").Encode())
	if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("prompt=none signed in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// prompt=login asks for the password again.
	o.clock.Advance(time.Second)
	resp, _ = o.get(t, c, "/oauth2/v1/authorize?"+authParams(a, challenge, "prompt", "login", "login_hint", login).Encode())
	if resp.Request.URL.Path != "/login" || resp.Request.URL.Query().Get("username") != login {
		t.Fatalf("prompt=login went to %s", resp.Request.URL)
	}
	if got := o.signIn(t, c, pw); !strings.Contains(got, "code=") {
		t.Fatalf("after prompt=login: %s", got)
	}
	// max_age: a sign-in older than it needs a new one; with prompt=none
	// that is login_required.
	o.clock.Advance(2 * time.Minute)
	u = o.authorize(t, c, authParams(a, challenge, "prompt", "none", "max_age", "60"))
	if u.Query().Get("error") != "login_required" {
		t.Errorf("max_age=60 two minutes after sign-in, prompt=none: %s", u)
	}
	u = o.authorize(t, c, authParams(a, challenge, "max_age", "600"))
	if u.Query().Get("code") == "" {
		t.Errorf("max_age=600 two minutes after sign-in: %s", u)
	}
}

func TestSessionToken(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	ctx := context.Background()
	v, err := o.svc.Signin.PrimaryAuth(ctx, login, pw, "")
	if err != nil || v.Txn.SessionToken == "" {
		t.Fatalf("authn: %v", err)
	}
	verifier, challenge := pkce("s")
	c := browser()
	q := authParams(a, challenge, "prompt", "none", "sessionToken", v.Txn.SessionToken)
	resp, _ := o.get(t, c, "/oauth2/v1/authorize?"+q.Encode())
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("sessionToken with prompt=none: %d %s", resp.StatusCode, loc)
	}
	status, tok := o.token(t, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {loc.Query().Get("code")},
		"redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	// The browser is signed in too, as Okta sets its session cookie.
	resp, _ = o.get(t, c, "/account")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("account after sessionToken: %d", resp.StatusCode)
	}
	// A session token works once.
	u := o.authorize(t, browser(), q)
	if u.Query().Get("error") != "login_required" {
		t.Errorf("spent session token with prompt=none: %s", u)
	}
}

func TestLogout(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	verifier, challenge := pkce("l")
	c := browser()
	code := o.code(t, c, authParams(a, challenge))
	_, tok := o.token(t, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}})
	idt := tok["id_token"].(string)

	resp, page := o.get(t, c, "/oauth2/v1/logout?"+url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"https://evil.example.com/"}}.Encode())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "illegal_post_logout_redirect_uri") {
		t.Fatalf("unregistered post-logout URI: %d", resp.StatusCode)
	}
	if r, _ := o.get(t, c, "/account"); r.StatusCode != http.StatusOK {
		t.Fatal("a refused logout ended the session")
	}
	resp, _ = o.get(t, c, "/oauth2/v1/logout?"+url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"https://wiki.example.com/bye"}, "state": {"s1"}}.Encode())
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://wiki.example.com/bye?state=s1" {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, _ := o.get(t, c, "/account"); r.Request.URL.Path != "/login" {
		t.Error("still signed in after logout")
	}
}

func TestKeyRotation(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	verifier, challenge := pkce("k")
	exchange := func() string {
		code := o.code(t, browser(), authParams(a, challenge))
		_, tok := o.token(t, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}})
		return tok["id_token"].(string)
	}
	old := exchange()
	if _, err := o.svc.OIDC.RotateSigningKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Both keys are published: a token signed before the rollover still
	// verifies, and new tokens are signed with the new key.
	o.verify(t, o.url, a.ID, old)
	o.verify(t, o.url, a.ID, exchange())
	if _, keys, _ := o.svc.OIDC.SigningKeys(context.Background()); len(keys) != 2 {
		t.Fatalf("published keys after rollover: %d", len(keys))
	}
	o.clock.Advance(mfa.KeyPublishedAfterRetire)
	if _, keys, _ := o.svc.OIDC.SigningKeys(context.Background()); len(keys) != 1 {
		t.Errorf("published keys a day after rollover: %d", len(keys))
	}
	// The signing key is sealed at rest; and rolls over by itself.
	o.clock.Advance(mfa.KeyRotateAfter)
	cur, _, err := o.svc.OIDC.SigningKeys(context.Background())
	if err != nil || o.clock.Now().Sub(cur.Created) > time.Minute {
		t.Errorf("no automatic rollover after %s: %v %v", mfa.KeyRotateAfter, cur.Created, err)
	}
}

func TestDefaultServerDiscovery(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	p, err := gooidc.NewProvider(context.Background(), o.url+"/oauth2/default")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Authorize  string   `json:"authorization_endpoint"`
		Methods    []string `json:"code_challenge_challenge_methods_supported"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		EndSession string   `json:"end_session_endpoint"`
	}
	if err := p.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if d.Authorize != o.url+"/oauth2/default/v1/authorize" || !slices.Equal(d.PKCE, []string{"S256"}) || d.EndSession != o.url+"/oauth2/default/v1/logout" {
		t.Errorf("default server discovery: %+v", d)
	}
	verifier, challenge := pkce("d")
	c := browser()
	resp, _ := o.get(t, c, "/oauth2/default/v1/authorize?"+authParams(a, challenge).Encode())
	if resp.Request.URL.Path != "/login" {
		t.Fatalf("default server authorize went to %s", resp.Request.URL)
	}
	u, _ := url.Parse(o.signIn(t, c, pw))
	req, _ := http.NewRequest("POST", o.url+"/oauth2/default/v1/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID},
		"code": {u.Query().Get("code")}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, tok := o.do(t, req)
	if status != http.StatusOK {
		t.Fatalf("default server token: %d %v", status, tok)
	}
	o.verify(t, o.url+"/oauth2/default", a.ID, tok["id_token"].(string))
}

// TestAuthorizeLimit: each /authorize is a row until it expires, so a
// stranger sending them in a loop is held to the address's sign-in budget
// (limit_authn_minute), and the purge removes expired requests.
func TestAuthorizeLimit(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	ctx := context.Background()
	if err := o.svc.Org.UpdateSettings(ctx, map[string]string{"limit_authn_minute": "10"}); err != nil {
		t.Fatal(err)
	}
	_, challenge := pkce("z")
	q := "/oauth2/v1/authorize?" + authParams(a, challenge).Encode()
	var last int
	for range 11 {
		resp, err := http.Get(o.url + q) // no cookie jar: a new visitor each time
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("11th /authorize in a minute: %d, want 429", last)
	}
	o.clock.Advance(time.Minute)
	if resp, err := http.Get(o.url + q); err != nil || resp.StatusCode == http.StatusTooManyRequests {
		t.Fatalf("/authorize the next minute: %v %v", resp.StatusCode, err)
	}
	o.clock.Advance(mfa.AuthRequestLifetime)
	if n, err := o.svc.Org.Purge(ctx); err != nil || n < 10 {
		t.Errorf("purge after the requests expired: %d rows, %v; want the 10 requests of the first minute at least", n, err)
	}
}

// TestOktaClientShapes: what okta-auth-js needs beyond the standard: the
// CORS preflight with its own header, the OAuth metadata of the default
// server, and /revoke answering 200 with an empty body, also for a public
// client that sends its bare client id in HTTP Basic.
func TestOktaClientShapes(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	req, _ := http.NewRequest("OPTIONS", o.url+"/oauth2/default/v1/token", nil)
	req.Header.Set("Origin", "https://spa.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "accept,content-type,x-okta-user-agent-extended")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://spa.example.com" || !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "x-okta-user-agent-extended") ||
		resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	status, meta := o.do(t, mustReq(t, "GET", o.url+"/oauth2/default/.well-known/oauth-authorization-server"))
	if status != http.StatusOK || meta["issuer"] != o.url+"/oauth2/default" {
		t.Errorf("oauth-authorization-server: %d %v", status, meta)
	}

	verifier, challenge := pkce("o")
	code := o.code(t, browser(), authParams(a, challenge))
	_, tok := o.token(t, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}})
	req = mustReq(t, "POST", o.url+"/oauth2/v1/revoke")
	req.Body = io.NopCloser(strings.NewReader(url.Values{"token": {tok["access_token"].(string)}, "token_type_hint": {"access_token"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.ID)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(b) != 0 || resp.Header.Get("Content-Type") != "" {
		t.Fatalf("revoke: %d %q %q", resp.StatusCode, b, resp.Header.Get("Content-Type"))
	}
	if status, _ := o.userinfo(t, tok["access_token"].(string)); status == http.StatusOK {
		t.Error("a revoked access token works at userinfo")
	}
	if status, _ := o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {tok["refresh_token"].(string)}}); status != http.StatusOK {
		t.Error("revoking the access token killed the refresh token too")
	}
	if evs := o.events(t, mfa.EvOAuthRevoke); len(evs) != 1 || evs[0].Details["token_type"] != mfa.TokenAccess {
		t.Errorf("revoke events: %+v", evs)
	}
}

func mustReq(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestClusterServesAnyStep: three instances on one database, each request
// to the next: authorize, sign-in, code, token, userinfo, refresh, key
// rollover and revocation all work whichever instance serves them.
func TestClusterServesAnyStep(t *testing.T) {
	o := newCluster(t, 3)
	a, _ := o.app(t, true)
	verifier, challenge := pkce("c")
	for round := range 2 {
		code := o.code(t, browser(), authParams(a, challenge))
		status, tok := o.token(t, url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}})
		if status != http.StatusOK {
			t.Fatalf("round %d token: %d %v", round, status, tok)
		}
		for range 3 {
			o.verify(t, o.url, a.ID, tok["id_token"].(string))
			if status, _ := o.userinfo(t, tok["access_token"].(string)); status != http.StatusOK {
				t.Fatalf("round %d userinfo: %d", round, status)
			}
		}
		status, fresh := o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {tok["refresh_token"].(string)}})
		if status != http.StatusOK {
			t.Fatalf("round %d refresh: %d %v", round, status, fresh)
		}
		if status, _ := o.token(t, url.Values{"grant_type": {"refresh_token"}, "client_id": {a.ID}, "refresh_token": {tok["refresh_token"].(string)}}); status == http.StatusOK {
			t.Fatalf("round %d: a reused refresh token worked on another instance", round)
		}
		// A key rolled over by one instance signs on every instance.
		if _, err := o.svc.OIDC.RotateSigningKey(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserTokenRequests: a token request from a browser (with an
// Origin) must come from the origin of one of the app's redirect URIs and
// carry its PKCE verifier.
func TestBrowserTokenRequests(t *testing.T) {
	o := newOP(t)
	a, _ := o.app(t, true)
	verifier, challenge := pkce("b")
	post := func(origin string, form url.Values) (int, map[string]any) {
		req, _ := http.NewRequest("POST", o.url+"/oauth2/v1/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		return o.do(t, req)
	}
	form := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "client_id": {a.ID}, "code": {code}, "redirect_uri": {a.RedirectURIs[0]}, "code_verifier": {verifier}}
	}
	code := o.code(t, browser(), authParams(a, challenge))
	if status, body := post("https://evil.example.com", form(code)); status != http.StatusBadRequest || !strings.Contains(body["error_description"].(string), "illegal_origin_browser_request") {
		t.Errorf("token from another origin: %d %v", status, body)
	}
	if status, body := post("https://wiki.example.com", form(code)); status != http.StatusOK {
		t.Errorf("token from the app's origin: %d %v", status, body)
	}
	// What a request keeps is capped: a huge state is refused, not stored.
	u0 := o.authorize(t, browser(), authParams(a, challenge, "state", strings.Repeat("s", 2049)))
	if u0.Query().Get("error") != "invalid_request" {
		t.Errorf("a 2049-character state: %s", u0.String()[:80])
	}
	// prompt=none with max_age=0 is a contradiction.
	u := o.authorize(t, browser(), authParams(a, challenge, "prompt", "none", "max_age", "0"))
	if u.Query().Get("error") != "invalid_request" {
		t.Errorf("prompt=none max_age=0: %s", u)
	}
}
