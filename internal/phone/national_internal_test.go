package phone

import (
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The split without parsing agrees with the parser on an example number of
// every region and of every non-geographic calling code.
func TestNationalAgreesWithTheParser(t *testing.T) {
	var numbers []*phonenumbers.PhoneNumber
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
			if n := phonenumbers.GetExampleNumberForType(region, typ); n != nil {
				numbers = append(numbers, n)
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(cc); n != nil {
			numbers = append(numbers, n)
		}
	}
	if len(numbers) < 400 {
		t.Fatalf("only %d example numbers", len(numbers))
	}
	for _, n := range numbers {
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		cc, nsn := national(e164)
		if want := strconv.Itoa(int(n.GetCountryCode())); cc != want || nsn != phonenumbers.GetNationalSignificantNumber(n) {
			t.Errorf("national(%s) = %s, %s; want %s, %s", e164, cc, nsn, want, phonenumbers.GetNationalSignificantNumber(n))
		}
	}
}
