package telephony_test

import (
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// TestAddRefusals pins what the command line and the console show for a
// refused provider: every problem, sorted, in one message.
func TestAddRefusals(t *testing.T) {
	sid := "AC" + strings.Repeat("1", 32)
	mg := "MG" + strings.Repeat("2", 32)
	for _, tc := range []struct {
		name string
		p    mfa.ProviderConfig
		want string
	}{
		{"UnknownType", mfa.ProviderConfig{Name: "x", Type: "sinch"},
			`provider: type: "sinch" is not one of aws-eum, aws-sns, twilio, vonage, webhook`},
		{"DomainAndCredentialRules", mfa.ProviderConfig{Name: "a b", Type: "twilio", Priority: 2000, Credentials: map[string]string{"account_sid": sid}},
			"provider: credential auth_token is required for twilio; name: 1 to 40 printable characters without spaces or slashes; priority: 0 to 1000"},
		{"UnknownCredential", mfa.ProviderConfig{Name: "v", Type: "vonage", Credentials: map[string]string{"api_key": "k", "api_secret": "s", "sig": "x"}},
			"provider: credential sig is not used by vonage (it takes api_key, api_secret, application_id, private_key, voice_from, signature_secret)"},
		{"AWSCredentials", mfa.ProviderConfig{Name: "aws", Type: "aws-sns", Credentials: map[string]string{"region": "us-east-1", "profile": "p"}},
			"provider: credential access_key_id is required for aws-sns; credential profile is not used by aws-sns (it takes access_key_id, secret_access_key, region); credential secret_access_key is required for aws-sns"},
		{"WebhookWithoutURL", mfa.ProviderConfig{Name: "w", Type: "webhook", Credentials: map[string]string{"secret": "s"}},
			"provider: url: a webhook provider needs --url"},
		{"NotAnHTTPURL", mfa.ProviderConfig{Name: "t", Type: "twilio", BaseURL: "ftp://x", Credentials: map[string]string{"account_sid": sid, "auth_token": "t"}},
			`provider: url: "ftp://x" is not an http(s) URL`},
		{"SlashIsNoURL", mfa.ProviderConfig{Name: "t", Type: "twilio", BaseURL: "/", Credentials: map[string]string{"account_sid": sid, "auth_token": "t"}},
			`provider: url: "/" is not an http(s) URL`},
		{"ServiceSIDOutsideTwilio", mfa.ProviderConfig{Name: "v", Type: "vonage", Credentials: map[string]string{"api_key": "k", "api_secret": "s"},
			Senders: []mfa.Sender{{Value: mg, Kind: mfa.SenderService}}},
			"provider: sender " + mg + ": Messaging Service SIDs work with twilio only"},
		{"AdapterRefusal", mfa.ProviderConfig{Name: "w", Type: "webhook", BaseURL: "https://hooks.example.com/sms", Credentials: map[string]string{"secret": "s", "header": "X Bad"}},
			`provider: webhook: "X Bad" is not a valid header name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.pool.Add(e.ctx, tc.p)
			if me := mfa.ErrorOf(err); me.Code != mfa.EInvalid || me.Reason != mfa.RInvalidInput || me.Message != tc.want {
				t.Fatalf("Add = %v\n want %s", err, tc.want)
			}
			if ps, err := e.svc.Telephony.Providers(e.ctx, e.keys); err != nil || len(ps) != 0 {
				t.Fatalf("stored %v, %v; want nothing", ps, err)
			}
		})
	}
}

func TestAddVonageWithReceiptSecret(t *testing.T) {
	e := newEnv(t)
	added, err := e.pool.Add(e.ctx, mfa.ProviderConfig{Name: "v", Type: "vonage", BaseURL: "https://rest.example.com/",
		Credentials: map[string]string{"api_key": "k", "api_secret": "s", "signature_secret": "r"}})
	if err != nil || added.BaseURL != "https://rest.example.com" {
		t.Fatalf("Add = %+v, %v", added, err)
	}
	if s := e.pool.Statuses(); len(s) != 1 || s[0].Name != "v" {
		t.Fatalf("routes %+v: the adapter was left out (was signature_secret handed to it?)", s)
	}
}
