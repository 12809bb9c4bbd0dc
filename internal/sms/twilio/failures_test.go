package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"smsmfa/internal/sms/internal/adaptertest"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
)

func TestSendHTTPFailures(t *testing.T) {
	msg := sms.Message{To: "+15551234567", From: "+15557654321", Body: testBody}
	newProvider := func(t *testing.T, h http.HandlerFunc) *twilio.Provider {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		p, err := twilio.New(twilio.Config{BaseURL: srv.URL, AccountSID: testSID, AuthToken: testToken, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("ErrThrottled", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		})
		_, err := p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "20429")
		if e.RetryAfter != 7*time.Second {
			t.Errorf("RetryAfter = %v, want 7s", e.RetryAfter)
		}
		if e.Class() != sms.Transient {
			t.Errorf("class = %v", e.Class())
		}
	})

	t.Run("ErrThrottledPlain429", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", testNow.Add(30*time.Second).Format(http.TimeFormat))
			http.Error(w, "slow down", http.StatusTooManyRequests)
		})
		_, err := p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "HTTP 429")
		if e.RetryAfter != 30*time.Second {
			t.Errorf("RetryAfter = %v, want 30s", e.RetryAfter)
		}
	})

	t.Run("ErrServerError", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>Service Unavailable</html>", http.StatusServiceUnavailable)
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "HTTP 503")
	})

	t.Run("ErrUnknownCode", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			twilioError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Unknown, "21617")
	})

	t.Run("ErrEchoedSecretsRedacted", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			twilioError(w, http.StatusBadRequest, 21211, "bad request "+r.PostForm.Get("Body")+" with "+testToken)
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.InvalidNumber, "21211")
		adaptertest.MustNotLeak(t, err, testBody, testToken)
	})

	t.Run("ErrCreatedWithoutSid", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"status":"queued"}`))
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		p, err := twilio.New(twilio.Config{BaseURL: adaptertest.ClosedURL(t), AccountSID: testSID, AuthToken: testToken})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
		adaptertest.MustNotLeak(t, err, testSID, testToken, testBody)
	})
}

func TestSendTimeout(t *testing.T) {
	msg := sms.Message{To: "+15551234567", From: "+15557654321", Body: testBody}
	srv := adaptertest.BlockingServer(t)

	t.Run("ErrClientTimeout", func(t *testing.T) {
		p, err := twilio.New(twilio.Config{BaseURL: srv.URL, AccountSID: testSID, AuthToken: testToken,
			HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
		adaptertest.MustNotLeak(t, err, testSID, testToken, testBody)
	})

	t.Run("ErrSlowBody", func(t *testing.T) {
		stop := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"sid":`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		}))
		defer slow.Close()
		defer close(stop)
		p, err := twilio.New(twilio.Config{BaseURL: slow.URL, AccountSID: testSID, AuthToken: testToken,
			HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
	})

	t.Run("ErrContextDeadline", func(t *testing.T) {
		p, err := twilio.New(twilio.Config{BaseURL: srv.URL, AccountSID: testSID, AuthToken: testToken})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err = p.Send(ctx, msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
	})

	t.Run("ErrContextCancelled", func(t *testing.T) {
		p, err := twilio.New(twilio.Config{BaseURL: srv.URL, AccountSID: testSID, AuthToken: testToken})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err = p.Send(ctx, msg)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}
