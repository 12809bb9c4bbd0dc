// Package phone parses what people type as a phone number into E.164, tells
// its type and country, masks it for display, and lists the countries for
// the country picker. It wraps github.com/nyaruka/phonenumbers (a port of
// libphonenumber) so no other package depends on it.
package phone

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Type is a number type, by the names the org setting phone_types uses.
type Type string

// Number types.
const (
	Mobile            Type = "mobile"
	FixedLineOrMobile Type = "fixed_line_or_mobile"
	FixedLine         Type = "fixed_line"
	VoIP              Type = "voip"
	TollFree          Type = "toll_free"
	PremiumRate       Type = "premium_rate"
	SharedCost        Type = "shared_cost"
	PersonalNumber    Type = "personal_number"
	Pager             Type = "pager"
	UAN               Type = "uan"
	Voicemail         Type = "voicemail"
	Unknown           Type = "unknown"
)

var typeNames = map[phonenumbers.PhoneNumberType]Type{
	phonenumbers.MOBILE:               Mobile,
	phonenumbers.FIXED_LINE_OR_MOBILE: FixedLineOrMobile,
	phonenumbers.FIXED_LINE:           FixedLine,
	phonenumbers.VOIP:                 VoIP,
	phonenumbers.TOLL_FREE:            TollFree,
	phonenumbers.PREMIUM_RATE:         PremiumRate,
	phonenumbers.SHARED_COST:          SharedCost,
	phonenumbers.PERSONAL_NUMBER:      PersonalNumber,
	phonenumbers.PAGER:                Pager,
	phonenumbers.UAN:                  UAN,
	phonenumbers.VOICEMAIL:            Voicemail,
	phonenumbers.UNKNOWN:              Unknown,
}

// Describe returns a short phrase for a type, for messages to users.
func (t Type) Describe() string {
	switch t {
	case Mobile, FixedLineOrMobile:
		return "a mobile number"
	case FixedLine:
		return "a landline number"
	case VoIP:
		return "an internet (VoIP) number"
	case TollFree:
		return "a toll-free number"
	case PremiumRate:
		return "a premium-rate number"
	case SharedCost:
		return "a shared-cost number"
	case PersonalNumber:
		return "a personal forwarding number"
	case Pager:
		return "a pager number"
	case UAN:
		return "a company number"
	case Voicemail:
		return "a voicemail access number"
	}
	return "a number of unknown type"
}

// Number is a parsed phone number.
type Number struct {
	E164        string // "+14155550123"
	CallingCode int    // 1
	Region      string // "US"; "001" for non-geographic numbers
	Type        Type
	// Valid is libphonenumber's IsValidNumber: the number is in a range
	// assigned in its country. A number can be possible (right length) yet
	// not valid, e.g. in a block newer than the metadata.
	Valid bool
}

// ErrNotANumber means the input cannot be read as a phone number at all.
var ErrNotANumber = errors.New("phone: not a phone number")

// ErrNoCountry means the number has no + and no country was chosen.
var ErrNoCountry = errors.New("phone: no country code")

// Parse reads a number typed by a person. A number without a leading +
// (or 00 / 011) is read in defaultRegion (an ISO 3166 code such as "US").
// It returns ErrNotANumber when the input is not a possible number (letters,
// too short, too long), ErrNoCountry when there is no country to read it in.
// A possible but not valid number is returned with Valid false.
func Parse(input, defaultRegion string) (Number, error) {
	s := strings.TrimSpace(input)
	if s == "" || len(s) > 40 {
		return Number{}, ErrNotANumber
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return Number{}, ErrNotANumber // vanity numbers are not accepted for SMS
		}
	}
	if !strings.HasPrefix(s, "+") && (defaultRegion == "" || phonenumbers.GetCountryCodeForRegion(strings.ToUpper(defaultRegion)) == 0) {
		return Number{}, ErrNoCountry
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(defaultRegion))
	if err != nil {
		return Number{}, ErrNotANumber
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return Number{}, ErrNotANumber
	}
	out := Number{
		E164:        phonenumbers.Format(n, phonenumbers.E164),
		CallingCode: int(n.GetCountryCode()),
		Region:      phonenumbers.GetRegionCodeForNumber(n),
		Valid:       phonenumbers.IsValidNumber(n),
		Type:        typeNames[phonenumbers.GetNumberType(n)],
	}
	if out.Region == "" || out.Region == "ZZ" {
		out.Region = phonenumbers.GetRegionCodeForCountryCode(out.CallingCode)
	}
	if out.Type == "" {
		out.Type = Unknown
	}
	return out, nil
}

// CallingCodeOf returns the calling code of an E.164 number, or 0.
func CallingCodeOf(e164 string) int {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return 0
	}
	return int(n.GetCountryCode())
}

// national returns the calling code and national significant number of an
// E.164 string, falling back to plain digit handling when it cannot be parsed.
func national(e164 string) (string, string) {
	// E.164 is "+", the calling code (1-3 digits; no code is the start of
	// another), then the national significant number: split it without
	// parsing (a parse was 3 % of the CPU of a code sent and verified).
	if d, ok := strings.CutPrefix(e164, "+"); ok && len(d) > 3 && strings.Trim(d, "0123456789") == "" {
		for l := 1; l <= 3; l++ {
			if cc, _ := strconv.Atoi(d[:l]); phonenumbers.GetRegionCodeForCountryCode(cc) != phonenumbers.UNKNOWN_REGION {
				return d[:l], d[l:]
			}
		}
	}
	if n, err := phonenumbers.Parse(e164, ""); err == nil {
		return strconv.Itoa(int(n.GetCountryCode())), phonenumbers.GetNationalSignificantNumber(n)
	}
	d := strings.TrimPrefix(e164, "+")
	if len(d) > 1 {
		return d[:1], d[1:]
	}
	return d, ""
}

// Mask shows a number the way pages do: the calling code and the last four
// digits, the rest as dots in groups of three ("+1 ••• ••• 4567").
func Mask(e164 string) string { return mask(e164, "•", " ", " ") }

// MaskOkta masks a number the way Okta's authn API does ("+1 XXX-XXX-4567").
func MaskOkta(e164 string) string { return mask(e164, "X", "-", "-") }

func mask(e164, dot, groupSep, lastSep string) string {
	cc, nsn := national(e164)
	if len(nsn) <= 4 {
		return "+" + cc + " " + strings.Repeat(dot, len(nsn))
	}
	hidden := len(nsn) - 4
	var groups []string
	for hidden > 0 {
		g := min(3, hidden)
		if hidden == 4 {
			g = 2 // 2+2 reads better than 3+1
		}
		groups = append(groups, strings.Repeat(dot, g))
		hidden -= g
	}
	return "+" + cc + " " + strings.Join(groups, groupSep) + lastSep + nsn[len(nsn)-4:]
}

// Format prints a number in international format ("+1 415-555-0123").
func Format(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
