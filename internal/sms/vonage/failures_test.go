package vonage_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"smsmfa/internal/sms/internal/adaptertest"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/vonage"
)

func TestSendHTTPFailures(t *testing.T) {
	msg := sms.Message{To: "+15551234567", From: "Acme", Body: testBody}
	newProvider := func(t *testing.T, h http.HandlerFunc) *vonage.Provider {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		p, err := vonage.New(vonage.Config{BaseURL: srv.URL, APIKey: testKey, APISecret: testSecret, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("ErrHTTP429", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "2")
			http.Error(w, `{"type":"https://developer.nexmo.com/api-errors/#throttled","title":"Throttled"}`, http.StatusTooManyRequests)
		})
		_, err := p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "HTTP 429")
		if e.RetryAfter != 2*time.Second {
			t.Errorf("RetryAfter = %v, want 2s", e.RetryAfter)
		}
	})

	t.Run("ErrStatusThrottledWithRetryAfter", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			reject(w, "1", "Throughput Rate Exceeded - please wait [ 1000 ] and retry")
		})
		_, err := p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "1")
		if e.RetryAfter != time.Second {
			t.Errorf("RetryAfter = %v, want 1s", e.RetryAfter)
		}
	})

	t.Run("ErrServerError", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "HTTP 502")
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html>maintenance</html>`))
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
	})

	t.Run("ErrSecondPartFailed", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			answer(w, map[string]string{"status": "0", "message-id": "A1"}, map[string]string{"status": "5", "error-text": "Internal Error"})
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "5")
	})

	t.Run("ErrEchoedSecretsRedacted", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			reject(w, "3", "Invalid text "+r.PostForm.Get("text")+" for "+r.PostForm.Get("api_secret"))
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Unknown, "3")
		adaptertest.MustNotLeak(t, err, testBody, testSecret)
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		p, err := vonage.New(vonage.Config{BaseURL: adaptertest.ClosedURL(t), APIKey: testKey, APISecret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
		adaptertest.MustNotLeak(t, err, testKey, testSecret, testBody)
	})
}

func TestSendTimeout(t *testing.T) {
	msg := sms.Message{To: "+15551234567", From: "Acme", Body: testBody}
	srv := adaptertest.BlockingServer(t)

	t.Run("ErrClientTimeout", func(t *testing.T) {
		p, err := vonage.New(vonage.Config{BaseURL: srv.URL, APIKey: testKey, APISecret: testSecret,
			HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
		adaptertest.MustNotLeak(t, err, testKey, testSecret, testBody)
	})

	t.Run("ErrContextDeadline", func(t *testing.T) {
		p, err := vonage.New(vonage.Config{BaseURL: srv.URL, APIKey: testKey, APISecret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err = p.Send(ctx, msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
	})

	t.Run("ErrContextCancelled", func(t *testing.T) {
		p, err := vonage.New(vonage.Config{BaseURL: srv.URL, APIKey: testKey, APISecret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err = p.Send(ctx, msg); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}
