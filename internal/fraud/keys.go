package fraud

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Kinds of destination keys.
const (
	KindCountry = "country"
	KindPrefix  = "prefix"
)

// Keys returns the two destination keys of an E.164 number: its country
// ("country:GB"; Guernsey, Jersey and the Isle of Man apart from GB, "001"
// for non-geographic numbers) and its range ("prefix:+44791112"): the
// calling code, the national destination code and the next digits up to
// the last four, so a range holds at most 10,000 numbers (a NANP range is
// an NPA-NXX exchange). ok is false when number cannot be parsed.
func Keys(number string) (country, prefix string, ok bool) {
	n, err := phonenumbers.Parse(number, "")
	if err != nil {
		return "", "", false
	}
	region := phonenumbers.GetRegionCodeForNumber(n)
	if region == "" || region == "ZZ" {
		region = phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	}
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	keep := max(phonenumbers.GetLengthOfNationalDestinationCode(n), len(nsn)-4, 1)
	keep = min(keep, len(nsn))
	return KindCountry + ":" + region, KindPrefix + ":+" + strconv.Itoa(int(n.GetCountryCode())) + nsn[:keep], true
}

// KindOf returns the kind of a key ("country" or "prefix").
func KindOf(key string) string {
	kind, _, _ := strings.Cut(key, ":")
	return kind
}

// Label returns a key as the console shows it: "GB" or "+44791112".
func Label(key string) string {
	_, v, _ := strings.Cut(key, ":")
	return v
}

// ParseKey reads a key typed by an admin: a two-letter country ("GB"), a
// range ("+44791112", at least the calling code and one more digit) or a
// key as Keys writes it. ok is false for anything else.
func ParseKey(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if k, v, found := strings.Cut(s, ":"); found && (k == KindCountry || k == KindPrefix) {
		s = v
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' {
			return -1
		}
		return r
	}, s)
	if len(s) == 2 || (len(s) == 3 && s == "001") {
		up := strings.ToUpper(s)
		if up == "001" || phonenumbers.GetCountryCodeForRegion(up) != 0 {
			return KindCountry + ":" + up, true
		}
		return "", false
	}
	if !strings.HasPrefix(s, "+") || len(s) < 3 || len(s) > 16 {
		return "", false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	for cc := 1; cc <= 3 && cc < len(s)-1; cc++ {
		if n, _ := strconv.Atoi(s[1 : 1+cc]); n > 0 && s[1] != '0' && phonenumbers.GetRegionCodeForCountryCode(n) != "ZZ" {
			return KindPrefix + ":" + s, true
		}
	}
	return "", false
}
