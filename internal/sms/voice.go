package sms

import (
	"context"
	"strings"
)

// Channel is how a message reaches the recipient.
type Channel string

// The channels. The zero value is a text message.
const (
	ChannelSMS   Channel = ""
	ChannelVoice Channel = "voice"
)

// Speech is what a voice call says: phrases read out in order, with a
// pause between them, in Language.
type Speech struct {
	// Language is a BCP 47 tag such as "en-US" or "de-DE": the voice the
	// provider reads with.
	Language string
	// Parts are the phrases. They hold the code: never log them.
	Parts []string
}

// Text is the speech as one text, the phrases separated by spaces.
func (s Speech) Text() string { return strings.Join(s.Parts, " ") }

// Caller is a Provider that can also place a voice call that reads a
// message out. A provider that is not a Caller (or whose CanCall is false)
// is skipped for voice messages.
type Caller interface {
	Provider
	// CanCall reports whether the account is set up to place calls.
	CanCall() bool
	// Call places a call to msg.To that reads msg.Speech out (msg.Body is
	// the same as one text) and returns the provider's id for the call.
	// Failures are *Error values, classified as for Send.
	Call(ctx context.Context, msg Message) (providerCallID string, err error)
}

// canCall reports whether p places calls.
func canCall(p Provider) (Caller, bool) {
	c, ok := p.(Caller)
	return c, ok && c.CanCall()
}

// IsE164 reports whether s looks like an E.164 number ("+" and digits):
// the kind of sender a call can come from.
func IsE164(s string) bool {
	if len(s) < 3 || s[0] != '+' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
