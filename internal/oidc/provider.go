package oidc

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"smsmfa/internal/httpx"
	"smsmfa/internal/mfa"
)

// Options configure the OpenID Provider.
type Options struct {
	Domain Domain
	// BaseURL is the server's public URL (scheme and host): the org
	// authorization server's issuer; the default server's is BaseURL +
	// /oauth2/default.
	BaseURL string
	// CryptoKey keys op's encryption of authorization codes (each code is
	// also random and single-use, found by its hash).
	CryptoKey [32]byte
	// Limiter, when set, counts each /authorize request against the
	// client address's sign-in budget (limit_authn_minute): every request
	// is a row in the database until it expires.
	Limiter Limiter
	Logger  *slog.Logger
}

// Limiter is the part of mfa.Org that counts requests.
type Limiter interface {
	CountRequest(ctx context.Context, kind mfa.RequestKind, key string) (mfa.Limit, error)
}

// Provider is the OpenID Provider: one op.Provider per authorization
// server, over one storage.
type Provider struct {
	org, def *op.Provider
	d        Domain
	base     string
	limit    Limiter
	log      *slog.Logger
}

// DefaultServerPath is where the "default" custom authorization server
// lives, as in Okta.
const DefaultServerPath = "/oauth2/default"

// New builds the provider. It fails when BaseURL is not an absolute URL.
func New(o Options) (*Provider, error) {
	u, err := url.Parse(o.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("oidc: base URL %q is not absolute", o.BaseURL)
	}
	base := strings.TrimSuffix(o.BaseURL, "/")
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := &op.Config{CryptoKey: o.CryptoKey, DefaultLogoutRedirectURI: base + "/login", CodeMethodS256: true, AuthMethodPost: true,
		GrantTypeRefreshToken: true, SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr", "amr", "at_hash", "c_hash",
			"name", "given_name", "family_name", "preferred_username", "zoneinfo", "updated_at", "email", "email_verified"}}
	st := storage{o.Domain}
	opts := func(prefix string) []op.Option {
		ep := func(p string) *op.Endpoint { return op.NewEndpoint(prefix + p) }
		out := []op.Option{op.WithCustomEndpoints(ep("v1/authorize"), ep("v1/token"), ep("v1/userinfo"), ep("v1/revoke"), ep("v1/logout"), ep("v1/keys")),
			op.WithCustomIntrospectionEndpoint(ep("v1/introspect")), op.WithLogger(log), op.WithCORSOptions(corsOptions())}
		if u.Scheme == "http" {
			out = append(out, op.WithAllowInsecure())
		}
		return out
	}
	p := &Provider{d: o.Domain, base: base, limit: o.Limiter, log: log}
	if p.org, err = op.NewProvider(cfg, st, op.StaticIssuer(base), opts("oauth2/")...); err != nil {
		return nil, fmt.Errorf("oidc: org server: %w", err)
	}
	defCfg := *cfg
	if p.def, err = op.NewProvider(&defCfg, st, op.StaticIssuer(base+DefaultServerPath), opts("")...); err != nil {
		return nil, fmt.Errorf("oidc: default server: %w", err)
	}
	return p, nil
}

// corsOptions let single-page apps on any origin call discovery, keys,
// token, userinfo, revoke and introspect (answering the preflight of
// okta-auth-js, which sends X-Okta-User-Agent-Extended). No cookie is
// sent or needed: every call carries its client credentials or token.
func corsOptions() *cors.Options {
	return &cors.Options{
		AllowOriginFunc: func(string) bool { return true },
		AllowedMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders:  []string{"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Requested-With", "X-Okta-User-Agent-Extended"},
		ExposedHeaders:  []string{"Location", "Content-Length", "WWW-Authenticate"},
	}
}

