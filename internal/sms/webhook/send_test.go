package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"smsmfa/internal/sms/internal/adaptertest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/webhook"
)

const (
	testSecret = "whsec-5f1c2a9e7d3b4f60a8c1e2d3"
	testBody   = "Your verification code is 482913"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustProvider(t *testing.T, mod func(*webhook.Config)) (*webhook.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, header: "Authorization", secret: testSecret, now: testNow}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	n := 0
	cfg := webhook.Config{
		BaseURL:    srv.URL + "/hooks/sms",
		Secret:     testSecret,
		HTTPClient: srv.Client(),
		Now:        func() time.Time { return testNow },
		NewID:      func() string { n++; return fmt.Sprintf("evt%d", n) },
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		id, err := p.Send(t.Context(), sms.Message{
			ID:      "msg_1",
			To:      "+15551234567",
			From:    "ignored",
			Body:    testBody,
			Expires: testNow.Add(5 * time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
		if id != "SM49a8ece2c9ce4d5c9e8b4c1a2f5e3d7b" {
			t.Errorf("id = %q", id)
		}
		var want event
		want.EventID = "evt1"
		want.EventTime = "2026-11-27T12:00:00.000Z"
		want.EventType = "com.okta.telephony.provider"
		want.EventTypeVersion = "1.0"
		want.ContentType = "application/json"
		want.CloudEventVersion = "0.1"
		want.Source = "smsmfa"
		want.RequestType = "com.okta.user.telephony.mfa-verification"
		want.Data.Context.Request.ID = "msg_1"
		want.Data.MessageProfile.MsgTemplate = testBody
		want.Data.MessageProfile.PhoneNumber = "+15551234567"
		want.Data.MessageProfile.OTPExpires = "2026-11-27T12:05:00.000Z"
		want.Data.MessageProfile.DeliveryChannel = "SMS"
		want.Data.MessageProfile.Locale = "EN-US"
		if diff := cmp.Diff(want, emu.last()); diff != "" {
			t.Errorf("event (-want +got):\n%s", diff)
		}

		// A second send of the same message is a new event of the same request.
		if _, err := p.Send(t.Context(), sms.Message{ID: "msg_1", To: "+15551234567", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		if got := emu.last(); got.EventID != "evt2" || got.Data.Context.Request.ID != "msg_1" || got.Data.MessageProfile.OTPExpires != "" {
			t.Errorf("second event = %+v", got)
		}
	})

	t.Run("OKOptions", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *webhook.Config) {
			c.Header = "X-Hook-Secret"
			c.Secret = "Bearer " + testSecret
			c.RequestType = webhook.RequestPreEnrollment
			c.Source = "https://mfa.example.com"
			c.Locale = "FR-FR"
		})
		emu.header, emu.secret = "X-Hook-Secret", "Bearer "+testSecret
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		got := emu.last()
		if got.RequestType != webhook.RequestPreEnrollment || got.Source != "https://mfa.example.com" || got.Data.MessageProfile.Locale != "FR-FR" {
			t.Errorf("event = %+v", got)
		}
	})

	t.Run("OKPending", func(t *testing.T) {
		p, _ := mustProvider(t, nil)
		id, err := p.Send(t.Context(), sms.Message{To: "+15005550005", Body: testBody})
		if err != nil || id != "tx-pending-1" {
			t.Fatalf("Send = %q, %v", id, err)
		}
	})
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		to     string
		mod    func(*webhook.Config)
		reason sms.Reason
		code   string
	}{
		{"ErrWrongSecret", "+15551234567", func(c *webhook.Config) { c.Secret = "wrong-secret" }, sms.BadCredentials, "HTTP 401"},
		{"ErrWrongHeader", "+15551234567", func(c *webhook.Config) { c.Header = "X-Other" }, sms.BadCredentials, "HTTP 401"},
		{"ErrStaleClock", "+15551234567", func(c *webhook.Config) {
			c.Now = func() time.Time { return testNow.Add(-time.Hour) }
		}, sms.BadCredentials, "HTTP 403"},
		{"ErrInvalidNumber", "+15005550001", nil, sms.InvalidNumber, "error"},
		{"ErrProviderFailed", "+15005550002", nil, sms.ProviderDown, "error"},
		{"ErrActionFailed", "+15005550003", nil, sms.ProviderDown, "FAILED"},
		{"ErrOptedOut", "+15005550004", nil, sms.OptedOut, "error"},
		{"ErrNotJSON", "+15005550006", nil, sms.ProviderDown, ""},
		{"ErrInvalidStatus", "+15005550007", nil, sms.ProviderDown, ""},
		{"ErrNoCommand", "+15005550008", nil, sms.ProviderDown, ""},
		{"ErrServerError", "+15005550500", nil, sms.ProviderDown, "HTTP 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := mustProvider(t, tc.mod)
			id, err := p.Send(t.Context(), sms.Message{To: tc.to, Body: testBody})
			if id != "" {
				t.Errorf("id = %q on failure", id)
			}
			adaptertest.MustSMSError(t, err, tc.reason, tc.code)
			adaptertest.MustNotLeak(t, err, testBody, "482913", testSecret, "wrong-secret")
		})
	}

	t.Run("ErrThrottled", func(t *testing.T) {
		p, _ := mustProvider(t, nil)
		_, err := p.Send(t.Context(), sms.Message{To: "+15005550429", Body: testBody})
		e := adaptertest.MustSMSError(t, err, sms.Throttled, "HTTP 429")
		if e.RetryAfter != 5*time.Second {
			t.Errorf("RetryAfter = %v, want 5s", e.RetryAfter)
		}
	})
}

