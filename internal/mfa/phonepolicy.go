package mfa

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"smsmfa/internal/phone"
)

// checkNumber reads a number typed by a user and applies the org's number
// policy. region is the country picked in the UI ("" for the org default).
// skipValidation (Okta's validatePhone:false, the Sign-In Widget's "send it
// anyway") accepts a number of the right length that is not in a range the
// metadata knows: its type cannot be told, so the type rules cannot apply
// to it (premium-rate and toll-free ranges are known, so those numbers are
// valid and still refused); the country rules, the limits and the budget
// still apply.
func checkNumber(set Settings, input, region string, skipValidation bool) (phone.Number, *Error) {
	return checkNumberFor(set, input, region, skipValidation, ChannelSMS)
}

// checkNumberFor is checkNumber for a channel: a number for voice calls
// must be of a type in call_phone_types (landlines may take calls) instead
// of phone_types; the other rules are the same.
func checkNumberFor(set Settings, input, region string, skipValidation bool, channel Channel) (phone.Number, *Error) {
	types := set.PhoneTypes
	if channel == ChannelVoice {
		types = set.CallPhoneTypes
	}
	if region == "" {
		region = set.DefaultRegion
	}
	n, err := phone.Parse(input, region)
	switch {
	case errors.Is(err, phone.ErrNoCountry):
		return n, Errorf(EInvalid, RPhoneInvalid, "Choose your country, or type the number with its country code (for example +1 415 555 0123).")
	case err != nil:
		return n, Errorf(EInvalid, RPhoneInvalid, "Enter a valid mobile phone number, for example +1 415 555 0123.")
	}
	if !n.Valid && !skipValidation {
		return n, Errorf(EInvalid, RPhoneUnverifiable, "This phone number is invalid.")
	}
	if n.Valid && !slices.Contains(types, string(n.Type)) {
		if channel == ChannelVoice {
			return n, Errorf(EInvalid, RPhoneType, "%s is %s, which cannot be used for voice calls. Enter a phone number.", phone.Format(n.E164), Phrase{Format: n.Type.Describe()})
		}
		return n, Errorf(EInvalid, RPhoneType, "%s is %s, which cannot be used for text message codes. Enter a mobile phone number.", phone.Format(n.E164), Phrase{Format: n.Type.Describe()})
	}
	if (len(set.CountriesAllow) > 0 && !slices.Contains(set.CountriesAllow, n.CallingCode)) || slices.Contains(set.CountriesDeny, n.CallingCode) {
		return n, Errorf(EInvalid, RPhoneCountry, "Your organisation does not send text messages to %s numbers (+%d). %s", Country(n.Region), n.CallingCode, allowedHint(set))
	}
	for _, r := range set.RangesDeny {
		if strings.HasPrefix(n.E164, r) {
			return n, Errorf(EInvalid, RPhoneCountry, "Your organisation does not send text messages to numbers starting with %s. Enter another mobile phone number.", r)
		}
	}
	return n, nil
}

func countryName(region string) string {
	if c, ok := phone.CountryByRegion(region); ok {
		return c.Name
	}
	return "these"
}

func allowedHint(set Settings) Phrase {
	if len(set.CountriesAllow) == 0 {
		return Phrase{}
	}
	var cc []string
	for _, c := range set.CountriesAllow {
		cc = append(cc, fmt.Sprintf("+%d", c))
	}
	return Phrase{Format: "Numbers starting with %s can be used.", Args: []any{strings.Join(cc, ", ")}}
}
