package oidc

import (
	"context"
	"errors"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"smsmfa/internal/mfa"
)

// Domain is the part of mfa.OIDC this package uses.
type Domain interface {
	App(ctx context.Context, id string) (mfa.App, error)
	CheckAppSecret(ctx context.Context, id, secret string) error
	CreateAuthRequest(ctx context.Context, appID string, p mfa.AuthParams, sessionToken string) (mfa.AuthRequest, error)
	AuthRequest(ctx context.Context, id string) (mfa.AuthRequest, error)
	SaveAuthCode(ctx context.Context, id, code string) error
	ExchangeCode(ctx context.Context, code string) (mfa.AuthRequest, error)
	IssueTokens(ctx context.Context, g mfa.Grant, refresh bool, current string) (mfa.Issued, error)
	RefreshToken(ctx context.Context, clear string) (mfa.OAuthToken, error)
	AccessToken(ctx context.Context, id string) (mfa.OAuthToken, mfa.User, error)
	ActiveUser(ctx context.Context, id string) (mfa.User, error)
	RevokeToken(ctx context.Context, appID, tokenOrID string) error
	SigningKeys(ctx context.Context) (mfa.SigningKey, []mfa.SigningKey, error)
}

var _ Domain = (*mfa.OIDC)(nil)

// storage implements op.Storage over the domain.
type storage struct{ d Domain }

var _ op.Storage = storage{}

type sessionTokenKey struct{}

// withSessionToken carries the sessionToken parameter of /authorize (which
// op does not know) to CreateAuthRequest.
func withSessionToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, sessionTokenKey{}, tok)
}

// refusal turns a domain error into the OAuth error op answers with: a
// refusal keeps its message, anything else is a server error.
func refusal(err error, as func() *oidc.Error) error {
	if e, ok := errors.AsType[*mfa.Error](err); ok && e.Code != mfa.EInternal {
		return as().WithDescription("%s", e.Message).WithParent(err)
	}
	return oidc.ErrServerError().WithParent(err)
}

func (s storage) CreateAuthRequest(ctx context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	mode := string(r.ResponseMode)
	switch r.ResponseMode {
	case "", oidc.ResponseModeQuery, oidc.ResponseModeFragment, oidc.ResponseModeFormPost:
	default:
		return nil, oidc.ErrInvalidRequest().WithDescription("unsupported_response_mode: response_mode must be query, fragment or form_post.")
	}
	p := mfa.AuthParams{RedirectURI: r.RedirectURI, ResponseType: string(r.ResponseType), ResponseMode: mode, Scopes: r.Scopes,
		State: r.State, Nonce: r.Nonce, CodeChallenge: r.CodeChallenge, CodeChallengeMethod: string(r.CodeChallengeMethod),
		Prompt: r.Prompt, LoginHint: r.LoginHint}
	if r.MaxAge != nil {
		v := int64(*r.MaxAge)
		p.MaxAge = &v
		if v == 0 && p.PromptNone() {
			return nil, oidc.ErrInvalidRequest().WithDescription("prompt=none cannot be used with max_age=0 or prompt=login.")
		}
	}
	tok, _ := ctx.Value(sessionTokenKey{}).(string)
	req, err := s.d.CreateAuthRequest(ctx, r.ClientID, p, tok)
	if err != nil {
		return nil, refusal(err, oidc.ErrInvalidRequest)
	}
	return authRequest{req}, nil
}

func (s storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.d.AuthRequest(ctx, id)
	if err != nil {
		return nil, refusal(err, oidc.ErrInvalidRequest)
	}
	return authRequest{r}, nil
}

// AuthRequestByCode spends the code: a code works once, whatever follows
// (a wrong verifier or client burns it too).
func (s storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.d.ExchangeCode(ctx, code)
	if err != nil {
		return nil, refusal(err, oidc.ErrInvalidGrant)
	}
	return authRequest{r}, nil
}

func (s storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.d.SaveAuthCode(ctx, id, code)
}

// DeleteAuthRequest keeps the request: its used code must still be known
// as used (a replay revokes what it gave); the purge deletes it later.
func (s storage) DeleteAuthRequest(context.Context, string) error { return nil }

func grantOf(r op.TokenRequest) (mfa.Grant, bool) {
	switch r := r.(type) {
	case authRequest:
		return r.grant(), true
	case *refreshRequest:
		return r.grant(), true
	}
	return mfa.Grant{}, false
}

func (s storage) CreateAccessToken(ctx context.Context, r op.TokenRequest) (string, time.Time, error) {
	g, ok := grantOf(r)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	out, err := s.d.IssueTokens(ctx, g, false, "")
	if err != nil {
		return "", time.Time{}, refusal(err, oidc.ErrInvalidGrant)
	}
	return out.AccessID, out.AccessExpires, nil
}

