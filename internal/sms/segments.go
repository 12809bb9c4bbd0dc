package sms

import (
	"strings"
	"unicode/utf16"
)

// gsmBasic is the GSM 03.38 default alphabet, less the escape character.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters of the GSM 03.38 extension table, each
// sent as escape plus one septet (so it counts twice).
const gsmExtension = "\f^{}\\[~]|€"

// IsGSM7 reports whether every character of s fits the GSM 7-bit alphabet;
// otherwise the message goes out as UCS-2 (70 characters a segment).
func IsGSM7(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(gsmBasic, r) && !strings.ContainsRune(gsmExtension, r) {
			return false
		}
	}
	return true
}

// Encoding describes how a text travels: its encoding, its length in that
// encoding's units (septets or UTF-16 code units) and how many segments
// (billable parts) it takes.
type Encoding struct {
	Name     string // "GSM-7" or "UCS-2"
	Units    int
	Segments int
}

// Encode returns the encoding of body: GSM-7 holds 160 septets in one
// segment, 153 in each of several; UCS-2 holds 70 code units, 67 each.
func Encode(body string) Encoding {
	if IsGSM7(body) {
		n := 0
		for _, r := range body {
			n++
			if strings.ContainsRune(gsmExtension, r) {
				n++
			}
		}
		return Encoding{Name: "GSM-7", Units: n, Segments: segments(n, 160, 153)}
	}
	n := len(utf16.Encode([]rune(body)))
	return Encoding{Name: "UCS-2", Units: n, Segments: segments(n, 70, 67)}
}

func segments(n, single, multi int) int {
	switch {
	case n == 0:
		return 0
	case n <= single:
		return 1
	}
	return (n + multi - 1) / multi
}
