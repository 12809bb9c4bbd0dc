package mfa

import (
	"context"
	"crypto/rsa"
	"slices"
	"time"
)

// AMR is the list of authentication methods of a sign-in, as OpenID
// Connect's amr claim names them (RFC 8176): "pwd" for the password, and
// "sms" with "mfa" when an SMS code was verified too (as Okta says it).
type AMR []string

// SignInAMR returns the methods of a sign-in by password, with an SMS code
// when sms is true.
func SignInAMR(sms bool) AMR {
	if sms {
		return AMR{"pwd", "sms", "mfa"}
	}
	return AMR{"pwd"}
}

// TOTPAMR is the amr of a sign-in by password and an authenticator app
// code: Okta's ["mfa","otp","pwd"] for TOTP without its okta_verify.
var TOTPAMR = AMR{"pwd", "otp", "mfa"}

// MFA reports whether the sign-in used a second factor.
func (a AMR) MFA() bool { return slices.Contains(a, "mfa") }

// ACR returns the authentication context class of the sign-in, with
// Okta's values.
func (a AMR) ACR() string {
	if a.MFA() {
		return "urn:okta:loa:2fa:any"
	}
	return "urn:okta:loa:1fa:pwd"
}

// App is an application that signs its users in with OpenID Connect.
type App struct {
	// ID is the client id (Okta's 0oa… form).
	ID   string
	Name string
	// RedirectURIs are the sign-in redirect URIs, matched exactly.
	RedirectURIs []string
	// LogoutURIs are the post-logout redirect URIs, matched exactly.
	LogoutURIs []string
	// Public apps (single-page and native apps) have no secret and must use
	// PKCE with S256; confidential apps authenticate with their secret.
	Public bool
	// SecretHash is the SHA-256 of a confidential app's secret.
	SecretHash []byte
	Created    time.Time
}

// AuthParams are the parameters of an authorization request that are kept
// until its code is exchanged.
type AuthParams struct {
	RedirectURI         string   `json:"redirect_uri"`
	ResponseType        string   `json:"response_type"`
	ResponseMode        string   `json:"response_mode,omitempty"`
	Scopes              []string `json:"scopes"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	// MaxAge is the max_age in seconds; nil when not asked (prompt=login
	// is max_age=0).
	MaxAge    *int64 `json:"max_age,omitempty"`
	LoginHint string `json:"login_hint,omitempty"`
}

// PromptNone reports whether the app asked for no user interaction.
func (p AuthParams) PromptNone() bool { return slices.Contains(p.Prompt, "none") }

// AuthRequest is an authorization request between /authorize and the
// exchange of its code.
type AuthRequest struct {
	ID     string
	AppID  string
	Params AuthParams
	// UserID, AuthTime and AMR say who signed in, when and how; set by a
	// session token given to /authorize or once the browser signed in.
	UserID   string
	AuthTime time.Time
	AMR      AMR
	// Done is set when the user is signed in for this request.
	Done        bool
	CodeHash    []byte
	CodeExpires time.Time
	CodeUsed    time.Time
	Created     time.Time
	Expires     time.Time
}

// Token kinds.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// OAuthToken is an access or refresh token issued to an app.
type OAuthToken struct {
	ID   string
	Kind string
	// Family is the authorization request that started the chain of
	// tokens: every token refreshed from it shares it.
	Family   string
	AppID    string
	UserID   string
	Scopes   []string
	AMR      AMR
	AuthTime time.Time
	// TokenHash is the SHA-256 of a refresh token (nil for access tokens,
	// which are signed JWTs found by their id).
	TokenHash []byte
	Created   time.Time
	Expires   time.Time
	// Used is when a refresh token was exchanged (rotated).
	Used    time.Time
	Revoked time.Time
}

// StoredKey is a signing key as stored: its private key sealed.
type StoredKey struct {
	ID         string
	PrivateKey []byte // PKCS #8, sealed under the master key
	Created    time.Time
	Retired    time.Time
}

// SigningKey is an opened signing key.
type SigningKey struct {
	ID      string
	Key     *rsa.PrivateKey
	Created time.Time
	Retired time.Time
}

// OIDCTx stores applications, authorization requests, tokens and signing
// keys of the OpenID Provider.
type OIDCTx interface {
	InsertApp(ctx context.Context, a App) error
	GetApp(ctx context.Context, id string) (App, error)
	// ListApps returns every app, by name.
	ListApps(ctx context.Context) ([]App, error)
	DeleteApp(ctx context.Context, id string) error

	InsertAuthRequest(ctx context.Context, r AuthRequest) error
	GetAuthRequest(ctx context.Context, id string) (AuthRequest, error)
	// CompleteAuthRequest records who signed in for a request not yet done.
	CompleteAuthRequest(ctx context.Context, r AuthRequest) error
	// SetAuthCode sets the code of a done request that has none; the
	// request lives at least as long as its code.
	SetAuthCode(ctx context.Context, id string, codeHash []byte, expires time.Time) error
	// TakeAuthCode marks the code used if it is unused and unexpired at
	// now, and returns its request; ErrNotFound otherwise. Two concurrent
	// calls can never both get it.
	TakeAuthCode(ctx context.Context, codeHash []byte, now time.Time) (AuthRequest, error)
	// GetAuthRequestByCode returns the request of a code, used or not.
	GetAuthRequestByCode(ctx context.Context, codeHash []byte) (AuthRequest, error)
	DeleteAuthRequestsBefore(ctx context.Context, t time.Time) (int64, error)

	InsertOAuthToken(ctx context.Context, t OAuthToken) error
	GetOAuthToken(ctx context.Context, id string) (OAuthToken, error)
	GetRefreshToken(ctx context.Context, hash []byte) (OAuthToken, error)
	// UseRefreshToken marks a refresh token used at now if it is neither
	// used nor revoked; ErrNotFound otherwise (at most one caller wins).
	UseRefreshToken(ctx context.Context, id string, now time.Time) error
	// RevokeTokenFamily revokes every live token of a family and returns
	// how many.
	RevokeTokenFamily(ctx context.Context, family string, now time.Time) (int64, error)
	// RevokeOAuthToken revokes one live token (ErrNotFound if none).
	RevokeOAuthToken(ctx context.Context, id string, now time.Time) error
	DeleteOAuthTokensBefore(ctx context.Context, t time.Time) (int64, error)

	InsertSigningKey(ctx context.Context, k StoredKey) error
	// ListSigningKeys returns every key: the live one first, then the
	// retired ones, newest first.
	ListSigningKeys(ctx context.Context) ([]StoredKey, error)
	// RetireSigningKeys retires every live key but keepID at now.
	RetireSigningKeys(ctx context.Context, keepID string, now time.Time) error
	DeleteSigningKeysRetiredBefore(ctx context.Context, t time.Time) (int64, error)

	// UpdateApp changes an app's name, URIs, type and secret hash (not its
	// id or creation time); ErrNotFound when there is no such app.
	UpdateApp(ctx context.Context, a App) error
}
