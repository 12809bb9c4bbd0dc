package twilio_test

import (
	"net/http/httptest"
	"net/url"
	"smsmfa/internal/sms/internal/adaptertest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/twilio"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	testMG    = "MG0123456789abcdef0123456789abcdef"
	testBody  = "Your verification code is 482913"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// mustProvider starts an emulator and returns a Provider pointed at it.
func mustProvider(t *testing.T, mod func(*twilio.Config)) (*twilio.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, sid: testSID, token: testToken}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := twilio.Config{
		BaseURL:    srv.URL,
		AccountSID: testSID,
		AuthToken:  testToken,
		HTTPClient: srv.Client(),
		Now:        func() time.Time { return testNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		id, err := p.Send(t.Context(), sms.Message{
			ID:             "msg_1",
			To:             "+15551234567",
			From:           "+15557654321",
			Body:           testBody,
			StatusCallback: "https://mfa.example.com/sms/twilio/status",
			Expires:        testNow.Add(5 * time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, "SM") || len(id) != 34 {
			t.Errorf("id = %q, want a message sid", id)
		}
		want := url.Values{
			"To":             {"+15551234567"},
			"From":           {"+15557654321"},
			"Body":           {testBody},
			"StatusCallback": {"https://mfa.example.com/sms/twilio/status"},
			"ValidityPeriod": {"300"},
		}
		if diff := cmp.Diff(want, emu.lastForm()); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("OKMinimal", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: "+15557654321", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		want := url.Values{"To": {"+15551234567"}, "From": {"+15557654321"}, "Body": {testBody}}
		if diff := cmp.Diff(want, emu.lastForm()); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("MessagingServiceAsFrom", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: testMG, Body: testBody}); err != nil {
			t.Fatal(err)
		}
		want := url.Values{"To": {"+15551234567"}, "MessagingServiceSid": {testMG}, "Body": {testBody}}
		if diff := cmp.Diff(want, emu.lastForm()); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("ConfiguredMessagingService", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *twilio.Config) { c.MessagingServiceSID = testMG })
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		want := url.Values{"To": {"+15551234567"}, "MessagingServiceSid": {testMG}, "Body": {testBody}}
		if diff := cmp.Diff(want, emu.lastForm()); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrNoSender", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		_, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody})
		adaptertest.MustSMSError(t, err, sms.BadSender, "")
		if len(emu.forms) != 0 {
			t.Error("a request was sent without a sender")
		}
	})
}

func TestSendValidityPeriod(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    []string
	}{
		{"None", time.Time{}, nil},
		{"FiveMinutes", testNow.Add(5 * time.Minute), []string{"300"}},
		{"RoundsUp", testNow.Add(90*time.Second + time.Millisecond), []string{"91"}},
		{"AlreadyExpired", testNow.Add(-time.Minute), []string{"1"}},
		{"CappedAtTenHours", testNow.Add(30 * 24 * time.Hour), []string{"36000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			_, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: "+15557654321", Body: testBody, Expires: tc.expires})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.lastForm()["ValidityPeriod"]); diff != "" {
				t.Errorf("ValidityPeriod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		to     string
		token  string
		reason sms.Reason
		code   string
	}{
		{"ErrWrongToken", "+15551234567", "wrong-token-value", sms.BadCredentials, "20003"},
		{"ErrNotE164", "5551234567", testToken, sms.InvalidNumber, "21211"},
		{"ErrInvalidNumber", "+15005550001", testToken, sms.InvalidNumber, "21211"},
		{"ErrCannotRoute", "+15005550002", testToken, sms.Blocked, "21612"},
		{"ErrRegionNotEnabled", "+15005550003", testToken, sms.BadSender, "21408"},
		{"ErrOptedOut", "+15005550004", testToken, sms.OptedOut, "21610"},
		{"ErrLandline", "+15005550009", testToken, sms.Landline, "21614"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := mustProvider(t, func(c *twilio.Config) { c.AuthToken = tc.token })
			id, err := p.Send(t.Context(), sms.Message{To: tc.to, From: "+15557654321", Body: testBody})
			if id != "" {
				t.Errorf("id = %q on failure", id)
			}
			adaptertest.MustSMSError(t, err, tc.reason, tc.code)
			adaptertest.MustNotLeak(t, err, testBody, "482913", tc.token, testToken)
		})
	}
}

func TestSendWrongAccount(t *testing.T) {
	p, _ := mustProvider(t, func(c *twilio.Config) { c.AccountSID = "AC00000000000000000000000000000000" })
	_, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: "+15557654321", Body: testBody})
	adaptertest.MustSMSError(t, err, sms.BadCredentials, "20404")
	// The emulator's message names the path, which holds the account SID.
	adaptertest.MustNotLeak(t, err, "AC00000000000000000000000000000000", testToken)
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     twilio.Config
		wantErr string
	}{
		{"OK", twilio.Config{AccountSID: testSID, AuthToken: testToken}, ""},
		{"ErrNoSID", twilio.Config{AuthToken: testToken}, `"account_sid"`},
		{"ErrNoToken", twilio.Config{AccountSID: testSID}, `"auth_token"`},
		{"ErrBadBaseURL", twilio.Config{BaseURL: "api.twilio.com", AccountSID: testSID, AuthToken: testToken}, "base URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := twilio.New(tc.cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %s", err, tc.wantErr)
			}
			adaptertest.MustNotLeak(t, err, testToken)
		})
	}
}

func TestKind(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		emu := &emulator{t: t, sid: testSID, token: testToken}
		srv := httptest.NewServer(emu)
		defer srv.Close()
		p, err := twilio.Kind().New(srv.URL, map[string]string{
			"account_sid": testSID, "auth_token": testToken, "messaging_service_sid": testMG,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		if got := emu.lastForm().Get("MessagingServiceSid"); got != testMG {
			t.Errorf("MessagingServiceSid = %q", got)
		}
	})
	t.Run("ErrUnknownName", func(t *testing.T) {
		_, err := twilio.Kind().New("", map[string]string{"account_sid": testSID, "auth_token": testToken, "authtoken": "x"})
		if err == nil || !strings.Contains(err.Error(), "credential authtoken is not used by twilio") {
			t.Fatalf("error = %v, want one naming authtoken", err)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		_, err := twilio.Kind().New("", map[string]string{"account_sid": testSID})
		if err == nil || !strings.Contains(err.Error(), "credential auth_token is required for twilio") {
			t.Fatalf("error = %v, want one naming auth_token", err)
		}
	})
}
