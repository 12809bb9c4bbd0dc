package mfa

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is the class of a domain error; adapters map it to an HTTP status.
type Code string

// Error codes.
const (
	EInvalid      Code = "invalid"      // bad input
	ENotFound     Code = "not_found"    // no such user, factor, …
	EConflict     Code = "conflict"     // already exists / already set up
	EUnauthorized Code = "unauthorized" // bad credentials, dead token
	EForbidden    Code = "forbidden"    // not allowed now (state, policy, wrong code)
	ELocked       Code = "locked"       // user locked out
	ERateLimited  Code = "rate_limited" // a limit was hit; see RetryAt
	EUnavailable  Code = "unavailable"  // SMS could not be sent
	EInternal     Code = "internal"     // a bug or an outage; details are logged, not shown
)

// Reason is the exact cause of a refusal. It is stable: the API maps it onto
// Okta's error codes, the system log records it.
type Reason string

// Reasons.
const (
	RAuthFailed        Reason = "auth_failed"        // wrong login or password, or the account is locked (not told apart)
	RInvalidToken      Reason = "invalid_token"      // state token unknown, expired or cancelled
	RWrongState        Reason = "wrong_state"        // operation not allowed in the transaction's state
	RPhoneInvalid      Reason = "phone_invalid"      // not a phone number at all
	RPhoneUnverifiable Reason = "phone_unverifiable" // looks like a number, but not a valid one (may be sent anyway on request)
	RPhoneType         Reason = "phone_type"         // valid number of a type we do not text (landline, premium, …)
	RPhoneCountry      Reason = "phone_country"      // the country is not allowed
	RPhoneRequired     Reason = "phone_required"     // no number given and none on file
	RPhoneExists       Reason = "phone_exists"       // a different verified number is on file and updatePhone was not asked
	RFactorExists      Reason = "factor_exists"      // an active SMS factor is already set up
	RFactorDisabled    Reason = "factor_disabled"    // the org's SMS factor is off
	RFactorNotFound    Reason = "factor_not_found"   // no such factor for this user
	RFactorNotActive   Reason = "factor_not_active"  // the factor is not active
	RFactorNotPending  Reason = "factor_not_pending" // the factor is already active
	RUserNotFound      Reason = "user_not_found"     // no such user
	RLoginTaken        Reason = "login_taken"        // login already used
	RInvalidInput      Reason = "invalid_input"      // other validation failure
	RCodeWrong         Reason = "code_wrong"         // the code does not match
	RCodeExpired       Reason = "code_expired"       // no live code: expired, killed or never sent
	RCodeUsed          Reason = "code_used"          // the code was already used
	RCodeMissing       Reason = "code_missing"       // no code was typed
	RUserLocked        Reason = "user_locked"        // too many failed verifications
	RResendTooSoon     Reason = "resend_too_soon"    // within the resend cooldown
	RActivationLimit   Reason = "activation_limit"   // too many activation attempts
	RPhoneLimit        Reason = "phone_limit"        // too many codes to this number
	RUserLimit         Reason = "user_limit"         // too many codes for this user
	RIPLimit           Reason = "ip_limit"           // too many codes from this client address
	RBudget            Reason = "budget"             // the org's daily SMS budget is spent
	RNumberBlocked     Reason = "number_blocked"     // shared number blocked for high activity
	RSendFailed        Reason = "send_failed"        // the provider refused the message for good
	RSettingInvalid    Reason = "setting_invalid"    // a setting value is not valid
	RInternal          Reason = "internal"           // anything unexpected
	RPasswordPolicy    Reason = "password_policy"    // the password is too weak
	RNotPermitted      Reason = "not_permitted"      // the caller may not do this
	RPasswordRate      Reason = "password_rate"      // too many password checks from one address
	RBusy              Reason = "busy"               // the password hashing queue is full
	RRangeThrottled    Reason = "range_throttled"    // codes to the number's range or country are throttled (SMS pumping)
	RGuessLimit        Reason = "guess_limit"        // too many wrong codes from this client address, over every user
	RCountryCap        Reason = "country_cap"        // the country's hourly cap of codes to new numbers is reached
	RCallTooSoon       Reason = "call_too_soon"      // a call was made within the resend cooldown
	RVoiceBudget       Reason = "voice_budget"       // the org's daily voice call budget is spent
	RCodeReplayed      Reason = "code_replayed"      // an authenticator app code of a time step already used
	RFactorType        Reason = "factor_type"        // the step is for another type of factor (a code for a passkey)
)

