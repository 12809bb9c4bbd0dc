package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/smstest"
	"smsmfa/internal/sms/webhook"
)

const testSecret = "whsec-5f1c2a9e7d3b4f60a8c1e2d3"

// newProvider returns a Provider for the hook at url, with the test secret.
func newProvider(t *testing.T, url string, mod func(*webhook.Config)) *webhook.Provider {
	n := 0
	newID := func() string { n++; return fmt.Sprintf("evt%d", n) }
	return adaptertest.Build(t, webhook.New, webhook.Config{BaseURL: url, Secret: testSecret, Now: adaptertest.Clock, NewID: newID}, mod)
}

// withClient is newProvider for the shared failure suites.
func withClient(t *testing.T, url string, c *http.Client) sms.Provider {
	return newProvider(t, url, func(cfg *webhook.Config) { cfg.HTTPClient = c })
}

// mustProvider starts an emulator and returns a Provider pointed at it.
func mustProvider(t *testing.T, mod func(*webhook.Config)) (*webhook.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, header: "Authorization", secret: testSecret, now: adaptertest.Now}
	return newProvider(t, adaptertest.Serve(t, emu)+"/hooks/sms", mod), emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		msg := adaptertest.Message("+15551234567", "ignored")
		msg.ID, msg.Expires = "msg_1", adaptertest.Now.Add(5*time.Minute)
		id, err := p.Send(t.Context(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if id != "SM49a8ece2c9ce4d5c9e8b4c1a2f5e3d7b" {
			t.Errorf("id = %q", id)
		}
		var want smstest.HookEvent
		want.EventID = "evt1"
		want.EventTime = "2026-11-27T12:00:00.000Z"
		want.EventType = "com.okta.telephony.provider"
		want.EventTypeVersion = "1.0"
		want.ContentType = "application/json"
		want.CloudEventVersion = "0.1"
		want.Source = "smsmfa"
		want.RequestType = "com.okta.user.telephony.mfa-verification"
		want.Data.Context.Request.ID = "msg_1"
		want.Data.MessageProfile.MsgTemplate = adaptertest.Body
		want.Data.MessageProfile.PhoneNumber = "+15551234567"
		want.Data.MessageProfile.OTPExpires = "2026-11-27T12:05:00.000Z"
		want.Data.MessageProfile.DeliveryChannel = "SMS"
		want.Data.MessageProfile.OTPCode = adaptertest.Code
		want.Data.MessageProfile.Locale = "EN-US"
		if diff := cmp.Diff(want, emu.events.Last(t)); diff != "" {
			t.Errorf("event (-want +got):\n%s", diff)
		}
	})

	t.Run("OKResendIsANewEventOfTheSameRequest", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		msg := adaptertest.Message("+15551234567", "")
		msg.ID = "msg_1"
		for range 2 {
			if _, err := p.Send(t.Context(), msg); err != nil {
				t.Fatal(err)
			}
		}
		if got := emu.events.Last(t); got.EventID != "evt2" || got.Data.Context.Request.ID != "msg_1" {
			t.Errorf("second event = %+v", got)
		}
	})

	t.Run("OKWithoutCodeOrExpiry", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		// A provider test message: no code inside, nothing expires.
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: "This is a test message from smsmfa."}); err != nil {
			t.Fatal(err)
		}
		if got := emu.events.Last(t).Data.MessageProfile; got.OTPCode != "" || got.OTPExpires != "" {
			t.Errorf("messageProfile = %+v", got)
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
		if _, err := p.Send(t.Context(), adaptertest.Message("+15551234567", "")); err != nil {
			t.Fatal(err)
		}
		got := emu.events.Last(t)
		if got.RequestType != webhook.RequestPreEnrollment || got.Source != "https://mfa.example.com" || got.Data.MessageProfile.Locale != "FR-FR" {
			t.Errorf("event = %+v", got)
		}
	})

	t.Run("OKPending", func(t *testing.T) {
		p, _ := mustProvider(t, nil)
		id, err := p.Send(t.Context(), adaptertest.Message("+15005550005", ""))
		if err != nil || id != "tx-pending-1" {
			t.Fatalf("Send = %q, %v", id, err)
		}
	})
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		to         string
		mod        func(*webhook.Config)
		reason     sms.Reason
		code       string
		retryAfter time.Duration
	}{
		{"ErrWrongSecret", "+15551234567", func(c *webhook.Config) { c.Secret = "wrong-secret" }, sms.BadCredentials, "HTTP 401", 0},
		{"ErrWrongHeader", "+15551234567", func(c *webhook.Config) { c.Header = "X-Other" }, sms.BadCredentials, "HTTP 401", 0},
		{"ErrStaleClock", "+15551234567", func(c *webhook.Config) {
			c.Now = func() time.Time { return adaptertest.Now.Add(-time.Hour) }
		}, sms.BadCredentials, "HTTP 403", 0},
		{"ErrInvalidNumber", "+15005550001", nil, sms.InvalidNumber, "error", 0},
		{"ErrProviderFailed", "+15005550002", nil, sms.ProviderDown, "error", 0},
		{"ErrActionFailed", "+15005550003", nil, sms.ProviderDown, "FAILED", 0},
		{"ErrOptedOut", "+15005550004", nil, sms.OptedOut, "error", 0},
		{"ErrNotJSON", "+15005550006", nil, sms.ProviderDown, "", 0},
		{"ErrInvalidStatus", "+15005550007", nil, sms.ProviderDown, "", 0},
		{"ErrNoCommand", "+15005550008", nil, sms.ProviderDown, "", 0},
		{"ErrThrottled", "+15005550429", nil, sms.Throttled, "HTTP 429", 5 * time.Second},
		{"ErrServerError", "+15005550500", nil, sms.ProviderDown, "HTTP 500", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := mustProvider(t, tc.mod)
			id, err := p.Send(t.Context(), adaptertest.Message(tc.to, ""))
			e := adaptertest.MustFail(t, id, err, tc.reason, tc.code, adaptertest.Body, adaptertest.Code, testSecret, "wrong-secret")
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.retryAfter)
			}
		})
	}
}

