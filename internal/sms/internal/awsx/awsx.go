package awsx

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

// The credentials every AWS provider requires, as an operator names them.
const (
	credAccessKeyID     = "access_key_id"
	credSecretAccessKey = "secret_access_key"
	credRegion          = "region"
)

// RequiredNames returns the credentials every AWS provider requires, in
// the order Credentials holds them.
func RequiredNames() []string { return []string{credAccessKeyID, credSecretAccessKey, credRegion} }

// Credentials identify an AWS account and region.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	Region          string
}

// Validate returns an error naming each empty credential, prefixed with
// provider, or nil.
func (c Credentials) Validate(provider string) error {
	return smshttp.Missing(provider, RequiredNames(), c.AccessKeyID, c.SecretAccessKey, c.Region)
}

// FromMap reads the credentials from an operator's map, whose names the
// adapter's sms.Kind has checked.
func FromMap(creds map[string]string) Credentials {
	return Credentials{AccessKeyID: creds[credAccessKeyID], SecretAccessKey: creds[credSecretAccessKey], Region: creds[credRegion]}
}

// NewConfig returns an aws.Config that signs with c, sends through
// httpClient (nil: a client with smshttp.DefaultTimeout) and, when baseURL
// is set, to that endpoint instead of the SDK's for the region. The SDK's
// own retries are off: failover to the next provider is the router's job
// and must fit in a second or two. Nothing is read from the environment or
// shared config files. It fails, naming provider, when a credential is
// empty or baseURL is set but not an absolute http(s) URL.
func NewConfig(provider string, c Credentials, baseURL string, httpClient *http.Client) (aws.Config, error) {
	if err := c.Validate(provider); err != nil {
		return aws.Config{}, err
	}
	cfg := aws.Config{
		Region:           c.Region,
		Credentials:      credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, ""),
		HTTPClient:       smshttp.Client(httpClient),
		Retryer:          func() aws.Retryer { return aws.NopRetryer{} },
		RetryMaxAttempts: 1,
	}
	if baseURL != "" {
		if _, err := smshttp.ParseBase(provider, baseURL); err != nil {
			return aws.Config{}, err
		}
		cfg.BaseEndpoint = aws.String(strings.TrimRight(baseURL, "/"))
	}
	return cfg, nil
}

// Refine maps a service's own error codes: given the API error code, its
// message and the whole error (for errors.As on the service's typed
// errors), it returns the reason and the code to report, or ok false to
// fall back to the codes every AWS service shares.
type Refine func(code, message string, err error) (reason sms.Reason, reportCode string, ok bool)

// statusError is what the SDK's HTTP response errors implement.
type statusError interface {
	error
	HTTPStatusCode() int
	HTTPResponse() *smithyhttp.Response
}

// MapError turns an error from an SDK operation into an error for Send.
// When AWS answered with an API error, the result is an *sms.Error whose
// reason comes from refine, else from the codes shared by AWS services
// (see CommonReason), else from the HTTP status; Code is the API error
// code and Detail its message with secrets removed. An answer that could
// not be read is classed by HTTP status (a malformed 2xx is ProviderDown).
// Failures to get an answer go through smshttp.TransportError (Timeout,
// ProviderDown, or a wrapped cancellation).
func MapError(ctx context.Context, err error, now time.Time, refine Refine, secrets ...string) error {
	var header http.Header
	status := 0
	if se, ok := errors.AsType[statusError](err); ok && se.HTTPResponse() != nil {
		status = se.HTTPStatusCode()
		header = se.HTTPResponse().Header
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		code := ae.ErrorCode()
		msg := smshttp.Clean(ae.ErrorMessage(), secrets...)
		reason, reportCode, ok := sms.Unknown, code, false
		if refine != nil {
			reason, reportCode, ok = refine(code, msg, err)
		}
		if !ok {
			reportCode = code
			reason, ok = CommonReason(code)
		}
		if !ok && status != 0 {
			reason = smshttp.ReasonForStatus(status)
		}
		e := sms.NewError(reason, reportCode, msg)
		if reason == sms.Throttled && header != nil {
			e.RetryAfter = smshttp.RetryAfter(header, now)
		}
		return e
	}
	if status >= 300 {
		return smshttp.StatusError(status, header, now, "unreadable error answer")
	}
	if status != 0 {
		return sms.NewError(sms.ProviderDown, "HTTP "+strconv.Itoa(status), "unreadable answer")
	}
	return smshttp.TransportError(ctx, err)
}

// CommonReason maps the error codes that all AWS query and JSON services
// share, and reports whether code is one of them.
func CommonReason(code string) (sms.Reason, bool) {
	switch code {
	case "AuthorizationError", "InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
		"IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
		"AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException",
		"InvalidSecurity", "OptInRequired", "NotAuthorized":
		return sms.BadCredentials, true
	case "Throttling", "ThrottlingException", "Throttled", "ThrottledException",
		"TooManyRequestsException", "RequestLimitExceeded", "ServiceQuotaExceededException":
		return sms.Throttled, true
	case "InternalError", "InternalFailure", "InternalServerError", "InternalServerException",
		"ServiceUnavailable", "ServiceUnavailableException":
		return sms.ProviderDown, true
	case "OptedOut", "OptedOutException":
		return sms.OptedOut, true
	}
	return sms.Unknown, false
}
