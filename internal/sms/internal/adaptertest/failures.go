package adaptertest

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"smsmfa/internal/sms"
)

// NewFunc builds the adapter under test for the API at baseURL, sending
// through client (nil: the adapter's own client). It fails the test when
// the adapter refuses its configuration.
type NewFunc func(t *testing.T, baseURL string, client *http.Client) sms.Provider

// HTTPFailure is an answer of a provider's API and the error Send must make
// of it.
type HTTPFailure struct {
	Name   string
	Answer http.HandlerFunc
	Reason sms.Reason
	Code   string // the error's code; empty: any
	Detail string // the error's detail; empty: any
	// RetryAfter is the throttling hint Send must pass on (0: none).
	RetryAfter time.Duration
}

// RunHTTPFailures sends msg once per case, each to a server of its own
// that answers as the case says, and checks Send's error: its reason,
// code and Retry-After hint; that it holds neither msg's body or code nor
// any of secrets; and that exactly one request was made (adapters never
// retry: failing over is the router's job).
func RunHTTPFailures(t *testing.T, newProvider NewFunc, msg sms.Message, cases []HTTPFailure, secrets ...string) {
	t.Helper()
	secrets = append(msg.Sensitive(), secrets...)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var calls atomic.Int32
			url := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tc.Answer(w, r)
			}))
			id, err := newProvider(t, url, nil).Send(t.Context(), msg)
			e := MustFail(t, id, err, tc.Reason, tc.Code, secrets...)
			if tc.Detail != "" && e.Detail != tc.Detail {
				t.Errorf("Detail = %q, want %q", e.Detail, tc.Detail)
			}
			if e.RetryAfter != tc.RetryAfter {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.RetryAfter)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("the server was called %d times, want 1", n)
			}
		})
	}
}

// RunTransportFailures checks what every adapter must map alike when no
// answer comes, each case against a server of its own: a refused
// connection is ProviderDown; the client's timeout is Timeout, reached
// without retrying; ctx's deadline is Timeout; a cancelled ctx comes back
// as context.Canceled. No error may hold msg's body or code, nor any of
// secrets.
func RunTransportFailures(t *testing.T, newProvider NewFunc, msg sms.Message, secrets ...string) {
	t.Helper()
	secrets = append(msg.Sensitive(), secrets...)

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		_, err := newProvider(t, ClosedURL(t), nil).Send(t.Context(), msg)
		MustSMSError(t, err, sms.ProviderDown, "")
		MustNotLeak(t, err, secrets...)
	})

	t.Run("ErrClientTimeout", func(t *testing.T) {
		p := newProvider(t, BlockingServer(t).URL, &http.Client{Timeout: 50 * time.Millisecond})
		start := time.Now()
		_, err := p.Send(t.Context(), msg)
		MustSMSError(t, err, sms.Timeout, "")
		MustNotLeak(t, err, secrets...)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v: it retried", d)
		}
	})

	t.Run("ErrContextDeadline", func(t *testing.T) {
		p := newProvider(t, BlockingServer(t).URL, nil)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := p.Send(ctx, msg)
		MustSMSError(t, err, sms.Timeout, "")
		MustNotLeak(t, err, secrets...)
	})

	t.Run("ErrContextCancelled", func(t *testing.T) {
		p := newProvider(t, BlockingServer(t).URL, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := p.Send(ctx, msg); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}
