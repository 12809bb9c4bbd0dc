package vonage_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/sms/vonage"
)

const sigSecret = "vonage-sig-secret"

// signedDLR is a signed receipt; its sig was computed outside Go from the
// rule in Vonage's "Signing Messages" guide:
// HMAC-SHA256(secret, "&api-key=abcd1234&err-code=0&…&to=AcmeInc").
func signedDLR() url.Values {
	return url.Values{
		"msisdn":            {"447700900001"},
		"to":                {"AcmeInc"},
		"messageId":         {"0A0000001234567B"},
		"status":            {"delivered"},
		"err-code":          {"0"},
		"message-timestamp": {"2026-11-27 12:05:00"},
		"timestamp":         {"1795780000"},
		"nonce":             {"a=b&c"},
		"api-key":           {"abcd1234"},
		"sig":               {"ACA4638B9C3B7DB9281F17FC422215739F01AE979FA765DBDCC6143145B49E66"},
	}
}

func TestVerifySignature(t *testing.T) {
	t.Run("OKKnownVector", func(t *testing.T) {
		if !vonage.VerifySignature(sigSecret, signedDLR()) {
			t.Fatal("known signature rejected")
		}
		if got := vonage.Sign(sigSecret, signedDLR()); got != signedDLR().Get("sig") {
			t.Fatalf("Sign = %s", got)
		}
	})
	t.Run("OKLowerCase", func(t *testing.T) {
		v := signedDLR()
		v.Set("sig", strings.ToLower(v.Get("sig")))
		if !vonage.VerifySignature(sigSecret, v) {
			t.Fatal("lower-case signature rejected")
		}
	})

	for _, tc := range []struct {
		name   string
		secret string
		mod    func(url.Values)
	}{
		{"ErrWrongSecret", "other-secret", func(url.Values) {}},
		{"ErrEmptySecret", "", func(url.Values) {}},
		{"ErrTamperedStatus", sigSecret, func(v url.Values) { v.Set("status", "failed") }},
		{"ErrTamperedTimestamp", sigSecret, func(v url.Values) { v.Set("timestamp", "1795780001") }},
		{"ErrAddedParameter", sigSecret, func(v url.Values) { v.Set("price", "0") }},
		{"ErrRemovedParameter", sigSecret, func(v url.Values) { v.Del("nonce") }},
		{"ErrNoSig", sigSecret, func(v url.Values) { v.Del("sig") }},
		{"ErrNotHex", sigSecret, func(v url.Values) { v.Set("sig", "zz") }},
		{"ErrTruncated", sigSecret, func(v url.Values) { v.Set("sig", v.Get("sig")[:32]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := signedDLR()
			tc.mod(v)
			if vonage.VerifySignature(tc.secret, v) {
				t.Fatal("forged signature accepted")
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add(sigSecret, "messageId=A&status=delivered&sig=ACA4")
	f.Add("", "sig=")
	f.Fuzz(func(t *testing.T, secret, raw string) {
		v, _ := url.ParseQuery(raw)
		vonage.VerifySignature(secret, v)
		if secret != "" {
			v.Set("sig", vonage.Sign(secret, v))
			if !vonage.VerifySignature(secret, v) {
				t.Fatal("own signature rejected")
			}
		}
	})
}

func TestSignedAt(t *testing.T) {
	if at, ok := vonage.SignedAt(signedDLR()); !ok || !at.Equal(time.Unix(1795780000, 0)) || at.Location() != time.UTC {
		t.Fatalf("SignedAt = %v, %v", at, ok)
	}
	for _, ts := range []string{"", "soon", "1795780000.5", "-"} {
		v := signedDLR()
		v.Set("timestamp", ts)
		if _, ok := vonage.SignedAt(v); ok {
			t.Errorf("SignedAt(timestamp=%q) is ok", ts)
		}
	}
}
