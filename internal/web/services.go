package web

import (
	"context"
	"time"

	"smsmfa/internal/mfa"
)

// Services are the domain operations this package calls, one interface per
// concern; the services of package mfa satisfy them.
type Services struct {
	Signin    Signin
	Factors   Factors
	Users     Users
	Tokens    Tokens
	Telephony Telephony
	Org       Org
	Radius    Radius
	OIDC      OIDC
}

// OIDC is the part of mfa.OIDC this package uses: the sign-in of an
// OpenID Connect authorization request, and the console's applications.
type OIDC interface {
	AuthRequest(ctx context.Context, id string) (mfa.AuthRequest, error)
	CompleteAuthRequest(ctx context.Context, id, userID string, authTime time.Time, amr mfa.AMR) (mfa.AuthRequest, error)
	Apps(ctx context.Context) ([]mfa.App, error)
	CreateApp(ctx context.Context, n mfa.NewApp) (mfa.App, string, error)
	RemoveApp(ctx context.Context, id string) error
}

// Signin is the part of mfa.Signin this package uses.
type Signin interface {
	PrimaryAuth(ctx context.Context, login, pw, relayState string) (*mfa.TxnView, error)
	TakeSessionToken(ctx context.Context, token string) (*mfa.User, mfa.AMR, error)
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
	TxnCallInstead(ctx context.Context, stateToken string) (*mfa.TxnView, *mfa.Sent, error)
	TxnEnrollTOTP(ctx context.Context, stateToken, provider string) (*mfa.TxnView, error)
	TxnVerifyRecovery(ctx context.Context, stateToken, code string) (*mfa.TxnView, error)
	TxnWebAuthnEnroll(ctx context.Context, stateToken string) (*mfa.TxnView, error)
	TxnWebAuthnActivate(ctx context.Context, stateToken, factorID string, in mfa.AttestationInput, name string) (*mfa.TxnView, error)
	TxnWebAuthnChallenge(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, error)
	TxnWebAuthnVerify(ctx context.Context, stateToken, factorID string, in mfa.AssertionInput) (*mfa.TxnView, error)
}

// Factors is the part of mfa.Factors this package uses.
type Factors interface {
	ActivateSMS(ctx context.Context, userID, factorID, code string) (*mfa.Factor, error)
	ChangePhone(ctx context.Context, userID string, req mfa.EnrollRequest) (*mfa.Sent, error)
	DeleteFactor(ctx context.Context, userID, factorID string) error
	EnrollSMS(ctx context.Context, userID string, req mfa.EnrollRequest) (*mfa.Factor, *mfa.Sent, error)
	FactorState(ctx context.Context, userID string) (mfa.FactorState, error)
	ResendEnroll(ctx context.Context, userID, factorID string) (*mfa.Sent, error)
	ResetFactors(ctx context.Context, userID string) error
	CallState(ctx context.Context, userID string) (mfa.CallState, error)
	EnrollCall(ctx context.Context, userID string, req mfa.CallEnrollRequest) (*mfa.Factor, *mfa.Sent, error)
	RegenerateRecoveryCodes(ctx context.Context, userID string) ([]string, error)
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	EnrollTOTP(ctx context.Context, userID, provider string) (*mfa.Factor, *mfa.TOTPSetup, error)
	TOTPSetupOf(ctx context.Context, userID, factorID, key string) (*mfa.TOTPSetup, error)
	TOTPQRKey(f *mfa.Factor) string
	UserFactors(ctx context.Context, userID string) ([]mfa.Factor, error)
	WebAuthn(ctx context.Context, userID string) (mfa.WebAuthnState, error)
	BeginWebAuthnEnroll(ctx context.Context, userID, scope string, only bool) (*mfa.Factor, *mfa.CreationOptions, error)
	FinishWebAuthnEnroll(ctx context.Context, userID, scope string, in mfa.AttestationInput, name string) (*mfa.Factor, *mfa.WebAuthnCredential, error)
	RemoveWebAuthnCredential(ctx context.Context, userID, credentialID string) error
}

