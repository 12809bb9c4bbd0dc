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
