package awseum_test

import (
	"net/http/httptest"
	"smsmfa/internal/sms/internal/adaptertest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/awseum"
)

const (
	testAKID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion = "us-west-2"
	testBody   = "Your verification code is 482913"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustProvider(t *testing.T, mod func(*awseum.Config)) (*awseum.Provider, *emulator) {
	t.Helper()
	emu := &emulator{t: t, akid: testAKID, secret: testSecret, region: testRegion}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := awseum.Config{
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
	p, err := awseum.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, emu
}

func TestSend(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, emu := mustProvider(t, func(c *awseum.Config) { c.ConfigurationSetName = "smsmfa-events" })
		id, err := p.Send(t.Context(), sms.Message{
			ID:             "msg_1",
			To:             "+15551234567",
			From:           "+15557654321",
			Body:           testBody,
			StatusCallback: "https://ignored.example.com",
			Expires:        testNow.Add(5 * time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, "eum-") {
			t.Errorf("id = %q", id)
		}
		got := emu.last()
		if got.Auth.AccessKeyID != testAKID || got.Auth.Region != testRegion || got.Auth.Service != "sms-voice" {
			t.Errorf("SigV4 scope = %+v", got.Auth)
		}
		want := map[string]any{
			"DestinationPhoneNumber": "+15551234567",
			"MessageBody":            testBody,
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
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"DestinationPhoneNumber": "+15551234567",
			"MessageBody":            testBody,
			"MessageType":            "TRANSACTIONAL",
		}
		if diff := cmp.Diff(want, emu.last().Body); diff != "" {
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
		{"TwoMinutes", testNow.Add(2 * time.Minute), float64(120)},
		{"RaisedToMinimum", testNow.Add(time.Second), float64(5)},
		{"Expired", testNow.Add(-time.Hour), float64(5)},
		{"CappedAtThreeDays", testNow.Add(30 * 24 * time.Hour), float64(259200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, emu := mustProvider(t, nil)
			if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody, Expires: tc.expires}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emu.last().Body["TimeToLive"]); diff != "" {
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
	emu := &emulator{t: t, akid: testAKID, secret: testSecret, region: testRegion}
	srv := httptest.NewServer(emu)
	defer srv.Close()

	t.Run("OKWithConfigurationSet", func(t *testing.T) {
		p, err := awseum.Kind().New(srv.URL, map[string]string{
			"access_key_id": testAKID, "secret_access_key": testSecret, "region": testRegion, "configuration_set": "cs1",
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Send(t.Context(), sms.Message{To: "+15551234567", Body: testBody}); err != nil {
			t.Fatal(err)
		}
		if got := emu.last().Body["ConfigurationSetName"]; got != "cs1" {
			t.Errorf("ConfigurationSetName = %v", got)
		}
	})
	for _, tc := range []struct {
		name    string
		creds   map[string]string
		wantErr string
	}{
		{"ErrNoRegion", map[string]string{"access_key_id": testAKID, "secret_access_key": testSecret}, "credential region is required"},
		{"ErrNoKeys", map[string]string{"region": testRegion}, "credential access_key_id is required for aws-eum; credential secret_access_key is required for aws-eum"},
		{"ErrUnknownName", map[string]string{"access_key_id": testAKID, "secret_access_key": testSecret, "region": testRegion, "profile": "x"}, "credential profile is not used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awseum.Kind().New("", tc.creds)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %s", err, tc.wantErr)
			}
			adaptertest.MustNotLeak(t, err, testSecret)
		})
	}
}
