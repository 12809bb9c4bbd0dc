package api

import (
	"context"
	"time"

	"smsmfa/internal/mfa"
)

// Services are the domain operations this package calls, one interface per
// concern; the services of package mfa satisfy them.
type Services struct {
	Signin  Signin
	Factors Factors
	Users   Users
	Tokens  Tokens
	Org     Org
}

// Signin is the part of mfa.Signin this package uses.
type Signin interface {
	PrimaryAuth(ctx context.Context, login, pw, relayState string) (*mfa.TxnView, error)
	Txn(ctx context.Context, stateToken string) (*mfa.TxnView, error)
	TxnActivate(ctx context.Context, stateToken, factorID, code string) (*mfa.TxnView, error)
	TxnCancel(ctx context.Context, stateToken string) (*mfa.TxnView, error)
	TxnChallenge(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error)
	TxnEnroll(ctx context.Context, stateToken string, req mfa.EnrollRequest) (*mfa.TxnView, *mfa.Sent, error)
	TxnPrevious(ctx context.Context, stateToken string) (*mfa.TxnView, error)
	TxnResendChallenge(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error)
	TxnResendEnroll(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error)
	TxnVerify(ctx context.Context, stateToken, factorID, code string) (*mfa.TxnView, error)
	TxnEnrollCall(ctx context.Context, stateToken string, req mfa.CallEnrollRequest) (*mfa.TxnView, *mfa.Sent, error)
	TxnEnrollTOTP(ctx context.Context, stateToken, provider string) (*mfa.TxnView, error)
	TxnWebAuthnEnroll(ctx context.Context, stateToken string) (*mfa.TxnView, error)
	TxnWebAuthnActivate(ctx context.Context, stateToken, factorID string, in mfa.AttestationInput, name string) (*mfa.TxnView, error)
	TxnWebAuthnChallenge(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, error)
	TxnWebAuthnVerify(ctx context.Context, stateToken, factorID string, in mfa.AssertionInput) (*mfa.TxnView, error)
}

// Factors is the part of mfa.Factors this package uses.
type Factors interface {
	ActivateSMS(ctx context.Context, userID, factorID, code string) (*mfa.Factor, error)
	ChallengeSMS(ctx context.Context, userID, factorID string) (*mfa.Sent, error)
	DeleteFactor(ctx context.Context, userID, factorID string) error
	EnrollSMS(ctx context.Context, userID string, req mfa.EnrollRequest) (*mfa.Factor, *mfa.Sent, error)
	FactorState(ctx context.Context, userID string) (mfa.FactorState, error)
	ResendEnroll(ctx context.Context, userID, factorID string) (*mfa.Sent, error)
	ResetFactors(ctx context.Context, userID string) error
	VerifySMS(ctx context.Context, userID, factorID, code string) error
	CallState(ctx context.Context, userID string) (mfa.CallState, error)
	EnrollCall(ctx context.Context, userID string, req mfa.CallEnrollRequest) (*mfa.Factor, *mfa.Sent, error)
	EnrollTOTP(ctx context.Context, userID, provider string) (*mfa.Factor, *mfa.TOTPSetup, error)
	TOTPSetupOf(ctx context.Context, userID, factorID, key string) (*mfa.TOTPSetup, error)
	TOTPQRKey(f *mfa.Factor) string
	UserFactors(ctx context.Context, userID string) ([]mfa.Factor, error)
	WebAuthn(ctx context.Context, userID string) (mfa.WebAuthnState, error)
	BeginWebAuthnEnroll(ctx context.Context, userID, scope string, only bool) (*mfa.Factor, *mfa.CreationOptions, error)
	FinishWebAuthnEnroll(ctx context.Context, userID, scope string, in mfa.AttestationInput, name string) (*mfa.Factor, *mfa.WebAuthnCredential, error)
	BeginWebAuthnLogin(ctx context.Context, userID, factorID, scope string) (*mfa.Factor, *mfa.RequestOptions, error)
	FinishWebAuthnLogin(ctx context.Context, userID, factorID, scope string, in mfa.AssertionInput) (*mfa.Factor, error)
}

// Users is the part of mfa.Users this package uses.
type Users interface {
	CreateUser(ctx context.Context, nu mfa.NewUser) (*mfa.User, error)
	DeleteUser(ctx context.Context, userID string) error
	GetUser(ctx context.Context, idOrLogin string) (*mfa.User, error)
	ListUsers(ctx context.Context, query, afterLogin string, limit int) ([]mfa.User, error)
	SetUserStatus(ctx context.Context, userID string, status mfa.UserStatus) (*mfa.User, error)
	Unlock(ctx context.Context, userID string) error
}

// Tokens is the part of mfa.Tokens this package uses.
type Tokens interface {
	AuthenticateToken(ctx context.Context, clear string) (mfa.APIToken, error)
}

// Org is the part of mfa.Org this package uses.
type Org interface {
	CountRequest(ctx context.Context, kind mfa.RequestKind, key string) (mfa.Limit, error)
	Events(ctx context.Context, f mfa.EventFilter) ([]mfa.Event, error)
	Now() time.Time
	RecordBlocked(ctx context.Context, reason, detail string) error
	SetSMSEnabled(ctx context.Context, on bool) error
	Settings(ctx context.Context) (mfa.Settings, error)
	SetFactorEnabled(ctx context.Context, name string, on bool) error
}

// ServicesOf picks from the domain's services the interfaces this package uses.
func ServicesOf(s mfa.Services) Services {
	return Services{Signin: s.Signin, Factors: s.Factors, Users: s.Users, Tokens: s.Tokens, Org: s.Org}
}