func (s storage) CreateAccessAndRefreshTokens(ctx context.Context, r op.TokenRequest, current string) (string, string, time.Time, error) {
	g, ok := grantOf(r)
	if !ok {
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	out, err := s.d.IssueTokens(ctx, g, true, current)
	if err != nil {
		return "", "", time.Time{}, refusal(err, oidc.ErrInvalidGrant)
	}
	return out.AccessID, out.Refresh, out.AccessExpires, nil
}

func (s storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.d.RefreshToken(ctx, token)
	if err != nil {
		return nil, refusal(err, oidc.ErrInvalidGrant)
	}
	return &refreshRequest{t: t, scopes: t.Scopes}, nil
}

// TerminateSession is not used: the web UI ends the browser session at
// /oauth2/v1/logout.
func (s storage) TerminateSession(context.Context, string, string) error { return nil }

func (s storage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	if err := s.d.RevokeToken(ctx, clientID, tokenOrID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// GetRefreshTokenInfo is for revocation: an unknown token is
// ErrInvalidRefreshToken, so op tries it as an access token.
func (s storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.d.RefreshToken(ctx, token)
	if err != nil || t.AppID != clientID {
		if err == nil || mfa.IsRefusal(err) {
			return "", "", op.ErrInvalidRefreshToken
		}
		return "", "", err
	}
	// The clear token, not its id: RevokeToken finds refresh tokens by hash.
	return t.UserID, token, nil
}

func (s storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, _, err := s.d.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

func (s storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s storage) KeySet(ctx context.Context) ([]op.Key, error) {
	_, ks, err := s.d.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(ks))
	for i, k := range ks {
		out[i] = publicKey{k}
	}
	return out, nil
}

func (s storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	a, err := s.d.App(ctx, id)
	if err != nil {
		return nil, refusal(err, oidc.ErrInvalidClient)
	}
	return client{a}, nil
}

func (s storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	if err := s.d.CheckAppSecret(ctx, id, secret); err != nil {
		return refusal(err, oidc.ErrInvalidClient)
	}
	return nil
}

// setClaims fills the claims of u that scopes allow.
func setClaims(ui *oidc.UserInfo, u mfa.User, scopes []string) {
	ui.Subject = u.ID
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			ui.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
			ui.GivenName, ui.FamilyName, ui.PreferredUsername, ui.Zoneinfo = u.FirstName, u.LastName, u.Login, u.TimeZone
			ui.UpdatedAt = oidc.FromTime(u.LastUpdated)
		case oidc.ScopeEmail:
			// Emails are set by administrators, as Okta treats them.
			ui.Email, ui.EmailVerified = u.Email, oidc.Bool(u.Email != "")
		}
	}
}

func (s storage) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, _ string, scopes []string) error {
	u, err := s.d.ActiveUser(ctx, userID)
	if err != nil {
		return err
	}
	setClaims(ui, u, scopes)
	return nil
}

func (s storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	t, u, err := s.d.AccessToken(ctx, tokenID)
	if err != nil || t.UserID != subject {
		return oidc.ErrAccessDenied().WithDescription("The access token is invalid")
	}
	setClaims(ui, u, t.Scopes)
	return nil
}

func (s storage) SetIntrospectionFromToken(ctx context.Context, ir *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, u, err := s.d.AccessToken(ctx, tokenID)
	if err != nil || t.UserID != subject {
		return oidc.ErrAccessDenied()
	}
	ui := new(oidc.UserInfo)
	setClaims(ui, u, t.Scopes)
	ir.SetUserInfo(ui)
	ir.Active, ir.Scope, ir.ClientID, ir.TokenType = true, t.Scopes, t.AppID, oidc.BearerToken
	ir.Expiration, ir.IssuedAt, ir.AuthTime = oidc.FromTime(t.Expires), oidc.FromTime(t.Created), oidc.FromTime(t.AuthTime)
	ir.Subject, ir.Username, ir.JWTID, ir.Audience = u.ID, u.Login, t.ID, []string{t.AppID}
	ir.AuthenticationMethodsReferences = oidc.AuthenticationMethodsReferences(t.AMR)
	return nil
}

func (s storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrInvalidClient().WithDescription("private_key_jwt is not supported")
}

func (s storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

func (s storage) Health(context.Context) error { return nil }

// signingKey is the key that signs.
type signingKey struct{ k mfa.SigningKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.k.Key }
func (k signingKey) ID() string                                  { return k.k.ID }

// publicKey is a key of the JWKS.
type publicKey struct{ k mfa.SigningKey }

func (k publicKey) ID() string                         { return k.k.ID }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.k.Key.PublicKey }
