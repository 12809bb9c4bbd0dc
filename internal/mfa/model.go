package mfa

import "time"

// UserStatus is a user's lifecycle status, as in Okta.
type UserStatus string

// User statuses.
const (
	UserStaged        UserStatus = "STAGED"
	UserActive        UserStatus = "ACTIVE"
	UserDeprovisioned UserStatus = "DEPROVISIONED"
)

// User is a person who signs in to the org.
type User struct {
	ID        string
	Login     string // unique, stored lower-case
	FirstName string
	LastName  string
	Email     string
	Locale    string
	TimeZone  string
	Status    UserStatus
	Admin     bool
	// PasswordHash is a PHC string (argon2id); empty when the user has no password.
	PasswordHash string
	// FailedPasswords counts wrong passwords in a row.
	FailedPasswords int
	// FailedMFA counts failed code verifications in a row.
	FailedMFA int
	// LockedUntil is when a lockout ends; zero when not locked, and
	// UntilUnlocked when only an administrator can end it.
	LockedUntil time.Time
	// MFALockouts counts the MFA lockouts of the current streak: lockouts
	// less than 24 hours apart, the last at LastMFALockout.
	MFALockouts    int
	LastMFALockout time.Time
	// MissedCodes counts the failed code attempts since MissedSince, to be
	// told to the user at their next successful sign-in.
	MissedCodes     int
	MissedSince     time.Time
	Created         time.Time
	LastUpdated     time.Time
	PasswordChanged time.Time
	LastLogin       time.Time
	Activated       time.Time
	StatusChanged   time.Time
}

// Locked reports whether the user is locked out at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// UntilUnlocked is the LockedUntil of a lockout that only an administrator
// ends.
var UntilUnlocked = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// LockedUntilUnlocked reports whether only an administrator can end the
// user's lockout.
func (u *User) LockedUntilUnlocked() bool { return !u.LockedUntil.Before(UntilUnlocked) }

// DisplayName is "First Last", or the login when there is no name.
func (u *User) DisplayName() string {
	switch {
	case u.FirstName != "" && u.LastName != "":
		return u.FirstName + " " + u.LastName
	case u.FirstName != "":
		return u.FirstName
	case u.LastName != "":
		return u.LastName
	}
	return u.Login
}

// FactorType is the type of a factor; smsmfa has one.
const FactorTypeSMS = "sms"

// FactorTypeCall is the voice call factor: the code is read out in a call.
const FactorTypeCall = "call"

// FactorTypeTOTP is the authenticator app factor (RFC 6238 codes).
const FactorTypeTOTP = "token:software:totp"

// FactorTypeWebAuthn is the passkey factor (Okta's webauthn, provider FIDO).
const FactorTypeWebAuthn = "webauthn"

// FactorProvider is the provider name Okta uses for its own SMS factor.
const FactorProvider = "OKTA"

// FactorStatus is a factor's lifecycle status.
type FactorStatus string

// Factor statuses.
const (
	FactorPending FactorStatus = "PENDING_ACTIVATION"
	FactorActive  FactorStatus = "ACTIVE"
)

// Factor is a user's enrollment of the SMS factor.
type Factor struct {
	ID     string
	UserID string
	Type   string
	Status FactorStatus
	// PhoneNumber is the E.164 number codes go to. While a pending factor
	// awaits activation it is the number being verified; an active
	// factor's number only changes once a new number is verified.
	PhoneNumber string
	Created     time.Time
	LastUpdated time.Time
	// Extension is the phone extension a call factor's calls dial once
	// answered (Okta's phoneExtension); empty for none and for SMS.
	Extension string
	// Provider is the factor's provider name: OKTA, or GOOGLE for an
	// authenticator app enrolled as Google Authenticator.
	Provider string
	// Secret is an authenticator app factor's shared secret, sealed under
	// the master key (TOTPContext); nil for other types.
	Secret []byte
	// LastStep is the last TOTP time step a code was accepted for.
	LastStep int64
	// LastUsed is when the factor last passed a verification (zero if
	// never).
	LastUsed time.Time
}

// Phone is a user's verified phone number. It outlives the factor: removing
// the factor and setting it up again without a number reuses it.
type Phone struct {
	ID       string
	UserID   string
	Number   string // E.164
	Verified time.Time
	Created  time.Time
}

// Purpose says what a challenge proves.
type Purpose string

// Challenge purposes.
const (
	PurposeEnroll Purpose = "enroll" // proves a new number: activates the factor or changes its number
	PurposeVerify Purpose = "verify" // proves the user holds the factor's phone
)

// Challenge is one code sent by SMS. The code itself is never stored, only
// its MAC under the server key.
type Challenge struct {
	ID          string
	UserID      string
	FactorID    string
	Purpose     Purpose
	PhoneNumber string
	CodeMAC     []byte
	Created     time.Time
	Expires     time.Time
	Attempts    int
	MaxAttempts int
	// Consumed is when the code was used; zero while unused.
	Consumed time.Time
	// Dead is when the challenge was superseded by a newer one or killed by
	// too many wrong tries; zero while alive.
	Dead      time.Time
	MessageID string
	ClientIP  string
	// Scope is the sign-in transaction the code belongs to, or NoScope for
	// a code asked for outside a sign-in (the account page, the Factors
	// API). A new code kills only the older codes of its own scope, and a
	// code is checked only in its scope, so one sign-in (an attacker's,
	// with the password) cannot kill or stand in for another's code.
	Scope string
}

// NoScope is the scope of codes asked for outside a sign-in transaction.
const NoScope = ""

