package mfa

import (
	"context"
	"time"

	"smsmfa/internal/fraud"
)

// Store runs units of work. Everything the domain reads or writes happens
// inside InTx, so each operation sees and leaves a consistent state, also
// with several instances on one database.
type Store interface {
	// InTx runs fn in a transaction. It commits when fn returns nil and
	// rolls back otherwise, returning fn's error.
	InTx(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction and returns its error; fn
	// must not write. On SQLite it runs beside the writer, so reads never
	// wait for writes.
	View(ctx context.Context, fn func(Tx) error) error
	// Glance runs fn's statements outside any transaction, each on its
	// own (no BEGIN or COMMIT: one round trip a statement): for a read of
	// a single statement. fn must not write.
	Glance(ctx context.Context, fn func(Tx) error) error
}

// Tx is the set of storage operations available inside a unit of work. Get*
// methods return ErrNotFound when the row does not exist; Insert* return
// ErrConflict on a unique violation.
type Tx interface {
	UserTx
	FactorTx
	ChallengeTx
	TransactionTx
	MessageTx
	CounterTx
	NumberTx
	SettingTx
	EventTx
	TokenTx
	ProviderTx
	OptOutTx
	TemplateTx
	DeliveryLogTx
	RadiusClientTx
	RadiusRequestTx
	FraudTx
	OIDCTx
	SetupTx
	WebAuthnTx
	// TryLock takes a lock named name, held across every instance until
	// the unit of work ends, if it is free; it reports whether it got it.
	TryLock(ctx context.Context, name string) (bool, error)
	// Lock waits for the lock named name and holds it, across every
	// instance, until the unit of work ends.
	Lock(ctx context.Context, name string) error
	// Savepoint marks a point of the unit of work that RollbackTo undoes
	// the work after; name is a plain identifier.
	Savepoint(ctx context.Context, name string) error
	RollbackTo(ctx context.Context, name string) error
}

// UserTx stores users.
type UserTx interface {
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByLogin(ctx context.Context, login string) (User, error)
	// LockUser reads a user and holds it against concurrent changes until
	// the unit of work ends (SELECT … FOR UPDATE where the engine has it).
	LockUser(ctx context.Context, id string) (User, error)
	// LockUserSettings is LockUser that also returns the settings version
	// (SettingsVersion), read in the same statement.
	LockUserSettings(ctx context.Context, id string) (User, int64, error)
	InsertUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	DeleteUser(ctx context.Context, id string) error
	// ListUsers returns users ordered by login, after the given login,
	// whose login or name contains query (when set).
	ListUsers(ctx context.Context, query, afterLogin string, limit int) ([]User, error)
	// CountLockedUsers counts users locked out at now.
	CountLockedUsers(ctx context.Context, now time.Time) (int, error)
	// ActiveAdmins returns the active admins, oldest first.
	ActiveAdmins(ctx context.Context) ([]User, error)
}

// FactorTx stores factors and verified phones.
type FactorTx interface {
	ListFactors(ctx context.Context, userID string) ([]Factor, error)
	GetFactor(ctx context.Context, userID, id string) (Factor, error)
	InsertFactor(ctx context.Context, f Factor) error
	UpdateFactor(ctx context.Context, f Factor) error
	DeleteFactor(ctx context.Context, userID, id string) error
	// GetPhone returns the user's verified phone.
	GetPhone(ctx context.Context, userID string) (Phone, error)
	// PutPhone inserts or replaces the user's verified phone.
	PutPhone(ctx context.Context, p Phone) error
	// CountNumberVerifiers counts the users other than exceptUserID whose
	// verified phone is number, verified at or after since.
	CountNumberVerifiers(ctx context.Context, number, exceptUserID string, since time.Time) (int, error)
	// NumberUsers returns up to limit users whose verified phone is number,
	// by login.
	NumberUsers(ctx context.Context, number string, limit int) ([]User, error)
	// UseTOTPStep sets the factor's last used TOTP step to step if step
	// is after it, and reports whether it did; two concurrent calls with
	// one step never both get true.
	UseTOTPStep(ctx context.Context, factorID string, step int64) (bool, error)
	// FactorUsed records that the factor passed a verification at at.
	FactorUsed(ctx context.Context, factorID string, at time.Time) error
	// ReplaceRecoveryCodes deletes the user's recovery codes and stores cs.
	ReplaceRecoveryCodes(ctx context.Context, userID string, cs []RecoveryCode) error
	// UseRecoveryCode marks the user's unused code with hash used at at,
	// and reports whether it did (two concurrent calls never both do).
	UseRecoveryCode(ctx context.Context, userID string, hash []byte, at time.Time) (bool, error)
	// CountRecoveryCodes counts the user's unused recovery codes.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)
}

// ChallengeTx stores code challenges.
type ChallengeTx interface {
	InsertChallenge(ctx context.Context, c Challenge) error
	GetChallenge(ctx context.Context, id string) (Challenge, error)
	// LatestChallenge returns the newest challenge of a factor for purpose
	// in scope.
	LatestChallenge(ctx context.Context, factorID string, purpose Purpose, scope string) (Challenge, error)
	// LastChallengeAt returns when the user was last sent a code in scope
	// (zero if never).
	LastChallengeAt(ctx context.Context, userID, scope string) (time.Time, error)
	// KillChallenges marks every live challenge of the user in scope dead
	// at now, and drops their texts still queued.
	KillChallenges(ctx context.Context, userID, scope string, now time.Time) error
	// KillAllChallenges marks every live challenge of the user dead at now,
	// in every scope, and drops their texts still queued.
	KillAllChallenges(ctx context.Context, userID string, now time.Time) error
	// AddAttempt counts one wrong try if the challenge has tries left and
	// returns the new count; ok is false when it had none left.
	AddAttempt(ctx context.Context, id string) (attempts int, ok bool, err error)
	// ConsumeChallenge marks the challenge used if, at now, it is unused,
	// alive, unexpired and has tries left; ok reports whether this call
	// consumed it. Two concurrent calls can never both get ok.
	ConsumeChallenge(ctx context.Context, id string, now time.Time) (ok bool, err error)
	// DeleteChallenge removes one challenge (ErrNotFound if none).
	DeleteChallenge(ctx context.Context, id string) error
	// DeleteChallengesBefore removes challenges that expired before t.
	DeleteChallengesBefore(ctx context.Context, t time.Time) (int64, error)
}

// TransactionTx stores sign-in transactions.
type TransactionTx interface {
	InsertTransaction(ctx context.Context, t Transaction) error
	GetTransactionByToken(ctx context.Context, tokenHash []byte) (Transaction, error)
	UpdateTransaction(ctx context.Context, t Transaction) error
	// TakeSessionToken consumes a one-time session token that is valid at
	// now and returns the user it signs in and the factor verified by the
	// sign-in ("" when none was).
	TakeSessionToken(ctx context.Context, tokenHash []byte, now time.Time) (userID, factorID string, err error)
	DeleteTransactionsBefore(ctx context.Context, t time.Time) (int64, error)
}

// MessageTx stores the SMS outbox.
type MessageTx interface {
	InsertMessage(ctx context.Context, m Message) error
	GetMessage(ctx context.Context, id string) (Message, error)
}

// CounterTx keeps fixed-window counters for rate limits and budgets.
type CounterTx interface {
	// AddCount adds n to the counter of bucket in the window starting at
	// window and returns the new total.
	AddCount(ctx context.Context, bucket string, window time.Time, n int) (int, error)
	// AddCounts is AddCount for several distinct buckets in one statement;
	// the totals come in the order of adds.
	AddCounts(ctx context.Context, adds []CountAdd) ([]int, error)
	// Count returns the counter's total (0 if none).
	Count(ctx context.Context, bucket string, window time.Time) (int, error)
	DeleteCountsBefore(ctx context.Context, t time.Time) (int64, error)
}

// NumberTx stores admin decisions about phone numbers.
type NumberTx interface {
	GetNumber(ctx context.Context, number string) (Number, error)
	PutNumber(ctx context.Context, n Number) error
	DeleteNumber(ctx context.Context, number string) error
	ListNumbers(ctx context.Context) ([]Number, error)
}

// SettingTx stores org settings as canonical text.
type SettingTx interface {
	LoadSettings(ctx context.Context) (map[string]string, error)
	// SaveSetting stores one setting and bumps the settings' version.
	SaveSetting(ctx context.Context, name, value, by string, at time.Time) error
	// SettingsVersion returns the version of the org's configuration, which
	// every change of a setting or a message template bumps.
	SettingsVersion(ctx context.Context) (int64, error)
}

// EventTx stores the system log.
type EventTx interface {
	InsertEvent(ctx context.Context, e *Event) error
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
	// DeleteEventsBefore removes events published before t.
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}

// TokenTx stores API tokens. Tokens read back carry their owner's login.
type TokenTx interface {
	InsertToken(ctx context.Context, t APIToken) error
	GetTokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	TouchToken(ctx context.Context, id string, at time.Time) error
	// RevokeToken revokes a live token (ErrNotFound if none).
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// RevokeUserTokens revokes every live token owned by userID at at and
	// returns them.
	RevokeUserTokens(ctx context.Context, userID string, at time.Time) ([]APIToken, error)
	// NoteTokenRefused sets the token's LastRefused to at if it is unset or
	// before since, and reports whether it did (at most one caller does).
	NoteTokenRefused(ctx context.Context, id string, at, since time.Time) (bool, error)
	// ListTokens returns every token, newest first.
	ListTokens(ctx context.Context) ([]APIToken, error)
}

// FraudTx keeps the traffic of destination keys (package fraud) and the
// state of the keys the detector or an admin acted on.
type FraudTx interface {
	// AddFraudTraffic adds sends and verified to the minute and hour
	// buckets holding at of every key.
	AddFraudTraffic(ctx context.Context, keys []string, at time.Time, sends, verified int) error
	// FraudTraffic returns key's traffic as of now, leaving out what came
	// before since; its ParentRate is unset (negative).
	FraudTraffic(ctx context.Context, key string, now, since time.Time) (fraud.Traffic, error)
	// SubtractFraudTraffic takes the traffic of key from, in the buckets
	// from since on, out of the same buckets of key to.
	SubtractFraudTraffic(ctx context.Context, from, to string, since time.Time) error
	// FraudSendsSince counts the unproven codes sent to keys of kind
	// (fraud.KindCountry: every country) since since (at most 2 hours ago).
	FraudSendsSince(ctx context.Context, kind string, since time.Time) (int, error)
	// FraudTotals sums the traffic of every key of kind in [from, until), by key.
	FraudTotals(ctx context.Context, kind string, from, until time.Time) (map[string]fraud.Bucket, error)
	// DeleteFraudCountsBefore removes minute buckets before minutes and
	// hour buckets before hours.
	DeleteFraudCountsBefore(ctx context.Context, minutes, hours time.Time) (int64, error)
	// GetFraudKeys returns the stored state of those of keys that have one.
	GetFraudKeys(ctx context.Context, keys []string) (map[string]FraudKey, error)
	PutFraudKey(ctx context.Context, k FraudKey) error
	// DeleteFraudKey removes a key's state (ErrNotFound if none).
	DeleteFraudKey(ctx context.Context, key string) error
	// DeleteFraudKeysBefore removes the throttled and allowed keys whose
	// status ended before t (trusted keys stay).
	DeleteFraudKeysBefore(ctx context.Context, t time.Time) (int64, error)
	// ListFraudKeys returns every stored key state, newest first.
	ListFraudKeys(ctx context.Context) ([]FraudKey, error)
}

// CountAdd is one addition of AddCounts.
type CountAdd struct {
	Bucket string
	Window time.Time
	N      int
}
