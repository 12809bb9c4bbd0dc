package mfa

import (
	"context"
	"time"
)

// FactorProviderFIDO is the provider Okta names for the webauthn factor.
const FactorProviderFIDO = "FIDO"

// WebAuthnCredential is one passkey (a public key credential) of a user's
// webauthn factor. A user may have several; each signs in on its own.
type WebAuthnCredential struct {
	ID           string // our id (fwc…)
	UserID       string
	FactorID     string
	CredentialID []byte // the authenticator's credential id
	PublicKey    []byte // COSE key
	SignCount    uint32
	AAGUID       []byte
	Transports   []string
	Format       string // attestation format ("none", "packed", …)
	Flags        byte   // the flags stored with the credential (UP, UV, BE, BS)
	Name         string
	Created      time.Time
	LastUsed     time.Time // zero when never used to sign in
}

// Ceremony kinds.
const (
	CeremonyRegister = "register"
	CeremonyLogin    = "login"
)

// WebAuthnCeremony holds a ceremony's server-side session data (the
// library's SessionData as JSON) between the options and the answer. It is
// bound to a user, a kind and a scope (a sign-in transaction, a browser
// session or the Factors API), used once and expires.
type WebAuthnCeremony struct {
	ID      string
	UserID  string
	Kind    string
	Scope   string
	Data    string
	Created time.Time
	Expires time.Time
}

// WebAuthnTx stores passkeys and their ceremonies.
type WebAuthnTx interface {
	ListWebAuthnCredentials(ctx context.Context, userID string) ([]WebAuthnCredential, error)
	InsertWebAuthnCredential(ctx context.Context, c WebAuthnCredential) error
	// UpdateWebAuthnUse stores a credential's new sign count and flags and
	// when it was last used.
	UpdateWebAuthnUse(ctx context.Context, userID, id string, signCount uint32, flags byte, at time.Time) error
	// DeleteWebAuthnCredential removes one credential (ErrNotFound if none).
	DeleteWebAuthnCredential(ctx context.Context, userID, id string) error
	// PutWebAuthnCeremony stores c and removes the user's other ceremonies
	// of the same kind and scope (the newest options win).
	PutWebAuthnCeremony(ctx context.Context, c WebAuthnCeremony) error
	// TakeWebAuthnCeremony removes and returns the user's ceremony of kind
	// in scope (ErrNotFound if none): two callers never both get it.
	TakeWebAuthnCeremony(ctx context.Context, userID, kind, scope string) (WebAuthnCeremony, error)
	// DeleteWebAuthnCeremoniesBefore removes ceremonies that expired before t.
	DeleteWebAuthnCeremoniesBefore(ctx context.Context, t time.Time) (int64, error)
}

// notSMS is the refusal for a code step on a factor that does not use
// text messages.
func notSMS() *Error {
	return Errorf(EInvalid, RFactorType, "This factor does not use codes sent by text message.")
}

// WebAuthnAMR returns the methods of a sign-in by password and a passkey:
// proof of possession of a key, as Okta's inbound table maps WebAuthn.
func WebAuthnAMR() AMR { return AMR{"pwd", "pop", "mfa"} }