// Live reports whether the challenge can still accept its code at now.
func (c *Challenge) Live(now time.Time) bool {
	return c.Consumed.IsZero() && c.Dead.IsZero() && now.Before(c.Expires) && c.Attempts < c.MaxAttempts
}

// TxnStatus is the state of a sign-in transaction (Okta's authn states).
type TxnStatus string

// Transaction states.
const (
	TxnMFAEnroll         TxnStatus = "MFA_ENROLL"
	TxnMFAEnrollActivate TxnStatus = "MFA_ENROLL_ACTIVATE"
	TxnMFARequired       TxnStatus = "MFA_REQUIRED"
	TxnMFAChallenge      TxnStatus = "MFA_CHALLENGE"
	TxnSuccess           TxnStatus = "SUCCESS"
	TxnLockedOut         TxnStatus = "LOCKED_OUT"
	TxnCancelled         TxnStatus = "CANCELLED"
)

// Transaction is one sign-in in progress: primary authentication done, the
// second factor not yet. The web UI and the authn API both drive it.
type Transaction struct {
	ID        string
	TokenHash []byte // SHA-256 of the state token
	UserID    string
	Status    TxnStatus
	FactorID  string
	Created   time.Time
	Expires   time.Time
	// RelayState is echoed back to API clients.
	RelayState string
	// SessionTokenHash is set once the transaction reaches SUCCESS: the
	// one-time token that can be exchanged for a browser session.
	SessionTokenHash    []byte
	SessionTokenExpires time.Time
	ClientIP            string
	// StateToken is the clear-text state token. It is only set on the
	// value returned by the call that created it (never stored).
	StateToken string `json:"-"`
	// SessionToken is the clear-text one-time session token, only on the
	// value returned by the call that reached SUCCESS.
	SessionToken string `json:"-"`
	// MissedCodes and MissedSince are, on the value returned by the call
	// that reached SUCCESS, the failed code attempts on the account since
	// the user's previous sign-in (never stored with the transaction).
	MissedCodes int       `json:"-"`
	MissedSince time.Time `json:"-"`
}

// MessageState is the delivery state of an outgoing SMS.
type MessageState string

// Message states.
const (
	MessageQueued      MessageState = "queued"      // waiting for a worker
	MessageSending     MessageState = "sending"     // claimed by a worker
	MessageSent        MessageState = "sent"        // accepted by a provider
	MessageDelivered   MessageState = "delivered"   // receipt says delivered
	MessageUndelivered MessageState = "undelivered" // receipt says it did not arrive
	MessageFailed      MessageState = "failed"      // refused for good
	MessageExpired     MessageState = "expired"     // the code expired before it could be sent
)

// Message is an outgoing SMS in the durable outbox.
type Message struct {
	ID          string
	ChallengeID string
	UserID      string
	To          string
	// SealedBody is the body encrypted under the server key. It is cleared
	// once the message has left or can no longer leave.
	SealedBody        []byte
	State             MessageState
	Attempts          int
	NextAttempt       time.Time
	LockedUntil       time.Time
	Created           time.Time
	Expires           time.Time
	Sent              time.Time
	Provider          string
	Sender            string
	ProviderMessageID string
	Error             string
	// Claim identifies the worker's hold on a message being sent; only
	// that worker may record the outcome.
	Claim string
	// ReceiptAt and ReceiptError come from the provider's delivery receipt.
	ReceiptAt    time.Time
	ReceiptError string
	// Channel is ChannelVoice for a call, empty for a text.
	Channel Channel
}

// NumberStatus is an admin decision about a phone number.
type NumberStatus string

// Number statuses.
const (
	NumberBlocked NumberStatus = "blocked" // blocked for high activity until an admin acts
	NumberTrusted NumberStatus = "trusted" // a known shared number: never blocked for sharing
	NumberCleared NumberStatus = "cleared" // unblocked by an admin; sharing counts again from Updated
)

// Number is a phone number the org has a rule about.
type Number struct {
	Number    string // E.164
	Status    NumberStatus
	Reason    string
	Updated   time.Time
	UpdatedBy string
}

// APIToken is a management API token (Authorization: SSWS …).
// It acts for its owner, and only while the owner is an active admin.
type APIToken struct {
	ID        string
	Name      string
	TokenHash []byte
	UserID    string // the owner: the admin who created it or was named for it
	// OwnerLogin is the owner's login, read with the token; "" when the
	// owner no longer exists. OwnerStatus and OwnerAdmin are read with it
	// ("" and false then).
	OwnerLogin  string
	OwnerStatus UserStatus
	OwnerAdmin  bool
	Created     time.Time
	LastUsed    time.Time
	Revoked     time.Time
	// LastRefused is when a refused use of the token was last recorded in
	// the system log.
	LastRefused time.Time
}

// MessageUpdate is the outcome of one delivery attempt.
type MessageUpdate struct {
	State             MessageState
	NextAttempt       time.Time // for a retry (State queued)
	Sent              time.Time
	Provider          string
	Sender            string
	ProviderMessageID string
	Error             string
	// KeepBody keeps the sealed body (a retry still needs it); otherwise
	// it is erased, so no code outlives its message in the database.
	KeepBody bool
	// Attempts are the tries of this claim, one per provider tried.
	Attempts []Attempt
}

// MessageFinish is the outcome of one claimed message: the outbox records
// many in one unit of work (see store.FinishMessages).
type MessageFinish struct {
	ID, Claim string
	Update    MessageUpdate
}

// LostClaimPrefix starts the claim of a message taken over from a worker
// that stopped mid-send (its lease ran out): the provider may or may not
// have the message.
const LostClaimPrefix = "lost:"
