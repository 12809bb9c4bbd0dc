package twilio

import (
	"net/http"
	"net/url"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// DefaultBaseURL is Twilio's API address.
const DefaultBaseURL = "https://api.twilio.com"

// Type is the provider type of Twilio accounts, as an operator writes it.
const Type = "twilio"

// The credentials an operator gives for a Twilio provider.
const (
	credAccountSID          = "account_sid"
	credMessagingServiceSID = "messaging_service_sid"
	// credVoiceFrom is the Twilio number (E.164) calls come from when the
	// route has no number sender; without it and without one, the account
	// places no calls.
	credVoiceFrom = "voice_from"
	// CredAuthToken is the account's auth token, which also signs
	// Twilio's callbacks (see VerifySignature).
	CredAuthToken = "auth_token"
)

// Kind describes Twilio as a provider type: the credentials account_sid
// and auth_token (required) and messaging_service_sid (optional, the
// sender of messages without one), and Messaging Service SIDs as senders.
func Kind() sms.Kind {
	return sms.Kind{
		Name:        Type,
		Required:    []string{credAccountSID, CredAuthToken},
		Optional:    []string{credMessagingServiceSID, credVoiceFrom},
		PoolSenders: true,
		Make: func(baseURL string, creds map[string]string) (sms.Provider, error) {
			return sms.Made(New(Config{BaseURL: baseURL, AccountSID: creds[credAccountSID], AuthToken: creds[CredAuthToken],
				MessagingServiceSID: creds[credMessagingServiceSID], VoiceFrom: creds[credVoiceFrom]}))
		},
	}
}

// Config is what a Twilio Provider needs.
type Config struct {
	// BaseURL is the API address; empty means DefaultBaseURL.
	BaseURL string
	// AccountSID is the account id ("AC…"), also the basic-auth user.
	AccountSID string
	// AuthToken is the account's auth token, the basic-auth password. It
	// also signs Twilio's callbacks (see VerifySignature).
	AuthToken string
	// MessagingServiceSID ("MG…"), when set, is the sender used for
	// messages whose From is empty.
	MessagingServiceSID string
	// VoiceFrom is the Twilio number (E.164) voice calls come from; empty
	// means the account places no calls (see Call).
	VoiceFrom string
	// HTTPClient sends the requests; nil means a client with a 3 s timeout
	// that follows no redirects.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now. It turns
	// Message.Expires into a validity period and reads Retry-After dates.
	Now func() time.Time
}

// Provider sends messages through one Twilio account. It is safe for
// concurrent use.
type Provider struct {
	endpoint            string
	accountSID          string
	authToken           string
	messagingServiceSID string
	callsEndpoint       string
	voiceFrom           string
	client              *http.Client
	now                 func() time.Time
}

var _ sms.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It fails when AccountSID or AuthToken is
// empty (naming the missing credential) or when BaseURL is not an absolute
// http(s) URL.
func New(cfg Config) (*Provider, error) {
	if err := smshttp.Missing(Type, []string{credAccountSID, CredAuthToken}, cfg.AccountSID, cfg.AuthToken); err != nil {
		return nil, err
	}
	base, err := smshttp.Base(Type, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	return &Provider{
		endpoint:            base + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Messages.json",
		accountSID:          cfg.AccountSID,
		authToken:           cfg.AuthToken,
		messagingServiceSID: cfg.MessagingServiceSID,
		callsEndpoint:       base + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Calls.json",
		voiceFrom:           cfg.VoiceFrom,
		client:              smshttp.Client(cfg.HTTPClient),
		now:                 smshttp.Clock(cfg.Now),
	}, nil
}
