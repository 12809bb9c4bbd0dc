package vonage_test

import (
	"net/http/httptest"
	"net/url"
	"smsmfa/internal/sms/internal/adaptertest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/vonage"
)

const (
	testKey    = "abcd1234"
	testSecret = "vonage-api-secret-0123456789"
	testBody   = "Your verification code is 482913"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustProvider(t *testing.T, mod func(*vonage.Config)) (*vonage.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, apiKey: testKey, apiSecret: testSecret}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := vonage.Config{
		BaseURL:    srv.URL,
		APIKey:     testKey,
		APISecret:  testSecret,
		HTTPClient: srv.Client(),
		Now:        func() time.Time { return testNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := vonage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		id, err := p.Send(t.Context(), sms.Message{
			ID:             "msg_01JD3",
			To:             "+447700900001",
			From:           "AcmeInc",
			Body:           testBody,
			StatusCallback: "https://mfa.example.com/sms/vonage/receipt",
			Expires:        testNow.Add(5 * time.Minute),
		})
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
			"text":       {testBody},
			"client-ref": {"msg_01JD3"},
			"callback":   {"https://mfa.example.com/sms/vonage/receipt"},
			"ttl":        {"300000"},
		}
		if diff := cmp.Diff(want, emu.lastForm()); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("OKUnicodeAndNumericSender", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *vonage.Config) { c.From = "+15557654321" })
		body := "Ваш код: 482913"
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: body}); err != nil {
			t.Fatal(err)
		}
		want := url.Values{
			"api_key": {testKey}, "api_secret": {testSecret},
			"from": {"15557654321"}, "to": {"15551234567"},
			"text": {body}, "type": {"unicode"},
		}
		if diff := cmp.Diff(want, emu.lastForm()); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	})

	t.Run("OKGSMExtensionIsNotUnicode", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		gsm := "Code [482913] é € ^ ~ | Ñ ¿"
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: "Acme", Body: gsm}); err != nil {
			t.Fatal(err)
		}
		if got := emu.lastForm().Get("type"); got != "" {
			t.Errorf("type = %q for a GSM-7 text", got)
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

func TestSendTTL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    []string
	}{
		{"None", time.Time{}, nil},
		{"TwoMinutes", testNow.Add(2 * time.Minute), []string{"120000"}},
		{"RaisedToMinimum", testNow.Add(5 * time.Second), []string{"20000"}},
		{"Expired", testNow.Add(-time.Minute), []string{"20000"}},
		{"CappedAtSevenDays", testNow.Add(30 * 24 * time.Hour), []string{"604800000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", From: "Acme", Body: testBody, Expires: tc.expires}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.lastForm()["ttl"]); diff != "" {
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
			id, err := p.Send(t.Context(), sms.Message{To: tc.to, From: tc.from, Body: testBody})
			if id != "" {
				t.Errorf("id = %q on failure", id)
			}
			e := adaptertest.MustSMSError(t, err, tc.reason, tc.code)
			if e.Class() != tc.class {
				t.Errorf("class = %v, want %v", e.Class(), tc.class)
			}
			adaptertest.MustNotLeak(t, err, testBody, "482913", tc.secret, testSecret, testKey)
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
		{"ErrUnknownName", map[string]string{"api_key": testKey, "api_secret": testSecret, "signature": "s"}, "credential signature is not used by vonage (it takes api_key, api_secret, signature_secret)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vonage.Kind().New("", tc.creds)
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
	if _, err := vonage.New(vonage.Config{BaseURL: "ftp://x", APIKey: "k", APISecret: "s"}); err == nil {
		t.Error("New accepted an ftp base URL")
	}
}
