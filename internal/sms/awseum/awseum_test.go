package awseum_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awseum"
	"smsmfa/internal/sms/internal/adaptertest"
	"smsmfa/internal/sms/internal/awstest"
)

// newProvider returns a Provider for the test account at baseURL.
func newProvider(t *testing.T, baseURL string, mod func(*awseum.Config)) *awseum.Provider {
	return adaptertest.Build(t, awseum.New, awseum.Config{BaseURL: baseURL, AccessKeyID: awstest.AccessKeyID,
		SecretAccessKey: awstest.SecretAccessKey, Region: awstest.Region, Now: adaptertest.Clock}, mod)
}

// withClient is newProvider for the shared failure suites.
func withClient(t *testing.T, baseURL string, c *http.Client) sms.Provider {
	return newProvider(t, baseURL, func(cfg *awseum.Config) { cfg.HTTPClient = c })
}

// mustProvider starts an emulator and returns a Provider pointed at it.
func mustProvider(t *testing.T, mod func(*awseum.Config)) (*awseum.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t}
	return newProvider(t, adaptertest.Serve(t, emu), mod), emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *awseum.Config) { c.ConfigurationSetName = "smsmfa-events" })
		msg := adaptertest.Message("+15551234567", "+15557654321")
		msg.ID, msg.StatusCallback, msg.Expires = "msg_1", "https://ignored.example.com", adaptertest.Now.Add(5*time.Minute)
		id, err := p.Send(t.Context(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, "eum-") {
			t.Errorf("id = %q", id)
		}
		got := emu.requests.Last(t)
		if got.Auth.AccessKeyID != awstest.AccessKeyID || got.Auth.Region != awstest.Region || got.Auth.Service != "sms-voice" {
			t.Errorf("SigV4 scope = %+v", got.Auth)
		}
		want := map[string]any{
			"DestinationPhoneNumber": "+15551234567",
			"MessageBody":            adaptertest.Body,
			"MessageType":            "TRANSACTIONAL",
			"OriginationIdentity":    "+15557654321",
			"ConfigurationSetName":   "smsmfa-events",
			"TimeToLive":             float64(300),
			"Context":                map[string]any{awseum.ContextKey: "msg_1"},
		}
		if diff := cmp.Diff(want, got.Body); diff != "" {
			t.Errorf("request (-want +got):\n%s", diff)
		}
	})

	t.Run("OKMinimal", func(t *testing.T) {
		p, emu := mustProvider(t, nil)
		if _, err := p.Send(t.Context(), adaptertest.Message("+15551234567", "")); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"DestinationPhoneNumber": "+15551234567",
			"MessageBody":            adaptertest.Body,
			"MessageType":            "TRANSACTIONAL",
		}
		if diff := cmp.Diff(want, emu.requests.Last(t).Body); diff != "" {
			t.Errorf("request (-want +got):\n%s", diff)
		}
	})
}

func TestSendTimeToLive(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    any
	}{
		{"None", time.Time{}, nil},
		{"TwoMinutes", adaptertest.Now.Add(2 * time.Minute), float64(120)},
		{"RaisedToMinimum", adaptertest.Now.Add(time.Second), float64(5)},
		{"Expired", adaptertest.Now.Add(-time.Hour), float64(5)},
		{"CappedAtThreeDays", adaptertest.Now.Add(30 * 24 * time.Hour), float64(259200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			msg := adaptertest.Message("+15551234567", "")
			msg.Expires = tc.expires
			if _, err := p.Send(t.Context(), msg); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.requests.Last(t).Body["TimeToLive"]); diff != "" {
				t.Errorf("TimeToLive (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		to     string
		from   string
		mod    func(*awseum.Config)
		reason sms.Reason
		code   string
	}{
		{"ErrWrongSecret", "+15551234567", "", func(c *awseum.Config) { c.SecretAccessKey = "not-the-secret" }, sms.BadCredentials, "InvalidSignatureException"},
		{"ErrUnknownKey", "+15551234567", "", func(c *awseum.Config) { c.AccessKeyID = "AKIAUNKNOWN" }, sms.BadCredentials, "UnrecognizedClientException"},
		{"ErrWrongRegion", "+15551234567", "", func(c *awseum.Config) { c.Region = "eu-west-1" }, sms.BadCredentials, "InvalidSignatureException"},
		{"ErrInvalidNumber", "+15005550001", "", nil, sms.InvalidNumber, "ValidationException:INVALID_PARAMETER"},
		{"ErrNotE164", "5551234567", "", nil, sms.InvalidNumber, "ValidationException:INVALID_PARAMETER"},
		{"ErrCountryBlocked", "+15005550003", "", nil, sms.BadSender, "ValidationException:DESTINATION_COUNTRY_BLOCKED"},
		{"ErrOptedOut", "+15005550004", "", nil, sms.OptedOut, "ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT"},
		{"ErrBlockedNumber", "+15005550005", "", nil, sms.Blocked, "ConflictException:DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE"},
		{"ErrSpendLimit", "+15005550009", "", nil, sms.BadCredentials, "ServiceQuotaExceededException:MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"},
		{"ErrInternal", "+15005550500", "", nil, sms.ProviderDown, "InternalServerException"},
		{"ErrUnknownPool", "+15551234567", "missing-pool", nil, sms.BadSender, "ResourceNotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := mustProvider(t, tc.mod)
			id, err := p.Send(t.Context(), adaptertest.Message(tc.to, tc.from))
			adaptertest.MustFail(t, id, err, tc.reason, tc.code, adaptertest.Body, adaptertest.Code, awstest.SecretAccessKey, "not-the-secret")
		})
	}
}

func TestNewAndKind(t *testing.T) {
	t.Run("OKWithConfigurationSet", func(t *testing.T) {
		emu := &emulator{t: t}
		p, err := awseum.Kind().New(adaptertest.Serve(t, emu), map[string]string{
			"access_key_id": awstest.AccessKeyID, "secret_access_key": awstest.SecretAccessKey, "region": awstest.Region, "configuration_set": "cs1",
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Send(t.Context(), adaptertest.Message("+15551234567", "")); err != nil {
			t.Fatal(err)
		}
		if got := emu.requests.Last(t).Body["ConfigurationSetName"]; got != "cs1" {
			t.Errorf("ConfigurationSetName = %v", got)
		}
	})
	for _, tc := range []struct {
		name    string
		creds   map[string]string
		wantErr string
	}{
		{"ErrNoRegion", map[string]string{"access_key_id": awstest.AccessKeyID, "secret_access_key": awstest.SecretAccessKey}, "credential region is required"},
		{"ErrNoKeys", map[string]string{"region": awstest.Region}, "credential access_key_id is required for aws-eum; credential secret_access_key is required for aws-eum"},
		{"ErrUnknownName", map[string]string{"access_key_id": awstest.AccessKeyID, "secret_access_key": awstest.SecretAccessKey, "region": awstest.Region, "profile": "x"}, "credential profile is not used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awseum.Kind().New("", tc.creds)
			adaptertest.MustError(t, err, tc.wantErr, awstest.SecretAccessKey)
		})
	}
}
