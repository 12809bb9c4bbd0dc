package twilio_test

import (
	"net/http"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/twilio"
)

func TestSendHTTPFailures(t *testing.T) {
	adaptertest.RunHTTPFailures(t, withClient, adaptertest.Message("+15551234567", "+15557654321"), []adaptertest.HTTPFailure{
		{Name: "ErrThrottled", Reason: sms.Throttled, Code: "20429", RetryAfter: 7 * time.Second,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "7")
				twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
			}},
		{Name: "ErrThrottledPlain429", Reason: sms.Throttled, Code: "HTTP 429", RetryAfter: 30 * time.Second,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", adaptertest.Now.Add(30*time.Second).Format(http.TimeFormat))
				http.Error(w, "slow down", http.StatusTooManyRequests)
			}},
		{Name: "ErrServerError", Reason: sms.ProviderDown, Code: "HTTP 503",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "<html>Service Unavailable</html>", http.StatusServiceUnavailable)
			}},
		{Name: "ErrUnknownCode", Reason: sms.Unknown, Code: "21617",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				twilioError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
			}},
		{Name: "ErrEchoedSecretsRedacted", Reason: sms.InvalidNumber, Code: "21211",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				twilioError(w, http.StatusBadRequest, 21211, "bad request "+r.PostForm.Get("Body")+" (code "+adaptertest.Code+") with "+testToken)
			}},
		{Name: "ErrCreatedWithoutSid", Reason: sms.ProviderDown,
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte(`{"status":"queued"}`))
			}},
	}, testSID, testToken)
}

func TestSendTransportFailures(t *testing.T) {
	adaptertest.RunTransportFailures(t, withClient, adaptertest.Message("+15551234567", "+15557654321"), testSID, testToken)
}

func TestSendSlowBody(t *testing.T) {
	stop := make(chan struct{})
	url := adaptertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"sid":`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop) }) // runs before the server closes
	p := newProvider(t, url, func(c *twilio.Config) { c.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} })
	_, err := p.Send(t.Context(), adaptertest.Message("+15551234567", "+15557654321"))
	adaptertest.MustSMSError(t, err, sms.Timeout, "")
}