// Handler serves the provider's endpoints: /.well-known/openid-configuration
// and /oauth2/v1/… (org server), /oauth2/default/.well-known/… and
// /oauth2/default/v1/… (default server). Logout is the web UI's (it ends
// the browser session): see EndSession.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/.well-known/openid-configuration", p.org)
	mux.Handle("/oauth2/v1/", p.fixRequest(p.org))
	def := http.StripPrefix(DefaultServerPath, p.fixRequest(p.def))
	mux.Handle(DefaultServerPath+"/.well-known/openid-configuration", def)
	// Okta's custom servers also serve the OAuth metadata (RFC 8414): the
	// same document.
	mux.Handle(DefaultServerPath+"/.well-known/oauth-authorization-server", http.StripPrefix(DefaultServerPath, rewrite("/.well-known/openid-configuration", p.def)))
	mux.Handle(DefaultServerPath+"/v1/", def)
	return httpx.Routed(mux)
}

// rewrite serves path with next.
func rewrite(path string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = path, ""
		next.ServeHTTP(w, r2)
	})
}

// fixRequest adapts what Okta's clients send to what op reads: the
// sessionToken of /authorize (which op would drop) goes to the context,
// and a public client's HTTP Basic credentials of a bare client id (no
// colon: okta-auth-js revoking a token) become the client_id parameter.
// It also holds /authorize to the client address's sign-in budget.
func (p *Provider) fixRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/v1/authorize") {
			if p.limit != nil {
				l, err := p.limit.CountRequest(r.Context(), mfa.AuthnRequest, mfa.ClientFrom(r.Context()).IP)
				if err != nil {
					p.log.ErrorContext(r.Context(), "authorize: count request", "err", err)
					http.Error(w, "The server could not take the request. Try again later.", http.StatusServiceUnavailable)
					return
				}
				if !l.OK {
					w.Header().Set("Retry-After", "60")
					http.Error(w, "Too many sign-in requests from your network. Wait a minute, then try again.", http.StatusTooManyRequests)
					return
				}
			}
			q := r.URL.Query()
			if tok := q.Get("sessionToken"); tok != "" {
				q.Del("sessionToken")
				r2 := r.Clone(withSessionToken(r.Context(), tok))
				r2.URL.RawQuery = q.Encode()
				r2.RequestURI = r2.URL.RequestURI()
				r = r2
			}
			// The answer carries the code in its URL.
			w.Header().Set("Referrer-Policy", "no-referrer")
		}
		if strings.HasSuffix(r.URL.Path, "/v1/token") && r.Header.Get("Origin") != "" && !p.browserTokenRequest(w, r) {
			return
		}
		if id, ok := bareClientID(r); ok && r.Method == http.MethodPost {
			if err := r.ParseForm(); err == nil && r.PostForm.Get("client_id") == "" {
				r.Header.Del("Authorization")
				r.PostForm.Set("client_id", id)
				r.Form.Set("client_id", id)
			}
		}
		if strings.HasSuffix(r.URL.Path, "/v1/revoke") {
			// Okta answers a revocation with 200 and an empty body; op
			// sends an empty body typed JSON, which auth-js cannot parse.
			e := &emptyNull{ResponseWriter: w}
			next.ServeHTTP(e, r)
			if !e.sent { // no body at all
				e.Header().Del("Content-Type")
				e.flush()
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// emptyNull holds back the status until the body is known, so that an
// empty body (or a JSON null) goes without a JSON content type.
type emptyNull struct {
	http.ResponseWriter
	status int
	sent   bool
}

func (e *emptyNull) WriteHeader(code int) {
	if e.status == 0 {
		e.status = code
	}
}

func (e *emptyNull) flush() {
	if !e.sent {
		e.sent = true
		e.ResponseWriter.WriteHeader(cmp.Or(e.status, http.StatusOK))
	}
}

func (e *emptyNull) Write(b []byte) (int, error) {
	if !e.sent && strings.TrimSpace(string(b)) == "null" {
		e.Header().Del("Content-Type")
		e.flush()
		return len(b), nil
	}
	e.flush()
	return e.ResponseWriter.Write(b)
}

// browserTokenRequest checks a token request sent by a browser (it has an
// Origin), as Okta does: the Origin must be that of one of the app's
// redirect URIs, and a code must come with its PKCE verifier. It answers a
// refusal itself and reports whether the request may go on.
func (p *Provider) browserTokenRequest(w http.ResponseWriter, r *http.Request) bool {
	refuse := func(desc string) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": desc})
		return false
	}
	if err := r.ParseForm(); err != nil {
		return refuse("The request body could not be read.")
	}
	id := r.PostForm.Get("client_id")
	if u, _, ok := r.BasicAuth(); ok && id == "" {
		id, _ = url.QueryUnescape(u)
	}
	if bare, ok := bareClientID(r); ok && id == "" {
		id = bare
	}
	a, err := p.d.App(r.Context(), id)
	if err != nil {
		return true // op answers invalid_client
	}
	origin := r.Header.Get("Origin")
	allowed := false
	for _, ru := range a.RedirectURIs {
		if u, err := url.Parse(ru); err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, origin) {
			allowed = true
		}
	}
	if !allowed {
		return refuse("The origin of this browser request is not the origin of a redirect URI of the application (illegal_origin_browser_request).")
	}
	if r.PostForm.Get("grant_type") == string(oidc.GrantTypeCode) && r.PostForm.Get("code_verifier") == "" {
		return refuse("A browser must use PKCE: code_verifier is required.")
	}
	return true
}

