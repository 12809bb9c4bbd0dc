// Package adaptertest holds what the provider adapters' tests share: a test
// message and clock, checks of typed errors and leaks, a recorder for the
// emulators, servers that hang or are gone, and the failures every adapter
// must map alike.
package adaptertest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"smsmfa/internal/sms"
)

// Now is the time the adapters' tests run at.
var Now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Clock returns Now; it is a Config.Now for the adapters.
func Clock() time.Time { return Now }

// Code and Body are the one-time code and the text of a test message.
const (
	Code = "482913"
	Body = "Your verification code is " + Code
)

// Message returns a test message to to, from from (empty: the provider's
// default sender), carrying Body and Code.
func Message(to, from string) sms.Message {
	return sms.Message{To: to, From: from, Body: Body, Code: Code}
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// IsE164 reports whether s is a phone number in E.164 form, as the
// providers check a destination.
func IsE164(s string) bool { return e164.MatchString(s) }

// Recorder keeps what an emulator accepted. It is safe for concurrent use;
// the zero value is ready.
type Recorder[T any] struct {
	mu  sync.Mutex
	got []T
}

// Record adds v.
func (r *Recorder[T]) Record(v T) {
	r.mu.Lock()
	r.got = append(r.got, v)
	r.mu.Unlock()
}

// Len returns how many were recorded.
func (r *Recorder[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// Last returns the newest record; it fails the test when there is none.
func (r *Recorder[T]) Last(t *testing.T) T {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		t.Fatal("the emulator accepted no request")
	}
	return r.got[len(r.got)-1]
}

// Build returns the adapter newAdapter makes of cfg, changed by mod first
// when mod is not nil; it fails the test when the adapter refuses cfg.
func Build[C, P any](t *testing.T, newAdapter func(C) (P, error), cfg C, mod func(*C)) P {
	t.Helper()
	if mod != nil {
		mod(&cfg)
	}
	p, err := newAdapter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Serve starts h on a local server that is closed when the test ends, and
// returns its URL.
func Serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

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

// MustFail fails the test unless Send's answer (id, err) is a failure: no
// id, an *sms.Error with reason and (when not empty) code, and none of
// secrets in its text.
func MustFail(t *testing.T, id string, err error, reason sms.Reason, code string, secrets ...string) *sms.Error {
	t.Helper()
	if id != "" {
		t.Errorf("id = %q on failure", id)
	}
	e := MustSMSError(t, err, reason, code)
	MustNotLeak(t, err, secrets...)
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

// MustError fails the test unless err's text holds want, or, when want is
// empty, unless err is nil; and when err holds any of secrets.
func MustError(t *testing.T, err error, want string, secrets ...string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("error = %v, want none", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error = %v, want one containing %s", err, want)
	}
	MustNotLeak(t, err, secrets...)
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
