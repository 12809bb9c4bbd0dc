// Package otp generates one-time codes and protects them at rest: a code is
// only ever stored as HMAC-SHA256(server key, challenge id, code) and
// compared in constant time. It is pure: no I/O, randomness comes in.
package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	"strings"
)

// Generate returns a code of n decimal digits, uniformly distributed, read
// from r (crypto/rand.Reader in production).
func Generate(r io.Reader, n int) (string, error) {
	if n < 4 || n > 18 {
		return "", errors.New("otp: code length must be 4 to 18 digits")
	}
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	v, err := rand.Int(r, max)
	if err != nil {
		return "", err
	}
	s := v.String()
	return strings.Repeat("0", n-len(s)) + s, nil
}

// MAC returns HMAC-SHA256(key, challengeID || 0x00 || code).
func MAC(key []byte, challengeID, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(challengeID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Check reports in constant time whether code matches mac for challengeID.
func Check(key []byte, challengeID, code string, mac []byte) bool {
	return hmac.Equal(MAC(key, challengeID, code), mac)
}

// Normalize turns what a person typed into the digits of a code: spaces,
// dashes and dots are dropped and full-width digits become ASCII. It
// returns "" when anything else is left, or when there are no digits.
func Normalize(input string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(input) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == ' ' || r == '-' || r == '.' || r == '\u00a0':
		default:
			return ""
		}
	}
	return b.String()
}
