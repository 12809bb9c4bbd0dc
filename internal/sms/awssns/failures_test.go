package awssns_test

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
	"smsmfa/internal/sms/awssns"
)

func TestSendHTTPFailures(t *testing.T) {
	msg := sms.Message{To: "+447700900001", Body: testBody}
	newProvider := func(t *testing.T, h http.HandlerFunc) *awssns.Provider {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		p, err := awssns.New(awssns.Config{BaseURL: srv.URL, AccessKeyID: testAKID, SecretAccessKey: testSecret,
			Region: testRegion, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("ErrThrottled", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3")
			snsError(w, http.StatusTooManyRequests, "Sender", "Throttling", "Rate exceeded")
		})
		_, err := p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "Throttling")
		if e.RetryAfter != 3*time.Second {
			t.Errorf("RetryAfter = %v, want 3s", e.RetryAfter)
		}
	})

	t.Run("ErrThrottledCode", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			snsError(w, http.StatusBadRequest, "Sender", "Throttled", "Rate exceeded")
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Throttled, "Throttled")
	})

	t.Run("ErrHTMLServerError", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>503 Service Unavailable</html>", http.StatusServiceUnavailable)
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
	})

	t.Run("ErrUnknownCodeBy5xx", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			snsError(w, http.StatusBadGateway, "Receiver", "SomethingNew", "new failure")
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "SomethingNew")
	})

	t.Run("ErrMalformedSuccess", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<PublishResponse><PublishResult></PublishResult></PublishResponse>"))
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
	})

	t.Run("ErrEchoedSecretsRedacted", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			snsError(w, http.StatusBadRequest, "Sender", "InvalidParameter",
				"Invalid parameter: Message "+r.PostForm.Get("Message")+" key "+testSecret+" id "+testAKID)
		})
		_, err := p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Unknown, "InvalidParameter")
		adaptertest.MustNotLeak(t, err, testBody, testSecret, testAKID)
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		p, err := awssns.New(awssns.Config{BaseURL: adaptertest.ClosedURL(t), AccessKeyID: testAKID, SecretAccessKey: testSecret, Region: testRegion})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "")
		adaptertest.MustNotLeak(t, err, testSecret, testBody)
	})
}

func TestSendTimeout(t *testing.T) {
	msg := sms.Message{To: "+447700900001", Body: testBody}
	srv := adaptertest.BlockingServer(t)
	newProvider := func(t *testing.T, c *http.Client) *awssns.Provider {
		p, err := awssns.New(awssns.Config{BaseURL: srv.URL, AccessKeyID: testAKID, SecretAccessKey: testSecret, Region: testRegion, HTTPClient: c})
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
		snsError(w, http.StatusInternalServerError, "Receiver", "InternalError", "Internal Error")
	}))
	defer srv.Close()
	p, err := awssns.New(awssns.Config{BaseURL: srv.URL, AccessKeyID: testAKID, SecretAccessKey: testSecret, Region: testRegion})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(t.Context(), sms.Message{To: "+447700900001", Body: testBody})
	adaptertest.MustSMSError(t, err, sms.ProviderDown, "InternalError")
	if n := calls.Load(); n != 1 {
		t.Errorf("the server was called %d times, want 1", n)
	}
}
