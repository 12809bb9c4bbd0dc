package awseum_test

import (
	"net/http"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

func TestSendHTTPFailures(t *testing.T) {
	adaptertest.RunHTTPFailures(t, withClient, adaptertest.Message("+15551234567", ""), []adaptertest.HTTPFailure{
		{Name: "ErrThrottled", Reason: sms.Throttled, Code: "ThrottlingException", RetryAfter: 4 * time.Second,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "4")
				awsError(w, http.StatusTooManyRequests, "ThrottlingException", map[string]any{"Message": "Rate exceeded"})
			}},
		// The SDK would retry a throttled 503 on its own; the adapter must not.
		{Name: "ErrThrottled503NotRetried", Reason: sms.Throttled, Code: "ThrottlingException",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				awsError(w, http.StatusServiceUnavailable, "ThrottlingException", map[string]any{"Message": "slow down"})
			}},
		{Name: "ErrOtherQuota", Reason: sms.Throttled, Code: "ServiceQuotaExceededException:DAILY_DESTINATION_CALL_LIMIT",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				awsError(w, http.StatusBadRequest, "ServiceQuotaExceededException", map[string]any{"Message": "quota", "Reason": "DAILY_DESTINATION_CALL_LIMIT"})
			}},
		{Name: "ErrAccessDenied", Reason: sms.BadCredentials, Code: "AccessDeniedException:ACCOUNT_DISABLED",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				awsError(w, http.StatusForbidden, "AccessDeniedException", map[string]any{"Message": "denied", "Reason": "ACCOUNT_DISABLED"})
			}},
		{Name: "ErrHTMLServerError", Reason: sms.ProviderDown,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "<html>503</html>", http.StatusServiceUnavailable)
			}},
		{Name: "ErrMalformedSuccess", Reason: sms.ProviderDown,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{}`))
			}},
		{Name: "ErrEchoedSecretsRedacted", Reason: sms.Unknown, Code: "ValidationException:OTHER",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				awsError(w, http.StatusBadRequest, "ValidationException", map[string]any{
					"Message": "MessageBody " + adaptertest.Body + " (code " + adaptertest.Code + ") rejected; key " + awstest.SecretAccessKey, "Reason": "OTHER"})
			}},
	}, awstest.SecretAccessKey)
}

func TestSendTransportFailures(t *testing.T) {
	adaptertest.RunTransportFailures(t, withClient, adaptertest.Message("+15551234567", ""), awstest.SecretAccessKey)
}
