package e2e_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// rp is a relying party as a Go web application writes one, with
// github.com/coreos/go-oidc/v3 and golang.org/x/oauth2: authorization
// code flow with PKCE, state and nonce, the ID token verified with the
// keys from discovery.
type rp struct {
	srv    *httptest.Server
	issuer string
	conf   oauth2.Config
	// one sign-in at a time: its state, nonce and PKCE verifier
	state, nonce, verifier string
	// what the last callback saw
	claims struct {
		Sub   string   `json:"sub"`
		AMR   []string `json:"amr"`
		ACR   string   `json:"acr"`
		Email string   `json:"email"`
		Nonce string   `json:"nonce"`
	}
	refresh string
	// mu serialises serve (a browser may ask for a favicon beside a
	// callback) and the test's reads of what it saw (last).
	mu sync.Mutex
}

// last returns the client configuration, the claims and the refresh
// token of the last callback.
func (r *rp) last() (oauth2.Config, []string, string, string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conf, slices.Clone(r.claims.AMR), r.claims.ACR, r.claims.Sub, r.refresh
}

func newRP(t *testing.T, issuer string) *rp {
	r := &rp{issuer: issuer}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rp) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := req.Context()
	page := func(status int, id, text string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<!doctype html><html><body><main data-page="rp"><h1>Wiki</h1><p id=%q>%s</p></main></body></html>`, id, html.EscapeString(text))
	}
	p, err := gooidc.NewProvider(ctx, r.issuer)
	if err != nil {
		page(500, "error", "discovery: "+err.Error())
		return
	}
	r.conf.Endpoint = p.Endpoint()
	switch req.URL.Path {
	case "/start":
		r.state, r.nonce, r.verifier = oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
		http.Redirect(w, req, r.conf.AuthCodeURL(r.state, gooidc.Nonce(r.nonce), oauth2.S256ChallengeOption(r.verifier)), http.StatusFound)
	case "/callback":
		if e := req.URL.Query().Get("error"); e != "" {
			page(400, "error", e)
			return
		}
		if req.URL.Query().Get("state") != r.state {
			page(400, "error", "state mismatch")
			return
		}
		tok, err := r.conf.Exchange(ctx, req.URL.Query().Get("code"), oauth2.VerifierOption(r.verifier))
		if err != nil {
			page(400, "error", "exchange: "+err.Error())
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := p.Verifier(&gooidc.Config{ClientID: r.conf.ClientID}).Verify(ctx, raw)
		if err != nil {
			page(400, "error", "verify: "+err.Error())
			return
		}
		if err := idt.Claims(&r.claims); err != nil || r.claims.Nonce != r.nonce {
			page(400, "error", "nonce mismatch")
			return
		}
		r.refresh = tok.RefreshToken
		page(200, "amr", strings.Join(r.claims.AMR, " "))
	default:
		http.NotFound(w, req)
	}
}

var kvRE = regexp.MustCompile(`(?m)^(client_id|client_secret|issuer)=(\S+)$`)

// TestOIDCRelyingPartySignsInWithSMS: a web application behind smsmfa
// (registered with `smsmfa app create`) signs a user in through smsmfa's
// own pages in Chromium, with the password and an SMS code read from the
// development sink, and verifies an ID token whose amr says sms.
func TestOIDCRelyingPartySignsInWithSMS(t *testing.T) {
	s := startServer(t)
	s.cli("sms", "enable")
	r := newRP(t, s.base)
	out := s.cli("app", "create", "--name", "Wiki", "--redirect-uri", r.srv.URL+"/callback")
	kv := map[string]string{}
	for _, m := range kvRE.FindAllStringSubmatch(out, -1) {
		kv[m[1]] = m[2]
	}
	if kv["client_id"] == "" || kv["client_secret"] == "" {
		t.Fatalf("app create printed:\n%s", out)
	}
	r.conf = oauth2.Config{ClientID: kv["client_id"], ClientSecret: kv["client_secret"], RedirectURL: r.srv.URL + "/callback",
		Scopes: []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess}}
	if list := s.cli("app", "list"); !strings.Contains(list, kv["client_id"]) || strings.Contains(list, kv["client_secret"]) {
		t.Fatalf("app list:\n%s", list)
	}

	b := newBrowser(t, s.base)
	b.do(chromedp.Navigate(r.srv.URL + "/start"))
	b.waitFor("login", "h1", "Sign in")
	b.fill("#username", "alice@example.com")
	b.fill("#password", "Alice-Pass-2026")
	b.click("button[type=submit]")
	// SMS is on and Alice has no factor yet: she sets it up on the way.
	b.enrollSMS(s, "(415) 555-0123", "+14155550123")
	b.waitFor("rp", "#amr", "sms")
	b.shot("rp-signed-in")
	if _, amr, acr, sub, _ := r.last(); !slices.Contains(amr, "mfa") || !slices.Contains(amr, "pwd") || acr != "urn:okta:loa:2fa:any" || sub == "" {
		t.Fatalf("ID token claims: amr %v acr %q sub %q", amr, acr, sub)
	}

	// A second visit while the smsmfa session lives: straight back to the
	// app, no page in between.
	b.do(chromedp.Navigate(r.srv.URL + "/start"))
	b.waitFor("rp", "#amr", "sms")

	// A later sign-in in a new browser: password, then a code.
	b2 := newBrowser(t, s.base)
	b2.do(chromedp.Navigate(r.srv.URL + "/start"))
	b2.waitFor("login", "h1", "Sign in")
	b2.fill("#username", "alice@example.com")
	b2.fill("#password", "Alice-Pass-2026")
	b2.click("button[type=submit]")
	b2.waitFor("verify", ".factor", "+1 ••• ••• 0123")
	b2.click("form[action='/signin/verify/send'] button")
	b2.waitFor("code", "h1", "Enter the code sent to +1 ••• ••• 0123")
	code, _ := s.lastCode("+14155550123")
	b2.fill("#code", code)
	b2.click("form[action='/signin/verify'] button")
	b2.waitFor("rp", "#amr", "sms")

	// The refresh token rotates; the old one, used again, kills the family.
	ctx := context.Background()
	conf, _, _, _, old := r.last()
	fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old}).Token()
	if err != nil || fresh.RefreshToken == "" || fresh.RefreshToken == old {
		t.Fatalf("refresh: %v %+v", err, fresh)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old}).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("reused refresh token: %v", err)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
		t.Fatal("the rotated refresh token still works after its family was revoked")
	}
}
