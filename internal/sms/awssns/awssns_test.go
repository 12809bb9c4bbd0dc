package awssns_test

import (
	"net/http/httptest"
	"net/url"
	"smsmfa/internal/sms/internal/adaptertest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awssns"
)

const (
	testAKID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion = "eu-west-1"
	testBody   = "Your verification code is 482913"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustProvider(t *testing.T, mod func(*awssns.Config)) (*awssns.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, akid: testAKID, secret: testSecret, region: testRegion}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := awssns.Config{
		BaseURL:         srv.URL,
		AccessKeyID:     testAKID,
		SecretAccessKey: testSecret,
		Region:          testRegion,
		HTTPClient:      srv.Client(),
		Now:             func() time.Time { return testNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := awssns.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, emu
}

func TestSend(t *testing.T) {
	for _, tc := range []struct {
		name  string
		from  string
		attrs map[string]attr
	}{
		{"OKNoSender", "", map[string]attr{
			"AWS.SNS.SMS.SMSType": {"String", "Transactional"},
		}},
		{"OKSenderID", "AcmeInc", map[string]attr{
			"AWS.SNS.SMS.SMSType":  {"String", "Transactional"},
			"AWS.SNS.SMS.SenderID": {"String", "AcmeInc"},
		}},
		{"OKOriginationNumber", "+15557654321", map[string]attr{
			"AWS.SNS.SMS.SMSType":          {"String", "Transactional"},
			"AWS.MM.SMS.OriginationNumber": {"String", "+15557654321"},
		}},
		{"OKShortCode", "12345", map[string]attr{
			"AWS.SNS.SMS.SMSType":          {"String", "Transactional"},
			"AWS.MM.SMS.OriginationNumber": {"String", "12345"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			id, err := p.Send(t.Context(), sms.Message{
				ID: "msg_1", To: "+447700900001", From: tc.from, Body: testBody,
				StatusCallback: "https://ignored.example.com", Expires: testNow.Add(5 * time.Minute),
			})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(id, "567910cd-") {
				t.Errorf("id = %q", id)
			}
			got := emu.last()
			if got.Auth.AccessKeyID != testAKID || got.Auth.Region != testRegion || got.Auth.Service != "sns" {
				t.Errorf("SigV4 scope = %+v", got.Auth)
			}
			if diff := cmp.Diff(tc.attrs, got.Attributes); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			params := url.Values{}
			for k, v := range got.Params {
				if !strings.HasPrefix(k, "MessageAttributes.") {
					params[k] = v
				}
			}
			want := url.Values{
				"Action":      {"Publish"},
				"Version":     {"2010-03-31"},
				"PhoneNumber": {"+447700900001"},
				"Message":     {testBody},
			}
			if diff := cmp.Diff(want, params); diff != "" {
				t.Errorf("parameters (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		to     string
		from   string
		mod    func(*awssns.Config)
		reason sms.Reason
		code   string
	}{
		{"ErrWrongSecret", "+447700900001", "", func(c *awssns.Config) { c.SecretAccessKey = "not-the-secret" }, sms.BadCredentials, "SignatureDoesNotMatch"},
		{"ErrUnknownKey", "+447700900001", "", func(c *awssns.Config) { c.AccessKeyID = "AKIAUNKNOWN" }, sms.BadCredentials, "InvalidClientTokenId"},
		{"ErrWrongRegion", "+447700900001", "", func(c *awssns.Config) { c.Region = "us-east-1" }, sms.BadCredentials, "SignatureDoesNotMatch"},
		{"ErrInvalidNumber", "+15005550001", "", nil, sms.InvalidNumber, "InvalidParameter"},
		{"ErrNotE164", "07700900001", "", nil, sms.InvalidNumber, "InvalidParameter"},
		{"ErrBadSenderID", "+447700900001", "Bad_Sender!", nil, sms.BadSender, "InvalidParameter"},
		{"ErrOptedOut", "+15005550004", "", nil, sms.OptedOut, "OptedOut"},
		{"ErrInternal", "+15005550500", "", nil, sms.ProviderDown, "InternalError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := mustProvider(t, tc.mod)
			id, err := p.Send(t.Context(), sms.Message{To: tc.to, From: tc.from, Body: testBody})
			if id != "" {
				t.Errorf("id = %q on failure", id)
			}
			adaptertest.MustSMSError(t, err, tc.reason, tc.code)
			adaptertest.MustNotLeak(t, err, testBody, "482913", testSecret, "not-the-secret")
		})
	}
}

func TestNewAndKind(t *testing.T) {
	all := map[string]string{"access_key_id": testAKID, "secret_access_key": testSecret, "region": testRegion}
	for _, tc := range []struct {
		name    string
		drop    string
		add     map[string]string
		wantErr string
	}{
		{"OK", "", nil, ""},
		{"ErrNoKeyID", "access_key_id", nil, "credential access_key_id is required for aws-sns"},
		{"ErrNoSecret", "secret_access_key", nil, "credential secret_access_key is required"},
		{"ErrNoRegion", "region", nil, "credential region is required"},
		{"ErrUnknownName", "", map[string]string{"session_token": "x"}, "credential session_token is not used by aws-sns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds := map[string]string{}
			for k, v := range all {
				if k != tc.drop {
					creds[k] = v
				}
			}
			for k, v := range tc.add {
				creds[k] = v
			}
			_, err := awssns.Kind().New("", creds)
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
	if _, err := awssns.New(awssns.Config{BaseURL: "localhost:4566", AccessKeyID: "a", SecretAccessKey: "b", Region: "c"}); err == nil {
		t.Error("New accepted a base URL without scheme")
	}
}
