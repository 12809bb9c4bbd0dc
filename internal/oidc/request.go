package oidc

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"smsmfa/internal/mfa"
)

// authRequest is an mfa.AuthRequest as op sees it.
type authRequest struct{ r mfa.AuthRequest }

var _ op.AuthRequest = authRequest{}

func (a authRequest) GetID() string          { return a.r.ID }
func (a authRequest) GetACR() string         { return a.r.AMR.ACR() }
func (a authRequest) GetAMR() []string       { return a.r.AMR }
func (a authRequest) GetAudience() []string  { return []string{a.r.AppID} }
func (a authRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a authRequest) GetClientID() string    { return a.r.AppID }
func (a authRequest) GetNonce() string       { return a.r.Params.Nonce }
func (a authRequest) GetRedirectURI() string { return a.r.Params.RedirectURI }
func (a authRequest) GetScopes() []string    { return a.r.Params.Scopes }
func (a authRequest) GetState() string       { return a.r.Params.State }
func (a authRequest) GetSubject() string     { return a.r.UserID }
func (a authRequest) Done() bool             { return a.r.Done }
func (a authRequest) GetResponseType() oidc.ResponseType {
	return oidc.ResponseType(a.r.Params.ResponseType)
}
func (a authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.r.Params.ResponseMode)
}
func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.Params.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.Params.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.Params.CodeChallengeMethod)}
}

// grant is what tokens are issued for: an exchanged code's request or a
// refresh token.
func (a authRequest) grant() mfa.Grant {
	return mfa.Grant{Family: a.r.ID, AppID: a.r.AppID, UserID: a.r.UserID, Scopes: a.r.Params.Scopes, AMR: a.r.AMR,
		AuthTime: a.r.AuthTime, How: "authorization_code"}
}

// refreshRequest is a refresh token as op sees it.
type refreshRequest struct {
	t      mfa.OAuthToken
	scopes []string
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.t.AppID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.AppID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.t.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }
func (r *refreshRequest) grant() mfa.Grant {
	return mfa.Grant{Family: r.t.Family, AppID: r.t.AppID, UserID: r.t.UserID, Scopes: r.scopes, AMR: r.t.AMR,
		AuthTime: r.t.AuthTime, How: "refresh_token"}
}
