package awseum_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"smsmfa/internal/sms/internal/adaptertest"
	"sync/atomic"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awseum"
)

func TestSendHTTPFailures(t *testing.T) {
	msg := sms.Message{To: "+15551234567", Body: testBody}
	newProvider := func(t *testing.T, h http.HandlerFunc) *awseum.Provider {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		p, err := awseum.New(awseum.Config{BaseURL: srv.URL, AccessKeyID: testAKID, SecretAccessKey: testSecret,
			Region: testRegion, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("ErrThrottled", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "4")
			awsError(w, http.StatusTooManyRequests, "ThrottlingException", map[string]any{"Message": "Rate exceeded"})
		})
		_, err := p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "ThrottlingException")
		if e.RetryAfter != 4*time.Second {
			t.Errorf("RetryAfter = %v, want 4s", e.RetryAfter)
		}
	})

	t.Run("ErrOtherQuota", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			awsError(w, http.StatusBadRequest, "ServiceQuotaExceededException", map[string]any{"Message": "quota", "Reason": "DAILY_DESTINATION_CALL_LIMIT"})
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Throttled, "ServiceQuotaExceededException:DAILY_DESTINATION_CALL_LIMIT")
	})

	t.Run("ErrAccessDenied", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			awsError(w, http.StatusForbidden, "AccessDeniedException", map[string]any{"Message": "denied", "Reason": "ACCOUNT_DISABLED"})
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.BadCredentials, "AccessDeniedException:ACCOUNT_DISABLED")
	})

	t.Run("ErrHTMLServerError", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>503</html>", http.StatusServiceUnavailable)
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
	})

	t.Run("ErrMalformedSuccess", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{}`))
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
	})

	t.Run("ErrEchoedSecretsRedacted", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			awsError(w, http.StatusBadRequest, "ValidationException", map[string]any{
				"Message": "MessageBody " + testBody + " rejected; key " + testSecret, "Reason": "OTHER"})
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Unknown, "ValidationException:OTHER")
		adaptertest.MustNotLeak(t, err, testBody, testSecret)
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		p, err := awseum.New(awseum.Config{BaseURL: adaptertest.ClosedURL(t), AccessKeyID: testAKID, SecretAccessKey: testSecret, Region: testRegion})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
		adaptertest.MustNotLeak(t, err, testSecret, testBody)
	})
}

func TestSendTimeout(t *testing.T) {
	msg := sms.Message{To: "+15551234567", Body: testBody}
	srv := adaptertest.BlockingServer(t)
	newProvider := func(t *testing.T, c *http.Client) *awseum.Provider {
		p, err := awseum.New(awseum.Config{BaseURL: srv.URL, AccessKeyID: testAKID, SecretAccessKey: testSecret, Region: testRegion, HTTPClient: c})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("ErrClientTimeout", func(t *testing.T) {
		start := time.Now()
		_, err := newProvider(t, &http.Client{Timeout: 50 * time.Millisecond}).Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
		adaptertest.MustNotLeak(t, err, testSecret, testBody)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v: the SDK retried", d)
		}
	})

	t.Run("ErrContextDeadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := newProvider(t, nil).Send(ctx, msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
	})

	t.Run("ErrContextCancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := newProvider(t, nil).Send(ctx, msg); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}

func TestNoRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		awsError(w, http.StatusServiceUnavailable, "ThrottlingException", map[string]any{"Message": "slow down"})
	}))
	defer srv.Close()
	p, err := awseum.New(awseum.Config{BaseURL: srv.URL, AccessKeyID: testAKID, SecretAccessKey: testSecret, Region: testRegion})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody})
	adaptertest.MustSMSError(t, err, sms.Throttled, "ThrottlingException")
	if n := calls.Load(); n != 1 {
		t.Errorf("the server was called %d times, want 1", n)
	}
}
