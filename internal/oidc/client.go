package oidc

import (
	"net/url"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"smsmfa/internal/mfa"
)

// LoginPath is the web UI's page that signs the browser in for an
// authorization request (?id=).
const LoginPath = "/signin/oidc"

// client is an mfa.App as op sees it: first-party, code flow only,
// redirect URIs matched exactly.
type client struct{ a mfa.App }

var _ op.Client = client{}

func (c client) GetID() string                    { return c.a.ID }
func (c client) RedirectURIs() []string           { return c.a.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string { return c.a.LogoutURIs }
func (c client) ApplicationType() op.ApplicationType {
	if c.a.Public {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}
func (c client) AuthMethod() oidc.AuthMethod {
	if c.a.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c client) LoginURL(id string) string            { return LoginPath + "?id=" + url.QueryEscape(id) }
func (c client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c client) IDTokenLifetime() time.Duration       { return mfa.AccessTokenLifetime }
func (c client) IsScopeAllowed(string) bool           { return false }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }

// DevMode lets registered http:// redirect URIs work, as Okta does: each is
// an exact match of what an administrator registered.
func (c client) DevMode() bool { return true }

func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
