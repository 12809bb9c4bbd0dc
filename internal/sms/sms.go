package sms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Message is one text message to hand to a provider.
type Message struct {
	// ID is our message id. Adapters that accept an idempotency key or a
	// client reference pass it on, so a retried request is not sent twice.
	ID string
	// To is the recipient in E.164 form, e.g. "+15551234567".
	To string
	// From is the sender chosen by the router: an E.164 number, a short
	// code, an alphanumeric sender id, or a provider-side pool id (Twilio
	// Messaging Service SID). Empty means the provider's default.
	From string
	// Body is the text. It holds a one-time code: never log it.
	Body string
	// Code is the one-time code inside Body, carried apart so that a
	// provider that takes it as a field (Okta's telephony hook: otpCode)
	// and the test emulators need not read it out of the text. Empty for
	// a message without a code (a provider test) and for one queued by a
	// version that did not carry it. Never log it.
	Code string
	// StatusCallback, when set, is the URL the provider should call with
	// delivery receipts for this message.
	StatusCallback string
	// Expires is when the code inside stops being useful; adapters may
	// pass it on as a validity period.
	Expires time.Time
	// Channel is ChannelVoice for a voice call (Speech says what the call
	// reads out; Body is the same as one text), empty for a text.
	Channel Channel
	// Speech is what a voice call reads out. Never log it.
	Speech Speech
	// Extension is the digits to dial once a call is answered (a phone
	// extension), empty for none.
	Extension string
}

// Sensitive returns what of msg an error text or a log must never hold:
// the body, then the code (in that order, so that a redaction replaces an
// echoed body whole before the code inside it). Adapters redact these from
// a provider's answer.
func (m Message) Sensitive() []string {
	return append([]string{m.Body, m.Code}, m.Speech.Parts...)
}

// Provider sends one message through one SMS provider account.
type Provider interface {
	// Send hands msg to the provider and returns the provider's id for it.
	// Failures are *Error values: see Class for what each class means.
	Send(ctx context.Context, msg Message) (providerMessageID string, err error)
}

// Class says how the delivery worker must treat a failed send.
type Class int

const (
	// Permanent: the message can never be delivered to this recipient
	// (invalid number, landline, blocked destination, opted out), or
	// cannot be sent at all (no provider in service). Fail the message;
	// do not try another provider.
	Permanent Class = iota + 1
	// Transient: the provider could not take the message now (timeout,
	// throttling, 5xx). Try the next provider, or retry later.
	Transient
	// Configuration: our account or settings are wrong (bad credentials,
	// unknown sender). Try the next provider and alert the admin.
	Configuration
)

func (c Class) String() string {
	switch c {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case Configuration:
		return "configuration"
	}
	return "unknown"
}

// Reason is the specific cause of a failed send, stable for logs and the UI.
type Reason string

// The reasons a provider can report.
const (
	InvalidNumber  Reason = "invalid_number"  // not a valid phone number (permanent)
	Landline       Reason = "landline"        // cannot receive SMS (permanent)
	Unreachable    Reason = "unreachable"     // handset or carrier unreachable (permanent for this message)
	Blocked        Reason = "blocked"         // destination blocked by carrier or provider (permanent)
	OptedOut       Reason = "opted_out"       // recipient replied STOP to this sender (permanent for this sender)
	Throttled      Reason = "throttled"       // provider rate limit (transient)
	ProviderDown   Reason = "provider_down"   // 5xx, connection refused (transient)
	Timeout        Reason = "timeout"         // no answer in time (transient)
	BadCredentials Reason = "bad_credentials" // authentication refused (configuration)
	BadSender      Reason = "bad_sender"      // sender not usable for this account or destination (configuration)
	NoProvider     Reason = "no_provider"     // no provider is in service at all (permanent: nothing would retry it)
	Unknown        Reason = "unknown"         // anything unmapped (transient)
)

// classes maps each reason to the class it implies.
var classes = map[Reason]Class{
	InvalidNumber:  Permanent,
	Landline:       Permanent,
	Unreachable:    Permanent,
	Blocked:        Permanent,
	OptedOut:       Permanent,
	Throttled:      Transient,
	ProviderDown:   Transient,
	Timeout:        Transient,
	BadCredentials: Configuration,
	BadSender:      Configuration,
	NoProvider:     Permanent,
	Unknown:        Transient,
}

// Error is a failed send.
type Error struct {
	Reason Reason
	// Code is the provider's own error code or status, when it gave one
	// (e.g. Twilio "21211", Vonage "4", HTTP "503").
	Code string
	// Detail is the provider's message, safe to show an admin. Adapters
	// must make sure it holds no message body and no credential.
	Detail string
	// RetryAfter is the provider's hint for throttling, if any.
	RetryAfter time.Duration
}

// NewError returns an *Error for reason with the provider's code and detail.
func NewError(reason Reason, code, detail string) *Error {
	return &Error{Reason: reason, Code: code, Detail: detail}
}

func (e *Error) Error() string {
	s := "sms: " + string(e.Reason)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Class returns the class the reason implies.
func (e *Error) Class() Class {
	if c, ok := classes[e.Reason]; ok {
		return c
	}
	return Transient
}

// Classify returns the class of any error returned by a Provider. Errors that
// are not *Error (a bug in an adapter, a cancelled context) count as
// transient, so the message is retried rather than lost.
func Classify(err error) Class {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Class()
	}
	return Transient
}

// ReasonOf returns the reason of an error returned by a Provider.
func ReasonOf(err error) Reason {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Timeout
	}
	return Unknown
}

// Errorf is a shorthand for adapters: NewError with a formatted detail.
func Errorf(reason Reason, code, format string, args ...any) *Error {
	return NewError(reason, code, fmt.Sprintf(format, args...))
}

// Try is one provider's go at a message: who was asked, when, how long it
// took to answer, and its error (nil when it accepted the message).
type Try struct {
	Provider string
	Sender   string
	Started  time.Time
	Latency  time.Duration
	Err      error
}

// Result says which provider and sender took a message, and every try made
// on the way (one per provider asked).
type Result struct {
	Provider          string
	Sender            string
	ProviderMessageID string
	Tries             []Try
}

// Redact hides what a provider's error text may echo back of a message: a
// run of six or more digits (a code, a phone number) becomes "•••". Error
// texts are logged and shown to admins; codes must never be.
func Redact(s string) string {
	var b strings.Builder
	run := 0
	flush := func(i int) {
		if run >= 6 {
			b.WriteString("•••")
		} else {
			b.WriteString(s[i-run : i])
		}
		run = 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		flush(i)
		b.WriteByte(s[i])
	}
	flush(len(s))
	return b.String()
}
