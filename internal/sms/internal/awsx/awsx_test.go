package awsx_test

import (
	"strings"
	"testing"

	"smsmfa/internal/sms"
	"smsmfa/internal/sms/internal/awsx"
)

func TestCommonReason(t *testing.T) {
	for code, want := range map[string]sms.Reason{
		"InvalidClientTokenId": sms.BadCredentials, "InvalidSignatureException": sms.BadCredentials,
		"AccessDeniedException": sms.BadCredentials, "Throttling": sms.Throttled,
		"ThrottlingException": sms.Throttled, "InternalError": sms.ProviderDown,
		"InternalServerException": sms.ProviderDown, "OptedOut": sms.OptedOut,
	} {
		if got, ok := awsx.CommonReason(code); got != want || !ok {
			t.Errorf("CommonReason(%s) = %s, %v; want %s", code, got, ok, want)
		}
	}
	if got, ok := awsx.CommonReason("InvalidParameter"); ok {
		t.Errorf("CommonReason(InvalidParameter) = %s, true", got)
	}
}

func TestCredentials(t *testing.T) {
	c := awsx.FromMap(map[string]string{"access_key_id": "a", "secret_access_key": "b", "region": "r", "extra": "e"})
	if c != (awsx.Credentials{AccessKeyID: "a", SecretAccessKey: "b", Region: "r"}) {
		t.Fatalf("FromMap = %+v", c)
	}
	if err := c.Validate("aws-x"); err != nil {
		t.Fatal(err)
	}
	if err := (awsx.Credentials{AccessKeyID: "a"}).Validate("aws-x"); err == nil ||
		!strings.Contains(err.Error(), `"secret_access_key", "region"`) {
		t.Fatalf("error = %v", err)
	}
}
