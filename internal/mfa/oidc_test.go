package mfa_test

import (
	"sync"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// oidcGrant makes an app and a done authorization request of u with a
// code, and returns them.
func oidcGrant(t *testing.T, e *env, u *mfa.User, code string) (mfa.App, mfa.AuthRequest) {
	t.Helper()
	a, _, err := e.svc.OIDC.CreateApp(e.ctx, mfa.NewApp{Name: "Wiki", RedirectURIs: []string{"https://wiki.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.OIDC.CreateAuthRequest(e.ctx, a.ID, mfa.AuthParams{RedirectURI: "https://wiki.example.com/cb", ResponseType: "code", Scopes: []string{"openid"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if r, err = e.svc.OIDC.CompleteAuthRequest(e.ctx, r.ID, u.ID, e.clock.Now(), mfa.SignInAMR(true)); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.OIDC.SaveAuthCode(e.ctx, r.ID, code); err != nil {
		t.Fatal(err)
	}
	return a, r
}

// TestAuthCodeConcurrentExchange: two exchanges of one code at once, on
// any engine: exactly one gets the request.
func TestAuthCodeConcurrentExchange(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ada@example.com")
	oidcGrant(t, e, u, "code-1")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wg.Go(func() {
			if _, err := e.svc.OIDC.ExchangeCode(e.ctx, "code-1"); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if mfa.ReasonOf(err) != mfa.RCodeExpired {
				t.Errorf("exchange: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d exchanges of one code succeeded, want 1", won)
	}
}

// TestRefreshConcurrentRotation: the same refresh token exchanged twice at
// once is a reuse: at most one rotation wins, and the family is revoked.
func TestRefreshConcurrentRotation(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ada@example.com")
	a, r := oidcGrant(t, e, u, "code-2")
	g := mfa.Grant{Family: r.ID, AppID: a.ID, UserID: u.ID, Scopes: []string{"openid", "offline_access"}, AMR: r.AMR, AuthTime: r.AuthTime, How: "authorization_code"}
	first, err := e.svc.OIDC.IssueTokens(e.ctx, g, true, "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]error, 4)
	for i := range results {
		wg.Go(func() {
			_, results[i] = e.svc.OIDC.IssueTokens(e.ctx, mfa.Grant{Family: r.ID, AppID: a.ID, UserID: u.ID, How: "refresh_token"}, true, first.Refresh)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		if err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent rotations of one refresh token succeeded, want 1 (%v)", ok, results)
	}
	// The losers were reuses: the family, the winner's tokens included, is revoked.
	if _, _, err := e.svc.OIDC.AccessToken(e.ctx, first.AccessID); mfa.ReasonOf(err) != mfa.RInvalidToken {
		t.Errorf("the first access token after a reuse: %v", err)
	}
	if _, err := e.svc.OIDC.RefreshToken(e.ctx, first.Refresh); mfa.ReasonOf(err) != mfa.RInvalidToken {
		t.Errorf("the rotated refresh token: %v", err)
	}
}

// TestRemovedAppTokensDie: removing an app ends its tokens.
func TestRemovedAppTokensDie(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, "ada@example.com")
	a, r := oidcGrant(t, e, u, "code-3")
	out, err := e.svc.OIDC.IssueTokens(e.ctx, mfa.Grant{Family: r.ID, AppID: a.ID, UserID: u.ID, How: "authorization_code"}, true, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.OIDC.RemoveApp(e.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.OIDC.AccessToken(e.ctx, out.AccessID); err == nil {
		t.Error("an access token of a removed app still works")
	}
	if _, err := e.svc.OIDC.RefreshToken(e.ctx, out.Refresh); err == nil {
		t.Error("a refresh token of a removed app still works")
	}
	e.clock.Advance(time.Second)
}

// TestAppRedirectURIRules: what an administrator may register.
func TestAppRedirectURIRules(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		uris []string
		ok   bool
	}{
		{"OK", []string{"https://wiki.example.com/cb", "http://localhost:8080/cb", "com.example.app:/cb"}, true},
		{"ErrNone", nil, false},
		{"ErrRelative", []string{"/cb"}, false},
		{"ErrFragment", []string{"https://wiki.example.com/cb#x"}, false},
		{"ErrJavascript", []string{"javascript:alert(1)"}, false},
		{"ErrNoHost", []string{"https:///cb"}, false},
		{"ErrSpace", []string{"https://wiki.example.com/c b"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.OIDC.CreateApp(e.ctx, mfa.NewApp{Name: "App " + tc.name, RedirectURIs: tc.uris})
			if (err == nil) != tc.ok {
				t.Errorf("CreateApp(%q) = %v, want ok=%v", tc.uris, err, tc.ok)
			}
		})
	}
}

// A stranger sending bad session tokens to /authorize in a loop writes one
// system-log event per address and minute, not one per request.
func TestRefusedSessionTokensAreLoggedOncePerAddressAndMinute(t *testing.T) {
	e := newEnv(t)
	a, _, err := e.svc.OIDC.CreateApp(e.ctx, mfa.NewApp{Name: "Wiki", RedirectURIs: []string{"https://wiki.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	params := mfa.AuthParams{RedirectURI: "https://wiki.example.com/cb", ResponseType: "code", Scopes: []string{"openid"}}
	refused := func() int {
		n := 0
		for _, ev := range e.events(t, mfa.EvOAuthSessionTok) {
			if ev.Outcome == mfa.OutcomeDeny {
				n++
			}
		}
		return n
	}
	for _, ip := range []string{"198.51.100.7", "198.51.100.7", "198.51.100.7", "203.0.113.9"} {
		if _, err := e.svc.OIDC.CreateAuthRequest(e.from(ip), a.ID, params, "forged-session-token"); err != nil {
			t.Fatal(err)
		}
	}
	if n := refused(); n != 2 {
		t.Fatalf("%d refusal events for 4 bad tokens from 2 addresses in a minute, want 2", n)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.OIDC.CreateAuthRequest(e.from("198.51.100.7"), a.ID, params, "forged-session-token"); err != nil {
		t.Fatal(err)
	}
	if n := refused(); n != 3 {
		t.Fatalf("%d refusal events after a minute, want 3", n)
	}
}
