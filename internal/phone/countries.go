package phone

import (
	"slices"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country is one entry of the country picker.
type Country struct {
	Region      string // "US"
	Name        string // "United States"
	CallingCode int    // 1
}

// Label is what the picker shows: "United States (+1)".
func (c Country) Label() string {
	return c.Name + " (+" + itoa(c.CallingCode) + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

var countries = sync.OnceValue(func() []Country {
	names := display.English.Regions()
	var out []Country
	for region := range phonenumbers.GetSupportedRegions() {
		cc := phonenumbers.GetCountryCodeForRegion(region)
		if cc == 0 {
			continue
		}
		name := region
		if r, err := language.ParseRegion(region); err == nil {
			if n := names.Name(r); n != "" {
				name = n
			}
		}
		out = append(out, Country{Region: region, Name: name, CallingCode: cc})
	}
	col := collate.New(language.English, collate.IgnoreCase, collate.IgnoreDiacritics)
	slices.SortFunc(out, func(a, b Country) int {
		if c := col.CompareString(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Region, b.Region)
	})
	return out
})

// Countries returns every country with a calling code, sorted by English name.
// The slice is shared: do not modify it.
func Countries() []Country { return countries() }

// CountryByRegion returns the country for an ISO code such as "US".
func CountryByRegion(region string) (Country, bool) {
	region = strings.ToUpper(region)
	for _, c := range countries() {
		if c.Region == region {
			return c, true
		}
	}
	return Country{}, false
}
