package otp_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"smsmfa/internal/otp"
)

func TestGenerateIsDigitsOfRequestedLength(t *testing.T) {
	for _, n := range []int{6, 8} {
		for range 200 {
			c, err := otp.Generate(rand.Reader, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(c) != n || otp.Normalize(c) != c {
				t.Fatalf("Generate(%d) = %q", n, c)
			}
		}
	}
}

func TestGenerateKeepsLeadingZeros(t *testing.T) {
	// An all-zero random stream yields the smallest value, which must be
	// padded, not shortened.
	c, err := otp.Generate(bytes.NewReader(make([]byte, 64)), 6)
	if err != nil {
		t.Fatal(err)
	}
	if c != "000000" {
		t.Fatalf("got %q, want 000000", c)
	}
}

func TestGenerateSpreadsOverAllDigits(t *testing.T) {
	seen := map[byte]int{}
	for range 2000 {
		c, _ := otp.Generate(rand.Reader, 6)
		seen[c[0]]++
	}
	for d := byte('0'); d <= '9'; d++ {
		if seen[d] < 100 { // expected 200 each
			t.Fatalf("first digit %c seen %d times in 2000 codes: %v", d, seen[d], seen)
		}
	}
}

func TestMACBindsCodeToChallenge(t *testing.T) {
	key := []byte("k")
	mac := otp.MAC(key, "chal1", "123456")
	if !otp.Check(key, "chal1", "123456", mac) {
		t.Fatal("the right code is refused")
	}
	for _, c := range []struct{ key, id, code string }{
		{"k", "chal1", "123457"},
		{"k", "chal2", "123456"},
		{"other", "chal1", "123456"},
		{"k", "chal11", "23456"}, // no ambiguity between id and code
	} {
		if otp.Check([]byte(c.key), c.id, c.code, mac) {
			t.Errorf("accepted %+v", c)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"123456":    "123456",
		" 123 456 ": "123456",
		"123-456":   "123456",
		"１２３４５６":    "123456",
		"12345a":    "",
		"":          "",
		"G-123456":  "",
		"123456\n":  "123456",
	} {
		if got := otp.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("123 456")
	f.Add("１２３")
	f.Fuzz(func(t *testing.T, s string) {
		n := otp.Normalize(s)
		for _, r := range n {
			if r < '0' || r > '9' {
				t.Fatalf("Normalize(%q) = %q holds a non-digit", s, n)
			}
		}
	})
}