func TestSendHTTPFailures(t *testing.T) {
	adaptertest.RunHTTPFailures(t, withClient, adaptertest.Message("+15551234567", ""), []adaptertest.HTTPFailure{
		{Name: "ErrEchoedSecretsRedacted", Reason: sms.ProviderDown, Code: "error",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				var ev smstest.HookEvent
				b, _ := io.ReadAll(r.Body)
				json.Unmarshal(b, &ev)
				mp := ev.Data.MessageProfile
				writeJSON(w, map[string]any{"error": map[string]any{
					"errorSummary": "cannot send " + mp.MsgTemplate + " (otp " + mp.OTPCode + ") with " + r.Header.Get("Authorization"),
				}})
			}},
		{Name: "ErrEmptyErrorSummary", Reason: sms.ProviderDown, Code: "error", Detail: "the callback service returned an error",
			Answer: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"error":{}}`))
			}},
	}, testSecret)
}

func TestSendRedirectNotFollowed(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := adaptertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "" || r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
	}))
	url := adaptertest.Serve(t, http.RedirectHandler(elsewhere+"/collect", http.StatusTemporaryRedirect))
	p := newProvider(t, url, func(c *webhook.Config) { c.Header = "X-Api-Key" })
	id, err := p.Send(t.Context(), adaptertest.Message("+15551234567", ""))
	adaptertest.MustFail(t, id, err, sms.Unknown, "HTTP 307", testSecret)
	if leaked.Load() {
		t.Error("the secret followed the redirect")
	}
}

func TestSendTransportFailures(t *testing.T) {
	adaptertest.RunTransportFailures(t, withClient, adaptertest.Message("+15551234567", ""), testSecret)
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
			adaptertest.MustError(t, err, tc.wantErr, testSecret)
		})
	}
}
