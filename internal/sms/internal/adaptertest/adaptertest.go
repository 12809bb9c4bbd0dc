// Package adaptertest holds what the provider adapters' tests share: checks of
// typed errors and leaks, and servers that hang or are gone.
package adaptertest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsmfa/internal/sms"
)

// MustSMSError fails the test unless err is an *sms.Error with reason and
// (when code is not empty) code.
func MustSMSError(t *testing.T, err error, reason sms.Reason, code string) *sms.Error {
	t.Helper()
	e, ok := errors.AsType[*sms.Error](err)
	if !ok {
		t.Fatalf("error = %v (%T), want *sms.Error %s", err, err, reason)
	}
	if e.Reason != reason {
		t.Fatalf("reason = %s, want %s (error: %v)", e.Reason, reason, err)
	}
	if code != "" && e.Code != code {
		t.Fatalf("code = %q, want %q (error: %v)", e.Code, code, err)
	}
	return e
}

// MustNotLeak fails the test when err's text holds any of secrets.
func MustNotLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q leaks %q", err, s)
		}
	}
}

// BlockingServer answers nothing until the client gives up (or the test
// ends). It reads the request body first: only then can the server notice
// that the client closed the connection and cancel the request's context.
func BlockingServer(t *testing.T) *httptest.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv
}

// ClosedURL returns the URL of a server that is no longer listening.
func ClosedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}
