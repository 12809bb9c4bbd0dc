package awssns_test

import (
	"net/http"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

func TestSendHTTPFailures(t *testing.T) {
	adaptertest.RunHTTPFailures(t, withClient, adaptertest.Message("+447700900001", ""), []adaptertest.HTTPFailure{
		{Name: "ErrThrottled", Reason: sms.Throttled, Code: "Throttling", RetryAfter: 3 * time.Second,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3")
				snsError(w, http.StatusTooManyRequests, "Sender", "Throttling", "Rate exceeded")
			}},
		{Name: "ErrThrottledCode", Reason: sms.Throttled, Code: "Throttled",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				snsError(w, http.StatusBadRequest, "Sender", "Throttled", "Rate exceeded")
			}},
		// The SDK would retry a 500 on its own; the adapter must not.
		{Name: "ErrInternalNotRetried", Reason: sms.ProviderDown, Code: "InternalError",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				snsError(w, http.StatusInternalServerError, "Receiver", "InternalError", "Internal Error")
			}},
		{Name: "ErrHTMLServerError", Reason: sms.ProviderDown,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "<html>503 Service Unavailable</html>", http.StatusServiceUnavailable)
			}},
		{Name: "ErrUnknownCodeBy5xx", Reason: sms.ProviderDown, Code: "SomethingNew",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				snsError(w, http.StatusBadGateway, "Receiver", "SomethingNew", "new failure")
			}},
		{Name: "ErrMalformedSuccess", Reason: sms.ProviderDown,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte("<PublishResponse><PublishResult></PublishResult></PublishResponse>"))
			}},
		{Name: "ErrEchoedSecretsRedacted", Reason: sms.Unknown, Code: "InvalidParameter",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				snsError(w, http.StatusBadRequest, "Sender", "InvalidParameter", "Invalid parameter: Message "+r.PostForm.Get("Message")+
					" (code "+adaptertest.Code+") key "+awstest.SecretAccessKey+" id "+awstest.AccessKeyID)
			}},
	}, awstest.SecretAccessKey, awstest.AccessKeyID)
}

func TestSendTransportFailures(t *testing.T) {
	adaptertest.RunTransportFailures(t, withClient, adaptertest.Message("+447700900001", ""), awstest.SecretAccessKey)
}
