package sms

import (
	"strings"
	"time"
)

// Status is where a sent message stands according to the provider's
// delivery receipts, in our own vocabulary.
type Status string

// The statuses a Receipt can report. Delivered, Undelivered and Failed are
// final; Queued and Sent may still change.
const (
	// StatusQueued: the provider accepted the message but has not handed it
	// to a carrier yet.
	StatusQueued Status = "queued"
	// StatusSent: a carrier has the message; no final answer yet.
	StatusSent Status = "sent"
	// StatusDelivered: the carrier or handset confirmed delivery.
	StatusDelivered Status = "delivered"
	// StatusUndelivered: the carrier gave up (unreachable, expired, filtered).
	StatusUndelivered Status = "undelivered"
	// StatusFailed: the provider could not send the message at all.
	StatusFailed Status = "failed"
)

// Receipt is one delivery receipt (status callback) for a message we sent,
// parsed from the provider's callback by the adapter's parser.
type Receipt struct {
	// ProviderMessageID is the id Provider.Send returned for the message.
	ProviderMessageID string
	// Status is the new status of the message.
	Status Status
	// ErrorCode is the provider's own error code for a failed or
	// undelivered message ("30003" at Twilio, "2" at Vonage), or "".
	ErrorCode string
	// ErrorDetail is a short description of ErrorCode, safe to show an
	// admin, or "".
	ErrorDetail string
	// To is the recipient in E.164 form, when the callback names it.
	To string
	// From is the sender the provider used, when the callback names it.
	From string
	// At is when the provider says the status changed; zero when the
	// callback carries no time, in which case the caller uses the time it
	// received the callback.
	At time.Time
}

// Keyword is what an inbound message asks for, as far as opt-out handling
// is concerned.
type Keyword string

// The keywords ClassifyKeyword recognises.
const (
	KeywordNone  Keyword = "none"  // an ordinary message
	KeywordStop  Keyword = "stop"  // opt out from the sender
	KeywordStart Keyword = "start" // opt back in
	KeywordHelp  Keyword = "help"  // ask for help text
)

// Inbound is one message a recipient sent to one of our senders, parsed
// from the provider's inbound webhook by the adapter's parser.
type Inbound struct {
	// ProviderMessageID is the provider's id of the inbound message.
	ProviderMessageID string
	// From is the phone number that sent the message, in E.164 form.
	From string
	// To is our sender that received it.
	To string
	// Body is the text as received. It is user input: never trust it.
	Body string
	// Keyword is ClassifyKeyword(Body).
	Keyword Keyword
}

// ClassifyKeyword tells whether an inbound message body is one of the
// standard opt-out, opt-in or help keywords used by carriers and providers.
// The whole body must be the keyword, ignoring case, surrounding white space
// and trailing punctuation: "Stop", " STOP! " and "stop." are KeywordStop,
// "stop sending me codes" is KeywordNone.
//
// Opt-out: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE.
// Opt-in: START, YES, UNSTOP. Help: HELP, INFO. Anything else, including an
// empty body, is KeywordNone.
func ClassifyKeyword(body string) Keyword {
	word := strings.TrimSpace(body)
	word = strings.TrimRight(word, ".!?")
	word = strings.ToUpper(strings.TrimSpace(word))
	switch word {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE":
		return KeywordStop
	case "START", "YES", "UNSTOP":
		return KeywordStart
	case "HELP", "INFO":
		return KeywordHelp
	}
	return KeywordNone
}
