package webhook

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"smsmfa/internal/randid"
	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// The request types of Okta's telephony hook; Config.RequestType picks one.
const (
	RequestMFAVerification = "com.okta.user.telephony.mfa-verification"
	RequestPreEnrollment   = "com.okta.user.telephony.pre-enrollment"
	RequestAccountUnlock   = "com.okta.user.telephony.account-unlock"
	RequestPasswordReset   = "com.okta.user.telephony.password-reset"
)

// DefaultHeader carries the shared secret when Config.Header is empty.
const DefaultHeader = "Authorization"

// Type is the provider type of webhooks, as an operator writes it.
const Type = "webhook"

// The credentials an operator gives for a webhook provider.
const (
	credSecret = "secret"
	credHeader = "header"
)

// Kind describes the webhook as a provider type: its URL (required, there
// is no public one) and the credentials secret (required) and header
// (optional, the header name).
func Kind() sms.Kind {
	return sms.Kind{
		Name:     Type,
		Required: []string{credSecret},
		Optional: []string{credHeader},
		NeedsURL: true,
		Make: func(baseURL string, creds map[string]string) (sms.Provider, error) {
			return sms.Made(New(Config{BaseURL: baseURL, Secret: creds[credSecret], Header: creds[credHeader]}))
		},
	}
}

// Config is what a webhook Provider needs.
type Config struct {
	// BaseURL is the full URL the hook is POSTed to (required). Use https
	// outside tests: the secret travels in a header.
	BaseURL string
	// Secret is the shared secret: sent as the value of Header, and the key
	// of the X-Smsmfa-Signature HMAC.
	Secret string
	// Header names the header carrying Secret; empty means "Authorization".
	Header string
	// RequestType is the event's requestType; empty means
	// RequestMFAVerification.
	RequestType string
	// Source is the event's source; empty means "smsmfa".
	Source string
	// Locale is messageProfile.locale; empty means "EN-US".
	Locale string
	// HTTPClient sends the requests; nil means a client with a 3 s
	// timeout (Okta's limit for the telephony hook) that follows no
	// redirects, so the secret header is never replayed elsewhere.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now. It dates the event
	// and the signature and reads Retry-After dates.
	Now func() time.Time
	// NewID returns a fresh event id; nil means a random id (randid.ID).
	NewID func() string
}

// Provider sends messages to one webhook endpoint. It is safe for
// concurrent use.
type Provider struct {
	url         string
	secret      string
	header      string
	requestType string
	source      string
	locale      string
	client      *http.Client
	now         func() time.Time
	newID       func() string
}

var _ sms.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It fails when BaseURL is not an absolute
// http(s) URL, when Secret is empty (naming the "secret" credential) or
// holds a line break, or when Header is not a valid header name or is one
// the request already uses (Content-Type, X-Smsmfa-Signature, …).
func New(cfg Config) (*Provider, error) {
	if _, err := smshttp.ParseBase(Type, cfg.BaseURL); err != nil {
		return nil, err
	}
	if err := smshttp.Missing(Type, []string{credSecret}, cfg.Secret); err != nil {
		return nil, err
	}
	p := &Provider{
		url:         cfg.BaseURL,
		secret:      cfg.Secret,
		header:      cmp.Or(cfg.Header, DefaultHeader),
		requestType: cmp.Or(cfg.RequestType, RequestMFAVerification),
		source:      cmp.Or(cfg.Source, "smsmfa"),
		locale:      cmp.Or(cfg.Locale, "EN-US"),
		client:      smshttp.Client(cfg.HTTPClient),
		now:         smshttp.Clock(cfg.Now),
		newID:       cfg.NewID,
	}
	if !validHeaderName(p.header) {
		return nil, fmt.Errorf("webhook: %q is not a valid header name", p.header)
	}
	switch http.CanonicalHeaderKey(p.header) {
	case "Content-Type", "Content-Length", "Accept", "Host", "Transfer-Encoding", SignatureHeader:
		return nil, fmt.Errorf("webhook: header %q is reserved", p.header)
	}
	if strings.ContainsAny(p.secret, "\r\n") {
		return nil, errors.New("webhook: the secret must not contain line breaks")
	}
	if p.newID == nil {
		p.newID = func() string { return randid.ID("") }
	}
	return p, nil
}

// validHeaderName reports whether s is an HTTP token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= 0x20 || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}