// bareClientID returns the client id of an Authorization: Basic header
// that holds no colon.
func bareClientID(r *http.Request) (string, bool) {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || strings.Contains(string(b), ":") || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// Respond sends the browser back to the app of a done request with its
// code (and state), in the response mode the app asked for.
func (p *Provider) Respond(w http.ResponseWriter, r *http.Request, req mfa.AuthRequest) {
	r = r.WithContext(op.ContextWithIssuer(r.Context(), p.base))
	w.Header().Set("Referrer-Policy", "no-referrer")
	if req.Params.ResponseMode == string(oidc.ResponseModeFormPost) {
		// op's form_post page submits itself to the app with an inline
		// script: the policy allows that script and that one target.
		if u, err := url.Parse(req.Params.RedirectURI); err == nil {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; form-action "+u.Scheme+"://"+u.Host+"; frame-ancestors 'none'; base-uri 'none'")
		}
	}
	op.AuthResponse(authRequest{req}, p.org, w, r)
}

// ResponseURL returns the app's redirect URI with the code of a done
// request, for the query and fragment response modes; ok is false for
// form_post (use Respond).
func (p *Provider) ResponseURL(r *http.Request, req mfa.AuthRequest) (string, bool, error) {
	if req.Params.ResponseMode == string(oidc.ResponseModeFormPost) {
		return "", false, nil
	}
	ctx := op.ContextWithIssuer(r.Context(), p.base)
	u, err := op.BuildAuthResponseCallbackURL(ctx, authRequest{req}, p.org)
	return u, err == nil, err
}

// RefuseLogin sends the browser back to the app with login_required (a
// request with prompt=none and nobody signed in, or signed in too long
// ago for its max_age).
func (p *Provider) RefuseLogin(w http.ResponseWriter, r *http.Request, req mfa.AuthRequest) {
	r = r.WithContext(op.ContextWithIssuer(r.Context(), p.base))
	op.AuthRequestError(w, r, authRequest{req}, oidc.ErrLoginRequired().WithDescription("The client specified not to prompt, but the user is not logged in."), p.org)
}

// ErrLogoutRedirect is EndSession's refusal of a post_logout_redirect_uri
// the app did not register, or of a bad id_token_hint.
var ErrLogoutRedirect = errors.New("illegal_post_logout_redirect_uri")

// EndSession checks an RP-initiated logout request (id_token_hint,
// client_id, post_logout_redirect_uri, state) and returns where to send
// the browser once its session is over, and the user the hint names ("" if
// none). Refusal: ErrLogoutRedirect.
func (p *Provider) EndSession(r *http.Request) (redirect, userID string, err error) {
	prov, issuer := p.org, p.base
	if strings.HasPrefix(r.URL.Path, DefaultServerPath+"/") {
		prov, issuer = p.def, p.base+DefaultServerPath
	}
	ctx := op.ContextWithIssuer(r.Context(), issuer)
	req, err := op.ParseEndSessionRequest(r.WithContext(ctx), prov.Decoder())
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrLogoutRedirect, err)
	}
	s, err := op.ValidateEndSessionRequest(ctx, req, prov)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrLogoutRedirect, err)
	}
	return s.RedirectURI, s.UserID, nil
}
