package vonage

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// VerifySignature reports whether the "sig" parameter of a signed Vonage
// callback is the HMAC-SHA256 signature, keyed by the account's signature
// secret, of the other parameters. Per Vonage's "Signing Messages" guide
// the signed string is "&name=value" for every parameter but sig, names
// sorted, with "&" and "=" inside values replaced by "_"; the signature is
// hex (Vonage sends it upper-case; either case is accepted). Only the
// HMAC-SHA256 method is supported: choose it in the Vonage dashboard. The
// comparison is constant-time. It returns false for an empty secret, a
// missing or non-hex sig, and any mismatch.
//
// The signature covers the "timestamp" parameter but says nothing about
// its age: callers check SignedAt against their clock to refuse replays.
func VerifySignature(secret string, values url.Values) bool {
	if secret == "" {
		return false
	}
	got, err := hex.DecodeString(values.Get("sig"))
	if err != nil || len(got) == 0 {
		return false
	}
	return hmac.Equal(got, mac(secret, values))
}

// SignedAt returns the time a signed callback was signed: its "timestamp"
// parameter, Unix seconds in UTC, which the signature covers. ok is false
// when it is missing or not a whole number of seconds.
func SignedAt(values url.Values) (at time.Time, ok bool) {
	sec, err := strconv.ParseInt(values.Get("timestamp"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).UTC(), true
}

// Sign returns the upper-case hex signature Vonage would put in "sig" for
// values (any "sig" in values is ignored); VerifySignature accepts it.
// Tests and local emulators use it.
func Sign(secret string, values url.Values) string {
	return strings.ToUpper(hex.EncodeToString(mac(secret, values)))
}

// mac computes the raw HMAC-SHA256 of the signing string.
func mac(secret string, values url.Values) []byte {
	names := make([]string, 0, len(values))
	for name := range values {
		if name != "sig" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	clean := strings.NewReplacer("&", "_", "=", "_")
	h := hmac.New(sha256.New, []byte(secret))
	for _, name := range names {
		h.Write([]byte("&" + name + "=" + clean.Replace(values.Get(name))))
	}
	return h.Sum(nil)
}
