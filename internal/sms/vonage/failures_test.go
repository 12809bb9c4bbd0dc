package vonage_test

import (
	"net/http"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
)

func TestSendHTTPFailures(t *testing.T) {
	adaptertest.RunHTTPFailures(t, withClient, adaptertest.Message("+15551234567", "Acme"), []adaptertest.HTTPFailure{
		{Name: "ErrHTTP429", Reason: sms.Throttled, Code: "HTTP 429", RetryAfter: 2 * time.Second,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "2")
				http.Error(w, `{"type":"https://developer.nexmo.com/api-errors/#throttled","title":"Throttled"}`, http.StatusTooManyRequests)
			}},
		{Name: "ErrStatusThrottledWithRetryAfter", Reason: sms.Throttled, Code: "1", RetryAfter: time.Second,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "1")
				reject(w, "1", "Throughput Rate Exceeded - please wait [ 1000 ] and retry")
			}},
		{Name: "ErrServerError", Reason: sms.ProviderDown, Code: "HTTP 502",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "bad gateway", http.StatusBadGateway)
			}},
		{Name: "ErrMalformed", Reason: sms.ProviderDown,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`<html>maintenance</html>`))
			}},
		{Name: "ErrSecondPartFailed", Reason: sms.ProviderDown, Code: "5",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				answer(w, map[string]string{"status": "0", "message-id": "A1"}, map[string]string{"status": "5", "error-text": "Internal Error"})
			}},
		{Name: "ErrEchoedSecretsRedacted", Reason: sms.Unknown, Code: "3",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				reject(w, "3", "Invalid text "+r.PostForm.Get("text")+" (code "+adaptertest.Code+") for "+r.PostForm.Get("api_secret"))
			}},
	}, testKey, testSecret)
}

func TestSendTransportFailures(t *testing.T) {
	adaptertest.RunTransportFailures(t, withClient, adaptertest.Message("+15551234567", "Acme"), testKey, testSecret)
}
