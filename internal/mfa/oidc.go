package mfa

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"smsmfa/internal/secret"
)

// Event types of the OpenID Provider (Okta's names).
const (
	EvAppCreate       = "application.lifecycle.create"
	EvAppDelete       = "application.lifecycle.delete"
	EvOAuthCode       = "app.oauth2.as.authorize.code"
	EvOAuthAuthorize  = "app.oauth2.as.authorize"
	EvOAuthGrant      = "app.oauth2.as.token.grant"
	EvOAuthAccess     = "app.oauth2.as.token.grant.access_token"
	EvOAuthRefresh    = "app.oauth2.as.token.grant.refresh_token"
	EvOAuthRevoke     = "app.oauth2.as.token.revoke"
	EvOAuthReuse      = "app.oauth2.token.detect_reuse"
	EvOAuthKeyRotate  = "app.oauth2.as.key.rollover"
	EvOAuthSessionTok = "app.oauth2.as.authorize.session_token"
)

// Lifetimes of the OpenID Provider's artefacts.
const (
	// AuthRequestLifetime is how long a sign-in started at /authorize may
	// take.
	AuthRequestLifetime = 30 * time.Minute
	// AuthCodeLifetime is how long an authorization code can be exchanged
	// (Okta's 300 s).
	AuthCodeLifetime = 5 * time.Minute
	// AccessTokenLifetime is the life of access and ID tokens (Okta's 1 h).
	AccessTokenLifetime = time.Hour
	// RefreshTokenLifetime is the life of a refresh token; each refresh
	// rotates it and starts a new one.
	RefreshTokenLifetime = 7 * 24 * time.Hour
)

// OIDC is the OpenID Provider's domain: applications, authorization
// requests and their codes, access and refresh tokens (rotated, a reused
// one revoking its family) and the signing keys. Every token issued,
// refreshed or revoked and every app change is in the system log, never
// the token itself.
type OIDC struct {
	*core
	opener Opener
	keys   keyCache
}

// NewOIDC returns the OpenID Provider service. Its signing keys need
// c.Opener (or a Sealer that opens too).
func NewOIDC(c Config) *OIDC {
	o := &OIDC{core: newCore(c), opener: c.Opener}
	if o.opener == nil {
		o.opener, _ = c.Sealer.(Opener)
	}
	return o
}

func appParty(a App) Party {
	return Party{ID: a.ID, Type: "AppInstance", AlternateID: a.Name, DisplayName: a.Name}
}

func noApp() *Error { return Errorf(ENotFound, RInvalidInput, "No such application.") }

// NewApp is what an administrator gives to register an application.
type NewApp struct {
	Name         string
	RedirectURIs []string
	LogoutURIs   []string
	Public       bool
}

