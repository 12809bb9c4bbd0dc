package smshttp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/smshttp"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        time.Duration
	}{
		{"Absent", "", 0},
		{"Seconds", "12", 12 * time.Second},
		{"Padded", " 3 ", 3 * time.Second},
		{"Zero", "0", 0},
		{"Negative", "-5", 0},
		{"Absurd", "99999999", 0},
		{"Date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"PastDate", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Garbage", "soon", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.value != "" {
				h.Set("Retry-After", tc.value)
			}
			if got := smshttp.RetryAfter(h, now); got != tc.want {
				t.Errorf("RetryAfter(%q) = %v, want %v", tc.value, got, tc.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestTransportError(t *testing.T) {
	reasonOf := func(err error) sms.Reason {
		e, ok := errors.AsType[*sms.Error](err)
		if !ok {
			return ""
		}
		return e.Reason
	}
	t.Run("Timeout", func(t *testing.T) {
		if r := reasonOf(smshttp.TransportError(context.Background(), timeoutErr{})); r != sms.Timeout {
			t.Errorf("reason = %q", r)
		}
	})
	t.Run("Deadline", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(context.Background(), now)
		defer cancel()
		if r := reasonOf(smshttp.TransportError(ctx, errors.New("whatever"))); r != sms.Timeout {
			t.Errorf("reason = %q", r)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := smshttp.TransportError(ctx, errors.New("whatever"))
		if !errors.Is(err, context.Canceled) || reasonOf(err) != "" {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		op := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
		err := smshttp.TransportError(context.Background(), op)
		if reasonOf(err) != sms.ProviderDown || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("error = %v", err)
		}
	})
}

func TestReadBody(t *testing.T) {
	b, err := smshttp.ReadBody(strings.NewReader(strings.Repeat("x", smshttp.MaxBody)))
	if err != nil || len(b) != smshttp.MaxBody {
		t.Fatalf("ReadBody(MaxBody) = %d bytes, %v", len(b), err)
	}
	_, err = smshttp.ReadBody(strings.NewReader(strings.Repeat("x", smshttp.MaxBody+1)))
	if !errors.Is(err, smshttp.ErrTooLarge) {
		t.Fatalf("ReadBody(MaxBody+1) error = %v", err)
	}
	if e, ok := errors.AsType[*sms.Error](smshttp.TransportError(context.Background(), err)); !ok || e.Reason != sms.ProviderDown {
		t.Fatalf("TransportError(ErrTooLarge) = %v", e)
	}
}

func TestStatusError(t *testing.T) {
	for status, want := range map[int]sms.Reason{
		401: sms.BadCredentials, 403: sms.BadCredentials, 429: sms.Throttled,
		500: sms.ProviderDown, 502: sms.ProviderDown, 503: sms.ProviderDown,
		400: sms.Unknown, 404: sms.Unknown, 302: sms.Unknown,
	} {
		h := http.Header{"Retry-After": {"4"}}
		e := smshttp.StatusError(status, h, now, "d")
		if e.Reason != want {
			t.Errorf("StatusError(%d) = %s, want %s", status, e.Reason, want)
		}
		if wantRA := 4 * time.Second; want == sms.Throttled && e.RetryAfter != wantRA {
			t.Errorf("RetryAfter = %v", e.RetryAfter)
		}
	}
}

func TestClean(t *testing.T) {
	got := smshttp.Clean("bad body Your code is 123456 for key s3cr3t\nand more", "Your code is 123456", "s3cr3t", "")
	if want := "bad body [redacted] for key [redacted] and more"; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
	long := strings.Repeat("é", 400)
	if got := smshttp.Clean(long); len(got) > 310 || !strings.HasSuffix(got, "…") {
		t.Errorf("Clean did not cut: %d bytes", len(got))
	}
}

func TestMissing(t *testing.T) {
	if err := smshttp.Missing("p", []string{"a", "b"}, "1", "2"); err != nil {
		t.Fatal(err)
	}
	err := smshttp.Missing("p", []string{"a", "b"}, " ", "2")
	if err == nil || !strings.Contains(err.Error(), `missing credential "a"`) {
		t.Fatalf("error = %v", err)
	}
}
