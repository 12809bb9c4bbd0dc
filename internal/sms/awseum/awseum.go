package awseum

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/awsx"
	"smsmfa/internal/sms/internal/smshttp"
)

// Type is the provider type of End User Messaging accounts, as an operator
// writes it.
const Type = "aws-eum"

// credConfigurationSet is the optional credential naming the configuration
// set (Config.ConfigurationSetName).
const credConfigurationSet = "configuration_set"

// credVoiceOrigination is the optional credential naming the origination
// identity (a voice-capable number, its id or ARN, or a pool) that calls
// come from (Config.VoiceOrigination).
const credVoiceOrigination = "voice_origination"

// Kind describes End User Messaging SMS as a provider type: the
// credentials access_key_id, secret_access_key and region (required) and
// configuration_set (optional).
func Kind() sms.Kind {
	return sms.Kind{
		Name:     Type,
		Required: awsx.RequiredNames(),
		Optional: []string{credConfigurationSet, credVoiceOrigination},
		Make: func(baseURL string, creds map[string]string) (sms.Provider, error) {
			c := awsx.FromMap(creds)
			return sms.Made(New(Config{BaseURL: baseURL, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Region: c.Region,
				ConfigurationSetName: creds[credConfigurationSet], VoiceOrigination: creds[credVoiceOrigination]}))
		},
	}
}

// Config is what an End User Messaging Provider needs.
type Config struct {
	// BaseURL overrides the service endpoint; empty means the SDK's
	// endpoint for Region.
	BaseURL string
	// AccessKeyID and SecretAccessKey sign every request (SigV4).
	AccessKeyID     string
	SecretAccessKey string
	// Region is the AWS region, e.g. "us-east-1".
	Region string
	// ConfigurationSetName, when set, names the configuration set whose
	// event destinations receive delivery events.
	ConfigurationSetName string
	// VoiceOrigination is the origination identity voice calls come from
	// (SendVoiceMessage requires one); empty means the account places no
	// calls unless the route has a number sender.
	VoiceOrigination string
	// HTTPClient sends the requests; nil means a client with a 3 s timeout
	// that follows no redirects.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now. It turns
	// Message.Expires into TimeToLive and reads Retry-After dates.
	Now func() time.Time
}

// Provider sends messages through End User Messaging SMS in one account
// and region. It is safe for concurrent use.
type Provider struct {
	client           *pinpointsmsvoicev2.Client
	configurationSet string
	voiceOrigination string
	keyID            string
	secret           string
	now              func() time.Time
}

var _ sms.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It fails when AccessKeyID,
// SecretAccessKey or Region is empty (naming the missing credential) or
// when BaseURL is set but not an absolute http(s) URL.
func New(cfg Config) (*Provider, error) {
	creds := awsx.Credentials{AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey, Region: cfg.Region}
	ac, err := awsx.NewConfig(Type, creds, cfg.BaseURL, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	return &Provider{client: pinpointsmsvoicev2.NewFromConfig(ac), configurationSet: cfg.ConfigurationSetName, voiceOrigination: cfg.VoiceOrigination,
		keyID: cfg.AccessKeyID, secret: cfg.SecretAccessKey, now: smshttp.Clock(cfg.Now)}, nil
}
