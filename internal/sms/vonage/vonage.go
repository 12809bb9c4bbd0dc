package vonage

import (
	"crypto/rsa"
	"net/http"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// DefaultBaseURL is the SMS API's address.
const DefaultBaseURL = "https://rest.nexmo.com"

// Type is the provider type of Vonage accounts, as an operator writes it.
const Type = "vonage"

// The credentials an operator gives for a Vonage provider.
const (
	credAPIKey    = "api_key"
	credAPISecret = "api_secret"
	// CredSignatureSecret checks the signature of delivery receipts (see
	// VerifySignature); sending does not use it.
	CredSignatureSecret = "signature_secret"
	// The Voice API authenticates with an application's id and private
	// key (a JWT), not the account's key and secret; voice_from is the
	// Vonage number calls come from. With all three the account places
	// calls.
	credApplicationID = "application_id"
	credPrivateKey    = "private_key"
	credVoiceFrom     = "voice_from"
)

// DefaultVoiceBaseURL is the Voice API's address (the SMS API has its own).
const DefaultVoiceBaseURL = "https://api.nexmo.com"

// Kind describes Vonage as a provider type: the credentials api_key and
// api_secret (required) and signature_secret (optional, for receipts).
func Kind() sms.Kind {
	return sms.Kind{
		Name:     Type,
		Required: []string{credAPIKey, credAPISecret},
		Optional: []string{credApplicationID, credPrivateKey, credVoiceFrom},
		Receipts: []string{CredSignatureSecret},
		Make: func(baseURL string, creds map[string]string) (sms.Provider, error) {
			return sms.Made(New(Config{BaseURL: baseURL, APIKey: creds[credAPIKey], APISecret: creds[credAPISecret],
				ApplicationID: creds[credApplicationID], PrivateKey: creds[credPrivateKey], VoiceFrom: creds[credVoiceFrom]}))
		},
	}
}

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
	// ApplicationID and PrivateKey (PEM, PKCS#8 as Vonage issues it, or
	// PKCS#1) sign the Voice API's JWTs; VoiceFrom is the number calls
	// come from. Without all three the account places no calls.
	ApplicationID string
	PrivateKey    string
	VoiceFrom     string
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
	calls     string // the Voice API's /v1/calls
	appID     string
	key       *rsa.PrivateKey
	voiceFrom string
	client    *http.Client
	now       func() time.Time
}

var _ sms.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It fails when APIKey or APISecret is
// empty (naming the missing credential) or when BaseURL is not an absolute
// http(s) URL.
func New(cfg Config) (*Provider, error) {
	if err := smshttp.Missing(Type, []string{credAPIKey, credAPISecret}, cfg.APIKey, cfg.APISecret); err != nil {
		return nil, err
	}
	base, err := smshttp.Base(Type, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		endpoint:  base + "/sms/json",
		apiKey:    cfg.APIKey,
		apiSecret: cfg.APISecret,
		from:      cfg.From,
		client:    smshttp.Client(cfg.HTTPClient),
		now:       smshttp.Clock(cfg.Now),
	}
	voiceBase := DefaultVoiceBaseURL
	if cfg.BaseURL != "" { // an operator's address (or an emulator) serves both APIs
		voiceBase = base
	}
	p.calls, p.appID, p.voiceFrom = voiceBase+"/v1/calls", cfg.ApplicationID, cfg.VoiceFrom
	if cfg.PrivateKey != "" {
		if p.key, err = parsePrivateKey(cfg.PrivateKey); err != nil {
			return nil, err
		}
	}
	return p, nil
}
