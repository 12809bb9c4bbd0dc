package vonage_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/vonage"
)

const (
	testKey    = "abcd1234"
	testSecret = "vonage-api-secret-0123456789"
)

// newProvider returns a Provider for the test account at baseURL.
func newProvider(t *testing.T, baseURL string, mod func(*vonage.Config)) *vonage.Provider {
	return adaptertest.Build(t, vonage.New, vonage.Config{BaseURL: baseURL, APIKey: testKey, APISecret: testSecret, Now: adaptertest.Clock}, mod)
}

// withClient is newProvider for the shared failure suites.
func withClient(t *testing.T, baseURL string, c *http.Client) sms.Provider {
	return newProvider(t, baseURL, func(cfg *vonage.Config) { cfg.HTTPClient = c })
}

// mustProvider starts an emulator and returns a Provider pointed at it.
func mustProvider(t *testing.T, mod func(*vonage.Config)) (*vonage.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, apiKey: testKey, apiSecret: testSecret}
	return newProvider(t, adaptertest.Serve(t, emu), mod), emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		msg := adaptertest.Message("+447700900001", "AcmeInc")
		msg.ID, msg.StatusCallback, msg.Expires = "msg_01JD3", "https://mfa.example.com/sms/vonage/receipt", adaptertest.Now.Add(5*time.Minute)
		id, err := p.Send(t.Context(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if id != "0A0000000123ABCD1" {
			t.Errorf("id = %q", id)
		}
		want := url.Values{
			"api_key":    {testKey},
			"api_secret": {testSecret},
			"from":       {"AcmeInc"},
			"to":         {"447700900001"},
			"text":       {adaptertest.Body},
			"client-ref": {"msg_01JD3"},
			"callback":   {"https://mfa.example.com/sms/vonage/receipt"},
			"ttl":        {"300000"},
		}
		if diff := cmp.Diff(want, emu.forms.Last(t)); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("OKUnicodeAndNumericSender", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *vonage.Config) { c.From = "+15557654321" })
		body := "Ваш код: 482913"
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: body, Code: "482913"}); err != nil {
			t.Fatal(err)
		}
		want := url.Values{
			"api_key": {testKey}, "api_secret": {testSecret},
			"from": {"15557654321"}, "to": {"15551234567"},
			"text": {body}, "type": {"unicode"},
		}
		if diff := cmp.Diff(want, emu.forms.Last(t)); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("OKGSMExtensionIsNotUnicode", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		gsm := "Code [482913] é € ^ ~ | Ñ ¿"
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: "Acme", Body: gsm}); err != nil {
			t.Fatal(err)
		}
		if got := emu.forms.Last(t).Get("type"); got != "" {
			t.Errorf("type = %q for a GSM-7 text", got)
		}
	})

	t.Run("ErrNoSender", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		id, err := p.Send(t.Context(), adaptertest.Message("+15551234567", ""))
		adaptertest.MustFail(t, id, err, sms.BadSender, "")
		if emu.forms.Len() != 0 {
			t.Error("a request was sent without a sender")
		}
	})
}

func TestSendTTL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    []string
	}{
		{"None", time.Time{}, nil},
		{"TwoMinutes", adaptertest.Now.Add(2 * time.Minute), []string{"120000"}},
		{"RaisedToMinimum", adaptertest.Now.Add(5 * time.Second), []string{"20000"}},
		{"Expired", adaptertest.Now.Add(-time.Minute), []string{"20000"}},
		{"CappedAtSevenDays", adaptertest.Now.Add(30 * 24 * time.Hour), []string{"604800000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			msg := adaptertest.Message("+15551234567", "Acme")
			msg.Expires = tc.expires
			if _, err := p.Send(t.Context(), msg); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.forms.Last(t)["ttl"]); diff != "" {
				t.Errorf("ttl (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		to     string
		from   string
		secret string
		reason sms.Reason
		code   string
		class  sms.Class
	}{
		{"ErrWrongSecret", "+15551234567", "Acme", "wrong-secret", sms.BadCredentials, "4", sms.Configuration},
		{"ErrInvalidNumber", "+1555", "Acme", testSecret, sms.InvalidNumber, "3", sms.Permanent},
		{"ErrUnroutable", "+15005550006", "Acme", testSecret, sms.InvalidNumber, "6", sms.Permanent},
		// Vonage reports numbers that replied STOP as barred.
		{"ErrBarredOptedOut", "+15005550007", "Acme", testSecret, sms.Blocked, "7", sms.Permanent},
		{"ErrThrottled", "+15005550001", "Acme", testSecret, sms.Throttled, "1", sms.Transient},
		{"ErrInternal", "+15005550005", "Acme", testSecret, sms.ProviderDown, "5", sms.Transient},
		{"ErrOutOfCredit", "+15005550009", "Acme", testSecret, sms.BadCredentials, "9", sms.Configuration},
		{"ErrNotWhitelisted", "+15005550029", "Acme", testSecret, sms.BadSender, "29", sms.Configuration},
		{"ErrDeactivated", "+15005550033", "Acme", testSecret, sms.Unreachable, "33", sms.Permanent},
		{"ErrIllegalSender", "+15551234567", "BADSENDER", testSecret, sms.BadSender, "15", sms.Configuration},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := mustProvider(t, func(c *vonage.Config) { c.APISecret = tc.secret })
			id, err := p.Send(t.Context(), adaptertest.Message(tc.to, tc.from))
			e := adaptertest.MustFail(t, id, err, tc.reason, tc.code, adaptertest.Body, adaptertest.Code, tc.secret, testSecret, testKey)
			if e.Class() != tc.class {
				t.Errorf("class = %v, want %v", e.Class(), tc.class)
			}
		})
	}
}

func TestNewAndKind(t *testing.T) {
	for _, tc := range []struct {
		name    string
		creds   map[string]string
		wantErr string
	}{
		{"OK", map[string]string{"api_key": testKey, "api_secret": testSecret}, ""},
		{"OKWithReceiptSecret", map[string]string{"api_key": testKey, "api_secret": testSecret, "signature_secret": "s"}, ""},
		{"ErrNoKey", map[string]string{"api_secret": testSecret}, "credential api_key is required"},
		{"ErrNoSecret", map[string]string{"api_key": testKey, "api_secret": ""}, "credential api_secret is required"},
		{"ErrUnknownName", map[string]string{"api_key": testKey, "api_secret": testSecret, "signature": "s"}, "credential signature is not used by vonage (it takes api_key, api_secret, application_id, private_key, voice_from, signature_secret)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vonage.Kind().New("", tc.creds)
			adaptertest.MustError(t, err, tc.wantErr, testSecret)
		})
	}
	t.Run("ErrBaseURLNotHTTP", func(t *testing.T) {
		_, err := vonage.New(vonage.Config{BaseURL: "ftp://x", APIKey: "k", APISecret: "s"})
		adaptertest.MustError(t, err, "base URL")
	})
}
