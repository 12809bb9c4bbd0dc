package vonage

import (
	"net/http"
	"strings"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// DefaultBaseURL is the SMS API's address.
const DefaultBaseURL = "https://rest.nexmo.com"

// Config is what a Vonage Provider needs.
type Config struct {
	// BaseURL is the API address; empty means DefaultBaseURL.
	BaseURL string
	// APIKey and APISecret authenticate every request.
	APIKey    string
	APISecret string
	// From is the sender used when a message has none: a number in E.164
	// form or an alphanumeric sender id. Vonage has no account default, so
	// a message with neither is refused with BadSender.
	From string
	// HTTPClient sends the requests; nil means a client with a 3 s timeout
	// that follows no redirects.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now. It turns
	// Message.Expires into a ttl and reads Retry-After dates.
	Now func() time.Time
}

// Provider sends messages through one Vonage account. It is safe for
// concurrent use.
type Provider struct {
	endpoint  string
	apiKey    string
	apiSecret string
	from      string
	client    *http.Client
	now       func() time.Time
}

var _ sms.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It fails when APIKey or APISecret is
// empty (naming the missing credential) or when BaseURL is not an absolute
// http(s) URL.
func New(cfg Config) (*Provider, error) {
	if err := smshttp.Missing("vonage", []string{"api_key", "api_secret"}, cfg.APIKey, cfg.APISecret); err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if _, err := smshttp.ParseBase("vonage", base); err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Provider{
		endpoint:  strings.TrimRight(base, "/") + "/sms/json",
		apiKey:    cfg.APIKey,
		apiSecret: cfg.APISecret,
		from:      cfg.From,
		client:    smshttp.Client(cfg.HTTPClient),
		now:       now,
	}, nil
}

// FromCredentials returns a Provider from the credentials an operator gives
// on the command line: "api_key" and "api_secret", both required. baseURL
// may be empty. It fails on an unknown credential name, naming it, and as
// New does.
func FromCredentials(baseURL string, creds map[string]string) (*Provider, error) {
	if err := smshttp.CheckNames("vonage", creds, "api_key", "api_secret"); err != nil {
		return nil, err
	}
	return New(Config{BaseURL: baseURL, APIKey: creds["api_key"], APISecret: creds["api_secret"]})
}