// Error is a domain error with a user-safe message.
type Error struct {
	Code    Code
	Reason  Reason
	Message string
	// Format and Args are Message before formatting: Format is the key of
	// the message in the UI's catalogue (internal/web/i18n), Args its
	// arguments, some of them Duration, Phrase or Country, which the UI
	// words in the user's language. Message is the English text (the API
	// and the system log use it).
	Format string
	Args   []any
	// RetryAt is when a rate-limited request may be tried again.
	RetryAt time.Time
	// Limit is the limit that was hit, for rate-limit headers.
	Limit int
	// Remaining is how many tries are left (wrong code), or -1.
	Remaining int
	// Cause is the provider's reason when an SMS could not be sent
	// (RSendFailed): invalid_number, landline, opted_out, blocked, …
	Cause string
	// Err is the wrapped cause (internal errors only; never shown).
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Reason, e.Message, e.Err)
	}
	return string(e.Reason) + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, reason Reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...), Format: format, Args: args, Remaining: -1}
}

// Duration is a wait or a lifetime in a refusal's arguments: English
// ("5 minutes") when formatted, in the user's language on a page.
type Duration time.Duration

func (d Duration) String() string { return humanDuration(time.Duration(d)) }

// Phrase is a part of a refusal's message that is itself worded: Format
// (a catalogue key, like Error.Format) with its Args. The zero Phrase is
// empty.
type Phrase struct {
	Format string
	Args   []any
}

func (p Phrase) String() string {
	if p.Format == "" {
		return ""
	}
	return fmt.Sprintf(p.Format, p.Args...)
}

// Phrases are worded parts of a message, joined by "; " (the problems
// of a settings change).
type Phrases []Phrase

func (ps Phrases) String() string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, "; ")
}

// PhraseError is an error whose text is a Phrase, so that a page can word
// it in the user's language (a setting's value refused).
type PhraseError struct{ Phrase Phrase }

func (e *PhraseError) Error() string { return e.Phrase.String() }

// phraseErrorf returns a PhraseError.
func phraseErrorf(format string, args ...any) error {
	return &PhraseError{Phrase{Format: format, Args: args}}
}

// phraseOf returns err as a Phrase.
func phraseOf(err error) Phrase {
	if pe, ok := errors.AsType[*PhraseError](err); ok {
		return pe.Phrase
	}
	return Phrase{Format: "%s", Args: []any{err.Error()}}
}

// Country is a country (ISO 3166 region code) named in a refusal: its
// English name when formatted, its name in the user's language on a page.
type Country string

func (c Country) String() string { return countryName(string(c)) }

// InternalMessage is all a user is told of an internal error.
const InternalMessage = "Something went wrong on our side. Please try again."

// Internal wraps an unexpected error. Its message is generic; the cause is
// kept for the log.
func Internal(context string, err error) *Error {
	return &Error{Code: EInternal, Reason: RInternal, Message: InternalMessage, Format: InternalMessage, Err: fmt.Errorf("%s: %w", context, err), Remaining: -1}
}

// ErrorOf returns err as an *Error; any other error becomes an internal one.
func ErrorOf(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return Internal("unexpected", err)
}

// ReasonOf returns the Reason of err, or "" when err is nil.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	return ErrorOf(err).Reason
}

// IsRefusal reports whether err is a domain refusal: an *Error that is not
// EInternal. A refusal returned from a unit of work commits what the work
// counted so far; any other error rolls it back.
func IsRefusal(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Code != EInternal && !errors.As(err, new(*rolledBack))
}

// asRefusal returns err as a refusal, if it is one.
func asRefusal(err error) (*Error, bool) {
	if !IsRefusal(err) {
		return nil, false
	}
	return errors.AsType[*Error](err)
}

// ErrNotFound is returned by stores when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned by stores when a unique constraint is violated.
var ErrConflict = errors.New("conflict")

// ErrClaimLost is returned by the outbox when another worker took a message
// over (this worker's lease ran out) before the outcome could be recorded.
var ErrClaimLost = errors.New("the message was taken over by another worker")
