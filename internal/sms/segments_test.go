package sms_test

import (
	"strings"
	"testing"

	"smsmfa/internal/sms"
)

func TestEncode(t *testing.T) {
	for _, c := range []struct {
		body     string
		name     string
		units    int
		segments int
	}{
		{"Your code is 123456.", "GSM-7", 20, 1},
		{strings.Repeat("a", 160), "GSM-7", 160, 1},
		{strings.Repeat("a", 161), "GSM-7", 161, 2},
		{"Price: 5€ {ok}", "GSM-7", 17, 1}, // €, { and } count twice
		{"Votre code est 123456 — merci", "UCS-2", 29, 1},
		{strings.Repeat("é", 10) + "ł", "UCS-2", 11, 1},
		{strings.Repeat("ł", 71), "UCS-2", 71, 2},
		{"😀", "UCS-2", 2, 1}, // a surrogate pair
	} {
		got := sms.Encode(c.body)
		if got.Name != c.name || got.Units != c.units || got.Segments != c.segments {
			t.Errorf("Encode(%q) = %+v, want %s %d units %d segments", c.body, got, c.name, c.units, c.segments)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		`refused: "Your Acme verification code is 482913. It expires"`:           `refused: "Your Acme verification code is •••. It expires"`,
		"sms: invalid_number (21211): The 'To' number +14155550123 is not valid": "sms: invalid_number (21211): The 'To' number +••• is not valid",
		"HTTP 503": "HTTP 503",
		"12345":    "12345",
		"1234567":  "•••",
	} {
		if got := sms.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
