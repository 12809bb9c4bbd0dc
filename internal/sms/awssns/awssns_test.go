package awssns_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awssns"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

// newProvider returns a Provider for the test account at baseURL.
func newProvider(t *testing.T, baseURL string, mod func(*awssns.Config)) *awssns.Provider {
	return adaptertest.Build(t, awssns.New, awssns.Config{BaseURL: baseURL, AccessKeyID: awstest.AccessKeyID,
		SecretAccessKey: awstest.SecretAccessKey, Region: awstest.Region, Now: adaptertest.Clock}, mod)
}

// withClient is newProvider for the shared failure suites.
func withClient(t *testing.T, baseURL string, c *http.Client) sms.Provider {
	return newProvider(t, baseURL, func(cfg *awssns.Config) { cfg.HTTPClient = c })
}

// mustProvider starts an emulator and returns a Provider pointed at it.
func mustProvider(t *testing.T, mod func(*awssns.Config)) (*awssns.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t}
	return newProvider(t, adaptertest.Serve(t, emu), mod), emu
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
			msg := adaptertest.Message("+447700900001", tc.from)
			msg.ID, msg.StatusCallback, msg.Expires = "msg_1", "https://ignored.example.com", adaptertest.Now.Add(5*time.Minute)
			id, err := p.Send(t.Context(), msg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(id, "567910cd-") {
				t.Errorf("id = %q", id)
			}
			got := emu.requests.Last(t)
			if got.Auth.AccessKeyID != awstest.AccessKeyID || got.Auth.Region != awstest.Region || got.Auth.Service != "sns" {
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
				"Message":     {adaptertest.Body},
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
			id, err := p.Send(t.Context(), adaptertest.Message(tc.to, tc.from))
			adaptertest.MustFail(t, id, err, tc.reason, tc.code, adaptertest.Body, adaptertest.Code, awstest.SecretAccessKey, "not-the-secret")
		})
	}
}

func TestNewAndKind(t *testing.T) {
	all := map[string]string{"access_key_id": awstest.AccessKeyID, "secret_access_key": awstest.SecretAccessKey, "region": awstest.Region}
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
			adaptertest.MustError(t, err, tc.wantErr, awstest.SecretAccessKey)
		})
	}
	t.Run("ErrBaseURLWithoutScheme", func(t *testing.T) {
		_, err := awssns.New(awssns.Config{BaseURL: "localhost:4566", AccessKeyID: "a", SecretAccessKey: "b", Region: "c"})
		adaptertest.MustError(t, err, "base URL")
	})
}
