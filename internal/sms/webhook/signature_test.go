package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"smsmfa/internal/sms/webhook"
)

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"eventId":"evt1"}`)
	at := time.Unix(1795780000, 0)
	good := webhook.Sign(testSecret, body, at)

	t.Run("OKFormat", func(t *testing.T) {
		h := hmac.New(sha256.New, []byte(testSecret))
		h.Write([]byte("1795780000." + string(body)))
		if want := "t=1795780000,v1=" + hex.EncodeToString(h.Sum(nil)); good != want {
			t.Fatalf("Sign = %s, want %s", good, want)
		}
	})
	for _, tc := range []struct {
		name   string
		header string
		now    time.Time
	}{
		{"OK", good, at},
		{"OKWithinTolerance", good, at.Add(4 * time.Minute)},
		{"OKSlightlyAhead", good, at.Add(-4 * time.Minute)},
		{"OKRotation", good + ",v1=" + hex.EncodeToString(make([]byte, 32)), at},
		{"OKRotationOtherOrder", "v1=00," + good, at},
		{"OKUnknownKey", good + ",v0=abc", at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !webhook.VerifySignature(testSecret, tc.header, body, tc.now, 5*time.Minute) {
				t.Fatal("valid signature rejected")
			}
		})
	}

	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
	}{
		{"ErrWrongSecret", "other", good, string(body), at},
		{"ErrEmptySecret", "", good, string(body), at},
		{"ErrTamperedBody", testSecret, good, `{"eventId":"evt2"}`, at},
		{"ErrTooOld", testSecret, good, string(body), at.Add(6 * time.Minute)},
		{"ErrFromTheFuture", testSecret, good, string(body), at.Add(-6 * time.Minute)},
		{"ErrOtherTimestamp", testSecret, "t=1795780001," + good[len("t=1795780000,"):], string(body), at},
		{"ErrNoTimestamp", testSecret, good[len("t=1795780000,"):], string(body), at},
		{"ErrTwoTimestamps", testSecret, "t=1795780000," + good, string(body), at},
		{"ErrNoSignature", testSecret, "t=1795780000", string(body), at},
		{"ErrNotHex", testSecret, "t=1795780000,v1=xyz", string(body), at},
		{"ErrEmpty", testSecret, "", string(body), at},
		{"ErrPaddedTimestamp", testSecret, "t=+1795780000," + good[len("t=1795780000,"):], string(body), at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if webhook.VerifySignature(tc.secret, tc.header, []byte(tc.body), tc.now, 5*time.Minute) {
				t.Fatal("forged signature accepted")
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add(testSecret, "t=1795780000,v1=00", []byte("{}"), int64(1795780000))
	f.Add("", "", []byte(nil), int64(0))
	f.Add("s", "t=-9223372036854775808,v1=", []byte("x"), int64(9223372036))
	f.Fuzz(func(t *testing.T, secret, header string, body []byte, now int64) {
		at := time.Unix(now, 0)
		webhook.VerifySignature(secret, header, body, at, time.Minute)
		if secret != "" && !webhook.VerifySignature(secret, webhook.Sign(secret, body, at), body, at, time.Minute) {
			t.Fatal("own signature rejected")
		}
	})
}
