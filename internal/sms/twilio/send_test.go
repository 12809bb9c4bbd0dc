package twilio_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/twilio"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	testMG    = "MG0123456789abcdef0123456789abcdef"
)

// newProvider returns a Provider for the test account at baseURL.
func newProvider(t *testing.T, baseURL string, mod func(*twilio.Config)) *twilio.Provider {
	return adaptertest.Build(t, twilio.New, twilio.Config{BaseURL: baseURL, AccountSID: testSID, AuthToken: testToken, Now: adaptertest.Clock}, mod)
}

// withClient is newProvider for the shared failure suites.
func withClient(t *testing.T, baseURL string, c *http.Client) sms.Provider {
	return newProvider(t, baseURL, func(cfg *twilio.Config) { cfg.HTTPClient = c })
}

// mustProvider starts an emulator and returns a Provider pointed at it.
func mustProvider(t *testing.T, mod func(*twilio.Config)) (*twilio.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, sid: testSID, token: testToken}
	return newProvider(t, adaptertest.Serve(t, emu), mod), emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		msg := adaptertest.Message("+15551234567", "+15557654321")
		msg.ID, msg.StatusCallback, msg.Expires = "msg_1", "https://mfa.example.com/sms/twilio/status", adaptertest.Now.Add(5*time.Minute)
		id, err := p.Send(t.Context(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, "SM") || len(id) != 34 {
			t.Errorf("id = %q, want a message sid", id)
		}
		want := url.Values{
			"To":             {"+15551234567"},
			"From":           {"+15557654321"},
			"Body":           {adaptertest.Body},
			"StatusCallback": {"https://mfa.example.com/sms/twilio/status"},
			"ValidityPeriod": {"300"},
		}
		if diff := cmp.Diff(want, emu.forms.Last(t)); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	for _, tc := range []struct {
		name string
		mod  func(*twilio.Config)
		from string
		want url.Values
	}{
		{"OKMinimal", nil, "+15557654321",
			url.Values{"To": {"+15551234567"}, "From": {"+15557654321"}, "Body": {adaptertest.Body}}},
		{"MessagingServiceAsFrom", nil, testMG,
			url.Values{"To": {"+15551234567"}, "MessagingServiceSid": {testMG}, "Body": {adaptertest.Body}}},
		{"ConfiguredMessagingService", func(c *twilio.Config) { c.MessagingServiceSID = testMG }, "",
			url.Values{"To": {"+15551234567"}, "MessagingServiceSid": {testMG}, "Body": {adaptertest.Body}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, tc.mod)
			if _, err := p.Send(t.Context(), adaptertest.Message("+15551234567", tc.from)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.forms.Last(t)); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("ErrNoSender", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		id, err := p.Send(t.Context(), adaptertest.Message("+15551234567", ""))
		adaptertest.MustFail(t, id, err, sms.BadSender, "")
		if emu.forms.Len() != 0 {
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
		{"FiveMinutes", adaptertest.Now.Add(5 * time.Minute), []string{"300"}},
		{"RoundsUp", adaptertest.Now.Add(90*time.Second + time.Millisecond), []string{"91"}},
		{"AlreadyExpired", adaptertest.Now.Add(-time.Minute), []string{"1"}},
		{"CappedAtTenHours", adaptertest.Now.Add(30 * 24 * time.Hour), []string{"36000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			msg := adaptertest.Message("+15551234567", "+15557654321")
			msg.Expires = tc.expires
			if _, err := p.Send(t.Context(), msg); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.forms.Last(t)["ValidityPeriod"]); diff != "" {
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
			id, err := p.Send(t.Context(), adaptertest.Message(tc.to, "+15557654321"))
			adaptertest.MustFail(t, id, err, tc.reason, tc.code, adaptertest.Body, adaptertest.Code, tc.token, testToken)
		})
	}
}

func TestSendWrongAccount(t *testing.T) {
	p, _ := mustProvider(t, func(c *twilio.Config) { c.AccountSID = "AC00000000000000000000000000000000" })
	id, err := p.Send(t.Context(), adaptertest.Message("+15551234567", "+15557654321"))
	// The emulator's message names the path, which holds the account SID.
	adaptertest.MustFail(t, id, err, sms.BadCredentials, "20404", "AC00000000000000000000000000000000", testToken)
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
			adaptertest.MustError(t, err, tc.wantErr, testToken)
		})
	}
}

func TestKind(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		emu := &emulator{t: t, sid: testSID, token: testToken}
		p, err := twilio.Kind().New(adaptertest.Serve(t, emu), map[string]string{
			"account_sid": testSID, "auth_token": testToken, "messaging_service_sid": testMG,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Send(t.Context(), adaptertest.Message("+15551234567", "")); err != nil {
			t.Fatal(err)
		}
		if got := emu.forms.Last(t).Get("MessagingServiceSid"); got != testMG {
			t.Errorf("MessagingServiceSid = %q", got)
		}
	})
	for _, tc := range []struct {
		name    string
		creds   map[string]string
		wantErr string
	}{
		{"ErrUnknownName", map[string]string{"account_sid": testSID, "auth_token": testToken, "authtoken": "x"}, "credential authtoken is not used by twilio"},
		{"ErrMissing", map[string]string{"account_sid": testSID}, "credential auth_token is required for twilio"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := twilio.Kind().New("", tc.creds)
			adaptertest.MustError(t, err, tc.wantErr, testToken)
		})
	}
}
