package awseum

import (
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/awsx"
	"smsmfa/internal/sms/internal/smshttp"
)

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
	if err := creds.Validate("aws-eum"); err != nil {
		return nil, err
	}
	if cfg.BaseURL != "" {
		if _, err := smshttp.ParseBase("aws-eum", cfg.BaseURL); err != nil {
			return nil, err
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	client := pinpointsmsvoicev2.NewFromConfig(awsx.NewConfig(creds, cfg.HTTPClient), func(o *pinpointsmsvoicev2.Options) {
		if cfg.BaseURL != "" {
			o.BaseEndpoint = aws.String(strings.TrimRight(cfg.BaseURL, "/"))
		}
	})
	return &Provider{client: client, configurationSet: cfg.ConfigurationSetName, keyID: cfg.AccessKeyID, secret: cfg.SecretAccessKey, now: now}, nil
}

// FromCredentials returns a Provider from the credentials an operator gives
// on the command line: "access_key_id", "secret_access_key" and "region",
// all required, and "configuration_set" (optional, see
// Config.ConfigurationSetName). baseURL may be empty. It fails on an
// unknown credential name, naming it, and as New does.
func FromCredentials(baseURL string, creds map[string]string) (*Provider, error) {
	c, err := awsx.FromMap("aws-eum", creds, "configuration_set")
	if err != nil {
		return nil, err
	}
	return New(Config{
		BaseURL:              baseURL,
		AccessKeyID:          c.AccessKeyID,
		SecretAccessKey:      c.SecretAccessKey,
		Region:               c.Region,
		ConfigurationSetName: creds["configuration_set"],
	})
}
