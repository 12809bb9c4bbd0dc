package mfa

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// TextKind says how the text of a field is made fit to store.
type TextKind int

// Text kinds.
const (
	// Identifier text names something (a login, a locale, a provider). It
	// is refused, never changed, unless it is valid UTF-8 of printable
	// characters without spaces: changing it could make two names one.
	Identifier TextKind = iota
	// Verbatim text is kept exactly as given (a secret, where a changed
	// character is a wrong one). It is refused unless it is valid UTF-8
	// of printable characters; spaces are allowed.
	Verbatim
	// Line is one line of free text (a name, a relay state). It is
	// cleaned by CleanText; tabs and line breaks become spaces.
	Line
	// Paragraph is free text of several lines (an SMS template). It is
	// cleaned by CleanText; line breaks are kept.
	Paragraph
)

// Field is a text field that reaches storage, with its cap.
type Field struct {
	Name  string // as the API and the forms name it: the prefix of a refusal
	Label string // as a sentence names it
	Max   int    // characters (a character is 1 to 4 bytes of UTF-8)
	Kind  TextKind
}

// The caps of every text field that reaches storage: the one table. What a
// person types gets room to spare; what a machine sends gets the room
// its standard gives (an Okta relay state, a URL).
var (
	FieldLogin          = Field{"login", "login", 256, Identifier}
	FieldEmail          = Field{"email", "email", 256, Identifier}
	FieldFirstName      = Field{"firstName", "first name", 100, Line}
	FieldLastName       = Field{"lastName", "last name", 100, Line}
	FieldLocale         = Field{"locale", "locale", 35, Identifier}
	FieldTimeZone       = Field{"timeZone", "time zone", 64, Identifier}
	FieldRelayState     = Field{"relayState", "relay state", 2048, Line}
	FieldSearch         = Field{"q", "search", 200, Line}
	FieldTokenName      = Field{"name", "token name", 100, Line}
	FieldProviderName   = Field{"name", "provider name", 40, Identifier}
	FieldProviderURL    = Field{"url", "provider URL", 2048, Identifier}
	FieldCredential     = Field{"credential", "credential", 4096, Verbatim}
	FieldTemplate       = Field{"template", "message text", 300, Paragraph}
	FieldTemplateLocale = Field{"locale", "locale", 10, Identifier}
	FieldSettingValue   = Field{"value", "setting", 2048, Line}
	FieldRedirect       = Field{"redirectUrl", "address to go to", 2048, Identifier}
	FieldAppName        = Field{"name", "application name", 100, Line}
	FieldRedirectURI    = Field{"redirect_uri", "redirect URI", 2048, Identifier}
	// What a request tells about its client, kept with the system log.
	FieldUserAgent = Field{"userAgent", "user agent", 512, Line}
	FieldClientIP  = Field{"clientIp", "client address", 64, Line}
	FieldRequestID = Field{"requestId", "request id", 64, Line}
	// The system log's own text: cut, never refused.
	FieldEventParty  = Field{"party", "actor or target", 256, Line}
	FieldEventText   = Field{"message", "message", 1024, Line}
	FieldEventDetail = Field{"detail", "detail", 1024, Line}
)

// Fields lists the table above, for documentation and tests.
func Fields() []Field {
	return []Field{FieldLogin, FieldEmail, FieldFirstName, FieldLastName, FieldLocale, FieldTimeZone, FieldRelayState, FieldSearch,
		FieldTokenName, FieldProviderName, FieldProviderURL, FieldCredential, FieldTemplate, FieldTemplateLocale, FieldSettingValue,
		FieldRedirect, FieldAppName, FieldRedirectURI, FieldUserAgent, FieldClientIP, FieldRequestID, FieldEventParty, FieldEventText, FieldEventDetail}
}