// Users is the part of mfa.Users this package uses.
type Users interface {
	ConfirmPassword(ctx context.Context, userID, pw string) error
	CreateUser(ctx context.Context, nu mfa.NewUser) (*mfa.User, error)
	GetUser(ctx context.Context, idOrLogin string) (*mfa.User, error)
	ListUsers(ctx context.Context, query, afterLogin string, limit int) ([]mfa.User, error)
	NeedsSetup(ctx context.Context) (bool, error)
	SetupAdmin(ctx context.Context, req mfa.SetupRequest) (*mfa.User, error)
	RecordSessionExchange(ctx context.Context, u *mfa.User) error
	RecordSignOut(ctx context.Context, u *mfa.User) error
	SetAdmin(ctx context.Context, userID string, admin bool) (*mfa.User, error)
	Unlock(ctx context.Context, userID string) error
}

// Tokens is the part of mfa.Tokens this package uses.
type Tokens interface {
	CreateToken(ctx context.Context, name, userID string) (mfa.APIToken, string, error)
	RevokeToken(ctx context.Context, id string) error
	Tokens(ctx context.Context) ([]mfa.APIToken, error)
}

// Radius is the part of mfa.Radius this package uses.
type Radius interface {
	AddRadiusClient(ctx context.Context, name, address, sharedSecret string) (mfa.RadiusClient, error)
	RemoveRadiusClient(ctx context.Context, name string) error
	RadiusClients(ctx context.Context) ([]mfa.RadiusClient, error)
}

// Telephony is the part of mfa.Telephony this package uses.
type Telephony interface {
	Dashboard(ctx context.Context, period time.Duration) (mfa.Dashboard, error)
	DeliveryLog(ctx context.Context, f mfa.MessageFilter) ([]mfa.DeliveryRecord, error)
	OptOuts(ctx context.Context, limit int) ([]mfa.OptOut, []mfa.OptOutEvent, error)
	PreviewTemplate(ctx context.Context, body string) (string, error)
	Providers(ctx context.Context, o mfa.Opener) ([]mfa.ProviderConfig, error)
	RemoveProvider(ctx context.Context, name string) error
	SetTemplate(ctx context.Context, locale, body string) error
	Templates(ctx context.Context) ([]mfa.Template, error)
	UpdateProvider(ctx context.Context, name string, change func(*mfa.ProviderConfig), o mfa.Opener) (*mfa.ProviderConfig, error)
}

// Org is the part of mfa.Org this package uses.
type Org interface {
	CountRequest(ctx context.Context, kind mfa.RequestKind, key string) (mfa.Limit, error)
	Events(ctx context.Context, f mfa.EventFilter) ([]mfa.Event, error)
	FraudKeys(ctx context.Context) ([]mfa.FraudKey, error)
	Now() time.Time
	NumberUsers(ctx context.Context, input string) ([]mfa.User, error)
	Numbers(ctx context.Context) ([]mfa.Number, error)
	Overview(ctx context.Context) (mfa.Overview, error)
	RecordBlocked(ctx context.Context, reason, detail string) error
	SetFraudKey(ctx context.Context, input string, status mfa.FraudStatus) error
	SetNumberStatus(ctx context.Context, input string, status mfa.NumberStatus) error
	SetSMSEnabled(ctx context.Context, on bool) error
	SettingValues(ctx context.Context) (map[string]string, error)
	Settings(ctx context.Context) (mfa.Settings, error)
	UpdateSettings(ctx context.Context, changes map[string]string) error
	FactorPolicy(ctx context.Context) (mfa.FactorKindsView, error)
	SetFactorEnabled(ctx context.Context, name string, on bool) error
}

// ServicesOf picks from the domain's services the interfaces this package uses.
func ServicesOf(s mfa.Services) Services {
	return Services{Signin: s.Signin, Factors: s.Factors, Users: s.Users, Tokens: s.Tokens, Telephony: s.Telephony, Org: s.Org, Radius: s.Radius, OIDC: s.OIDC}
}