func TestSendHTTPFailures(t *testing.T) {
	msg := sms.Message{To: "+15551234567", Body: testBody}

	t.Run("ErrEchoedSecretsRedacted", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"error": map[string]any{
				"errorSummary": "cannot send " + testBody + " with " + r.Header.Get("Authorization"),
			}})
		}))
		defer srv.Close()
		p, err := webhook.New(webhook.Config{BaseURL: srv.URL, Secret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.ProviderDown, "error")
		adaptertest.MustNotLeak(t, err, testBody, testSecret)
	})

	t.Run("ErrEmptyErrorSummary", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"error":{}}`))
		}))
		defer srv.Close()
		p, err := webhook.New(webhook.Config{BaseURL: srv.URL, Secret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		e := adaptertest.MustSMSError(t, err, sms.ProviderDown, "error")
		if e.Detail != "the callback service returned an error" {
			t.Errorf("Detail = %q", e.Detail)
		}
	})

	t.Run("ErrRedirectNotFollowed", func(t *testing.T) {
		var leaked atomic.Bool
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Api-Key") != "" || r.Header.Get("Authorization") != "" {
				leaked.Store(true)
			}
		}))
		defer elsewhere.Close()
		srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/collect", http.StatusTemporaryRedirect))
		defer srv.Close()
		p, err := webhook.New(webhook.Config{BaseURL: srv.URL, Secret: testSecret, Header: "X-Api-Key"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Unknown, "HTTP 307")
		if leaked.Load() {
			t.Error("the secret followed the redirect")
		}
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		p, err := webhook.New(webhook.Config{BaseURL: adaptertest.ClosedURL(t), Secret: testSecret})
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

	t.Run("ErrClientTimeout", func(t *testing.T) {
		p, err := webhook.New(webhook.Config{BaseURL: srv.URL, Secret: testSecret, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Send(t.Context(), msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
		adaptertest.MustNotLeak(t, err, testSecret, testBody)
	})

	t.Run("ErrContextDeadline", func(t *testing.T) {
		p, err := webhook.New(webhook.Config{BaseURL: srv.URL, Secret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err = p.Send(ctx, msg)
		adaptertest.MustSMSError(t, err, sms.Timeout, "")
	})

	t.Run("ErrContextCancelled", func(t *testing.T) {
		p, err := webhook.New(webhook.Config{BaseURL: srv.URL, Secret: testSecret})
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

func TestNewAndKind(t *testing.T) {
	for _, tc := range []struct {
		name    string
		url     string
		creds   map[string]string
		wantErr string
	}{
		{"OK", "https://hooks.example.com/sms", map[string]string{"secret": testSecret}, ""},
		{"OKHeader", "https://hooks.example.com/sms", map[string]string{"secret": testSecret, "header": "X-Api-Key"}, ""},
		{"ErrNoURL", "", map[string]string{"secret": testSecret}, "url: a webhook provider needs --url"},
		{"ErrRelativeURL", "/hooks/sms", map[string]string{"secret": testSecret}, "is not an http(s) URL"},
		{"ErrNoSecret", "https://hooks.example.com/sms", map[string]string{}, "credential secret is required"},
		{"ErrBadHeader", "https://hooks.example.com/sms", map[string]string{"secret": testSecret, "header": "X Bad"}, "header name"},
		{"ErrReservedHeader", "https://hooks.example.com/sms", map[string]string{"secret": testSecret, "header": "x-smsmfa-signature"}, "reserved"},
		{"ErrUnknownName", "https://hooks.example.com/sms", map[string]string{"secret": testSecret, "token": "x"}, "credential token is not used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.Kind().New(tc.url, tc.creds)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %s", err, tc.wantErr)
			}
			adaptertest.MustNotLeak(t, err, testSecret)
		})
	}
}
