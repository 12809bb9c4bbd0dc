package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestPasskeyInTheBrowser sets up a passkey from the "Extra verification
// is required" page and signs in with it, in Chromium with a virtual
// authenticator (CTAP2, internal, resident keys, user verification) driven
// through the DevTools protocol; then adds a second passkey on the account
// page, removes the first, and signs in with the second.
func TestPasskeyInTheBrowser(t *testing.T) {
	s := &server{t: t, dir: t.TempDir(), host: "localhost"}
	s.cli("user", "create", "--login", "alice@example.com", "--password", "Alice-Pass-2026", "--first", "Alice", "--last", "Example")
	s.cli("user", "create", "--login", "admin@example.com", "--password", "Admin-Pass-2026", "--admin")
	s.cli("settings", "set", "webauthn_enabled=true")
	s.start()
	b := newBrowser(t, s.base)
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	add := func() webauthn.AuthenticatorID {
		res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
		if err != nil {
			t.Fatal(err)
		}
		return res.AuthenticatorID
	}
	first := add()

	// Pages without passkeys carry no script.
	b.open("/login")
	b.waitFor("login", "h1", "Sign in")
	if src := b.attr("script", "src"); src != "" {
		t.Fatalf("the sign-in page loads a script: %s", src)
	}

	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("enroll", "h1", "Extra verification is required for your account")
	if strings.Contains(b.text("main"), "Text Message Code") {
		t.Fatal("Text Message Code offered with SMS off")
	}
	b.click("a[href='/signin/enroll/webauthn']")
	b.waitFor("passkey", "h1", "Set up Security Key or Biometric Authenticator")
	b.fill("#name", "Virtual key")
	b.click("#passkey-go")
	b.waitFor("account", "h1", "Account")
	if got := b.text("#passkeys"); !strings.Contains(got, "Virtual key") {
		t.Fatalf("account page passkeys: %s", got)
	}
	creds, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: first})
	if err != nil || len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %+v (%v)", creds, err)
	}
	b.signOut()

	// Sign in with it.
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("passkey", "h1", "Verify it's you")
	b.click("#passkey-go")
	b.waitFor("account", "h1", "Account")
	if !strings.Contains(b.text("#passkeys"), "Last used 2") {
		t.Fatalf("last use not shown: %s", b.text("#passkeys"))
	}

	// A second passkey from the account page, then the first removed.
	// Chrome has one internal authenticator at a time: the first goes, a
	// new one (another device) comes.
	if _, err := chromedp.Call(b.ctx, webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: first}); err != nil {
		t.Fatal(err)
	}
	second := add()
	b.open("/account/webauthn/setup")
	b.waitFor("passkey", "h1", "Set up Security Key or Biometric Authenticator")
	b.fill("#name", "Second key")
	b.click("#passkey-go")
	b.waitFor("account", ".alert.success", "Second key")
	b.click("button[aria-label='Remove passkey Virtual key']")
	b.waitFor("account", ".alert.success", "Passkey removed")
	if strings.Contains(b.text("#passkeys"), "Virtual key") {
		t.Fatal("the removed passkey is still listed")
	}
	b.signOut()
	b.signIn("alice@example.com", "Alice-Pass-2026")
	b.waitFor("passkey", "h1", "Verify it's you")
	b.click("#passkey-go")
	b.waitFor("account", "h1", "Account")
	if creds, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: second}); err != nil || len(creds.Credentials) != 1 || creds.Credentials[0].SignCount < 1 {
		t.Fatalf("second authenticator: %+v (%v)", creds, err)
	}

	// An OpenID Connect application sees how: a passkey, proof of possession.
	r := newRP(t, s.base)
	out := s.cli("app", "create", "--name", "Wiki", "--redirect-uri", r.srv.URL+"/callback")
	kv := map[string]string{}
	for _, m := range kvRE.FindAllStringSubmatch(out, -1) {
		kv[m[1]] = m[2]
	}
	r.conf = oauth2.Config{ClientID: kv["client_id"], ClientSecret: kv["client_secret"], RedirectURL: r.srv.URL + "/callback", Scopes: []string{gooidc.ScopeOpenID}}
	b.do(chromedp.Navigate(r.srv.URL + "/start"))
	b.waitFor("rp", "#amr", "pop")
	if !slices.Equal(r.claims.AMR, []string{"pwd", "pop", "mfa"}) || r.claims.ACR != "urn:okta:loa:2fa:any" {
		t.Fatalf("ID token claims: %+v", r.claims)
	}
}