// checkURIs checks redirect URIs: absolute, without a fragment, http(s) or
// an app's own scheme, each at most once.
func checkURIs(what string, uris []string, need bool) ([]string, error) {
	var out []string
	for _, u := range uris {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		u, err := FieldRedirectURI.Check(u)
		if err != nil {
			return nil, err
		}
		p, perr := url.Parse(u)
		switch {
		case perr != nil || p.Scheme == "" || p.Opaque != "":
			return nil, Errorf(EInvalid, RInvalidInput, "%s: %q is not an absolute URI.", what, u)
		case p.Fragment != "" || strings.Contains(u, "#"):
			return nil, Errorf(EInvalid, RInvalidInput, "%s: %q has a fragment (#…), which a redirect URI may not have.", what, u)
		case (p.Scheme == "http" || p.Scheme == "https") && p.Host == "":
			return nil, Errorf(EInvalid, RInvalidInput, "%s: %q has no host.", what, u)
		case p.Scheme == "javascript" || p.Scheme == "data" || p.Scheme == "file":
			return nil, Errorf(EInvalid, RInvalidInput, "%s: %q uses a scheme that cannot be a redirect URI.", what, u)
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	if need && len(out) == 0 {
		return nil, Errorf(EInvalid, RInvalidInput, "%s: An application needs at least one redirect URI.", what)
	}
	if len(out) > 20 {
		return nil, Errorf(EInvalid, RInvalidInput, "%s: An application may have at most 20.", what)
	}
	return out, nil
}

// CreateApp registers an application. A confidential app's secret is
// returned once, in clear; only its hash is kept. Refusal: RInvalidInput.
func (s *OIDC) CreateApp(ctx context.Context, n NewApp) (App, string, error) {
	a, err := CheckApp(n)
	if err != nil {
		return App{}, "", err
	}
	a.ID, a.Created = s.newID("0oa"), s.clock.Now()
	var clear string
	if !n.Public {
		clear = s.newToken("")
		a.SecretHash = secret.HashToken(clear)
	}
	err = s.run(ctx, func(tx Tx) error {
		if err := tx.InsertApp(ctx, a); err != nil {
			return err
		}
		kind := "confidential"
		if a.Public {
			kind = "public"
		}
		return s.record(ctx, tx, Event{Type: EvAppCreate, Target: appParty(a), Outcome: OutcomeSuccess, Message: "Application created",
			Details: map[string]string{"client_type": kind, "redirect_uris": strings.Join(a.RedirectURIs, " ")}})
	})
	if err != nil {
		return App{}, "", err
	}
	return a, clear, nil
}

// Apps lists the applications by name.
func (s *OIDC) Apps(ctx context.Context) ([]App, error) {
	return load(ctx, s.core, func(tx Tx) ([]App, error) { return tx.ListApps(ctx) })
}

// App returns one application. Refusal: ENotFound.
func (s *OIDC) App(ctx context.Context, id string) (App, error) {
	return load(ctx, s.core, func(tx Tx) (App, error) {
		a, err := tx.GetApp(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return App{}, noApp()
		}
		return a, err
	})
}

// RemoveApp removes an application: its sign-ins in progress and every
// token it holds die with it. Refusal: ENotFound.
func (s *OIDC) RemoveApp(ctx context.Context, id string) error {
	return s.run(ctx, func(tx Tx) error {
		a, err := tx.GetApp(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return noApp()
		} else if err != nil {
			return err
		}
		if err := tx.DeleteApp(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvAppDelete, Target: appParty(a), Outcome: OutcomeSuccess, Message: "Application removed; its tokens are revoked"})
	})
}

// CheckAppSecret checks a confidential app's secret in constant time.
// Refusal: EUnauthorized (unknown app, public app, wrong secret; not told
// apart).
func (s *OIDC) CheckAppSecret(ctx context.Context, id, clear string) error {
	a, err := s.App(ctx, id)
	if err != nil && !IsRefusal(err) {
		return err
	}
	want := a.SecretHash
	if want == nil {
		want = make([]byte, 32)
	}
	ok := subtle.ConstantTimeCompare(want, secret.HashToken(clear)) == 1
	if err != nil || a.Public || !ok || clear == "" {
		return Errorf(EUnauthorized, RInvalidToken, "Invalid value for 'client_id' parameter or client authentication failed.")
	}
	return nil
}

// CheckApp checks an application's name and URIs and returns the app they
// make (no id, secret or time yet). Refusal: RInvalidInput naming the field.
func CheckApp(n NewApp) (App, error) {
	name, err := FieldAppName.Check(strings.TrimSpace(n.Name))
	if err != nil {
		return App{}, err
	}
	if name == "" {
		return App{}, Errorf(EInvalid, RInvalidInput, "name: An application needs a name of 1 to 100 characters.")
	}
	a := App{Name: name, Public: n.Public}
	if a.RedirectURIs, err = checkURIs("redirect_uri", n.RedirectURIs, true); err != nil {
		return App{}, err
	}
	if a.LogoutURIs, err = checkURIs("post_logout_redirect_uri", n.LogoutURIs, false); err != nil {
		return App{}, err
	}
	return a, nil
}
