package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries Sign's result.
const SignatureHeader = "X-Smsmfa-Signature"

// Sign returns the X-Smsmfa-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<unix seconds>." body)>".
func Sign(secret string, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// VerifySignature reports whether header, an X-Smsmfa-Signature value, is
// a valid signature of body by secret made within tolerance of now. The
// header is a comma-separated list of key=value pairs with exactly one t
// and one or more v1 (several v1 let a sender sign with an old and a new
// secret during rotation); unknown keys are ignored. The comparison is
// constant-time. It returns false for an empty secret, a malformed header,
// a timestamp further than tolerance from now (in either direction), and
// any mismatch.
func VerifySignature(secret string, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	if secret == "" {
		return false
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return false
		}
		switch k {
		case "t":
			if ts != "" {
				return false
			}
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil {
				return false
			}
			sigs = append(sigs, sig)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 || strconv.FormatInt(unix, 10) != ts {
		return false
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := mac(secret, ts, body)
	ok := false
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			ok = true
		}
	}
	return ok
}

// mac is HMAC-SHA256(secret, ts "." body).
func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}