// CleanText returns s fit to store: valid UTF-8 (each run of bytes that is
// not becomes U+FFFD), without NUL or any other control character, and
// without the invisible characters that reorder text on screen
// (bidirectional embeddings, overrides and isolates), so that a log line
// cannot hide or disguise what it says. Tabs and line breaks become
// spaces, unless keepLines, which keeps line breaks as "\n".
func CleanText(s string, keepLines bool) string {
	if isClean(s, keepLines) {
		return s
	}
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if keepLines {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isClean reports whether CleanText would leave s as it is.
func isClean(s string, keepLines bool) bool {
	if keepLines {
		return onlyControls(s, "\n")
	}
	return onlyControls(s, "")
}

// Typeable reports whether s is text a person can type into a form: valid
// UTF-8 whose only control characters are tabs and line breaks, without
// bidirectional controls. A form holding anything else was not typed.
func Typeable(s string) bool { return onlyControls(s, "\t\r\n") }

// onlyControls reports whether s is valid UTF-8 whose control characters
// (bidirectional controls and the Unicode line separators included) are
// all in keep.
func onlyControls(s, keep string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (unicode.IsControl(r) || isBidiControl(r) || r == '\u2028' || r == '\u2029') && !strings.ContainsRune(keep, r) {
			return false
		}
	}
	return true
}

// isBidiControl reports the characters that change the order text is
// shown in (U+202A–U+202E, U+2066–U+2069).
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// printable reports whether s is valid UTF-8 of printable characters
// (and without U+FFFD, the mark of bytes already replaced), with spaces
// when spaces.
func printable(s string, spaces bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || (unicode.IsSpace(r) && (!spaces || r != ' ')) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// Check returns v ready to store in f, or a refusal (RInvalidInput, its
// message prefixed with the field's name): an Identifier that holds
// anything but printable characters without spaces, or Verbatim text that
// holds anything but printable characters and spaces, is refused as it
// is; other text is cleaned by CleanText. Text longer than f.Max
// characters is refused.
func (f Field) Check(v string) (string, error) {
	switch f.Kind {
	case Identifier:
		if !printable(v, false) {
			return "", Errorf(EInvalid, RInvalidInput, "%s: The %s may hold only printable characters, without spaces.", f.Name, f.Label)
		}
	case Verbatim:
		if !printable(v, true) {
			return "", Errorf(EInvalid, RInvalidInput, "%s: The %s may hold only printable characters.", f.Name, f.Label)
		}
	default:
		v = CleanText(v, f.Kind == Paragraph)
	}
	if utf8.RuneCountInString(v) > f.Max {
		return "", Errorf(EInvalid, RInvalidInput, "%s: The %s must be at most %d characters.", f.Name, f.Label, f.Max)
	}
	return v, nil
}

// Clip returns v cleaned by CleanText and, when longer than f.Max
// characters, cut to f.Max ending in "…": for text that is kept whatever
// it is (the system log, a form shown again).
func (f Field) Clip(v string) string {
	v = CleanText(v, f.Kind == Paragraph)
	if utf8.RuneCountInString(v) <= f.Max {
		return v
	}
	n := 0
	for i := range v {
		if n == f.Max-1 {
			return v[:i] + "…"
		}
		n++
	}
	return v
}

// clip returns p with every text cut to the system log's caps.
func (p Party) clip() Party {
	return Party{ID: FieldEventParty.Clip(p.ID), Type: FieldEventParty.Clip(p.Type),
		AlternateID: FieldEventParty.Clip(p.AlternateID), DisplayName: FieldEventParty.Clip(p.DisplayName)}
}

// clip cleans and cuts every text of e to the system log's caps. The
// details are copied, not changed in place.
func (e *Event) clip() {
	e.Type, e.Severity, e.Outcome = FieldEventParty.Clip(e.Type), FieldEventParty.Clip(e.Severity), FieldEventParty.Clip(e.Outcome)
	e.Message, e.Reason = FieldEventText.Clip(e.Message), FieldEventText.Clip(e.Reason)
	e.Actor, e.Target = e.Actor.clip(), e.Target.clip()
	e.ClientIP, e.UserAgent, e.RequestID = FieldClientIP.Clip(e.ClientIP), FieldUserAgent.Clip(e.UserAgent), FieldRequestID.Clip(e.RequestID)
	if e.Details != nil {
		d := make(map[string]string, len(e.Details))
		for k, v := range e.Details {
			d[FieldEventParty.Clip(k)] = FieldEventDetail.Clip(v)
		}
		e.Details = d
	}
}

// providerTextProblems lists what in p's name, address and credentials is
// not fit to store (FieldProviderName, FieldProviderURL, FieldCredential),
// in the words of the provider's other problems. A name is also used in
// URL paths (callbacks, the console), so it holds no slash, ? or #.
func providerTextProblems(p ProviderConfig) []string {
	var out []string
	if _, err := FieldProviderName.Check(p.Name); err != nil || p.Name == "" || strings.ContainsAny(p.Name, "/\\?#") {
		out = append(out, fmt.Sprintf("name: 1 to %d printable characters without spaces or slashes", FieldProviderName.Max))
	}
	if _, err := FieldProviderURL.Check(p.BaseURL); err != nil {
		out = append(out, fmt.Sprintf("url: at most %d printable characters without spaces", FieldProviderURL.Max))
	}
	for _, k := range slices.Sorted(maps.Keys(p.Credentials)) {
		_, kerr := FieldCredential.Check(k)
		if _, verr := FieldCredential.Check(p.Credentials[k]); kerr != nil || verr != nil {
			out = append(out, fmt.Sprintf("credential %.40q: at most %d printable characters", k, FieldCredential.Max))
		}
	}
	return out
}

// EvRequestBlocked records a request refused for what it carried: a body
// over the size limit, an address to go to that is not allowed (Okta's
// event type for a blocked request).
const EvRequestBlocked = "security.request.blocked"

// Blocked-request reasons (EvRequestBlocked's reason).
const (
	BlockedTooLarge = "body_too_large"   // a form or JSON body over its limit
	BlockedNotText  = "form_not_typed"   // a form holding what nobody types (NUL, control characters)
	BlockedRedirect = "redirect_refused" // an address to go to that is not allowed
)

// RecordBlocked records in the system log that a request was refused for
// what it carried (reason, one of the Blocked* constants; detail, a short
// fact such as the path). One address is recorded at most once a minute
// per reason, so an attacker cannot fill the log with these.
func (s *Org) RecordBlocked(ctx context.Context, reason, detail string) error {
	return s.run(ctx, func(tx Tx) error {
		c := ClientFrom(ctx)
		now := s.clock.Now()
		n, err := tx.AddCount(ctx, "blocked:"+reason+":"+AddressBucket(c.IP), windowStart(now, time.Minute), 1)
		if err != nil || n > 1 {
			return err
		}
		return s.record(ctx, tx, Event{Type: EvRequestBlocked, Target: SystemActor, Outcome: OutcomeDeny, Reason: reason,
			Message: "Request refused for what it carried", Details: map[string]string{"what": detail}})
	})
}
