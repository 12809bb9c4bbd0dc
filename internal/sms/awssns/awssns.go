package awssns

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/awsx"
	"smsmfa/internal/sms/internal/smshttp"
)

// Type is the provider type of SNS accounts, as an operator writes it.
const Type = "aws-sns"

// Kind describes SNS as a provider type: the credentials access_key_id,
// secret_access_key and region, all required.
func Kind() sms.Kind {
	return sms.Kind{
		Name:     Type,
		Required: awsx.RequiredNames(),
		Make: func(baseURL string, creds map[string]string) (sms.Provider, error) {
			c := awsx.FromMap(creds)
			return sms.Made(New(Config{BaseURL: baseURL, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Region: c.Region}))
		},
	}
}

// Config is what an SNS Provider needs.
type Config struct {
	// BaseURL overrides the SNS endpoint; empty means the SDK's endpoint
	// for Region.
	BaseURL string
	// AccessKeyID and SecretAccessKey sign every request (SigV4).
	AccessKeyID     string
	SecretAccessKey string
	// Region is the AWS region, e.g. "us-east-1".
	Region string
	// HTTPClient sends the requests; nil means a client with a 3 s timeout
	// that follows no redirects.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now. It reads
	// Retry-After dates.
	Now func() time.Time
}

// Provider sends messages through SNS in one account and region. It is
// safe for concurrent use.
type Provider struct {
	client *sns.Client
	keyID  string
	secret string
	now    func() time.Time
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
	return &Provider{client: sns.NewFromConfig(ac), keyID: cfg.AccessKeyID, secret: cfg.SecretAccessKey, now: smshttp.Clock(cfg.Now)}, nil
}

// Send publishes msg to msg.To and returns SNS's MessageId. The message
// attributes mark it Transactional and carry the sender: a number (E.164
// or a short code) as AWS.MM.SMS.OriginationNumber, anything else as
// AWS.SNS.SMS.SenderID; an empty From leaves the choice to SNS. SNS has no
// validity period, so msg.Expires and msg.ID are not sent; delivery status
// comes from SNS's CloudWatch logs, not from msg.StatusCallback.
//
// Errors are *sms.Error: InvalidParameter, InvalidParameterValue and
// ValidationException are InvalidNumber when their message is about the
// phone number, BadSender when about SenderID or OriginationNumber, Unknown
// otherwise; OptedOut is OptedOut; Throttling, Throttled and
// ServiceQuotaExceededException are Throttled (with Retry-After when
// given); AuthorizationError, InvalidClientTokenId, SignatureDoesNotMatch,
// AccessDenied and the like are BadCredentials; InternalError and 5xx are
// ProviderDown; ProviderDown also for a refused connection or an answer
// without a MessageId; Timeout when the client timeout or ctx's deadline
// passes first. A cancelled ctx is returned wrapped. No error holds the
// body, the code or the keys.
func (p *Provider) Send(ctx context.Context, msg sms.Message) (string, error) {
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": stringAttr("Transactional"),
	}
	switch {
	case isNumber(msg.From):
		attrs["AWS.MM.SMS.OriginationNumber"] = stringAttr(msg.From)
	case msg.From != "":
		attrs["AWS.SNS.SMS.SenderID"] = stringAttr(msg.From)
	}
	out, err := p.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(msg.To),
		Message:           aws.String(msg.Body),
		MessageAttributes: attrs,
	})
	if err != nil {
		return "", awsx.MapError(ctx, err, p.now(), refine, append(msg.Sensitive(), p.secret, p.keyID)...)
	}
	if out.MessageId == nil || *out.MessageId == "" {
		return "", sms.NewError(sms.ProviderDown, "", "answer without a MessageId")
	}
	return *out.MessageId, nil
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

// isNumber reports whether s is a phone number or short code rather than
// an alphanumeric sender id.
func isNumber(s string) bool {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// refine maps SNS's parameter errors, whose code alone does not say which
// parameter was wrong.
func refine(code, message string, _ error) (sms.Reason, string, bool) {
	switch code {
	case "InvalidParameter", "InvalidParameterValue", "ValidationException":
		m := strings.ToLower(message)
		switch {
		case strings.Contains(m, "senderid") || strings.Contains(m, "sender id") ||
			strings.Contains(m, "originationnumber") || strings.Contains(m, "origination number"):
			return sms.BadSender, code, true
		case strings.Contains(m, "phonenumber") || strings.Contains(m, "phone number"):
			return sms.InvalidNumber, code, true
		}
		return sms.Unknown, code, true
	}
	return "", "", false
}
