package phone_test

import (
	"errors"
	"testing"

	"smsmfa/internal/phone"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in, region string
		e164       string
		typ        phone.Type
		valid      bool
		country    string
	}{
		{"(650) 253-0000", "US", "+16502530000", phone.FixedLineOrMobile, true, "US"},
		{"16284001133", "US", "+16284001133", phone.FixedLineOrMobile, true, "US"}, // Okta SDK v2 sends this
		{"+44 7911 123456", "US", "+447911123456", phone.Mobile, true, "GG"},
		{"07911 123456", "GB", "+447911123456", phone.Mobile, true, "GG"},
		{"+44 20 7946 0958", "US", "+442079460958", phone.FixedLine, true, "GB"},
		{"+1 900 555 0199", "US", "+19005550199", phone.PremiumRate, true, "US"},
		{"+1 800 555 0199", "US", "+18005550199", phone.TollFree, true, "US"},
		{"+44 56 3000 1234", "US", "+445630001234", phone.VoIP, true, "GB"},
		{"+1-555-415-1337", "US", "+15554151337", phone.Unknown, false, "US"}, // possible, not valid
		{"0033 6 12 34 56 78", "DE", "+33612345678", phone.Mobile, true, "FR"},
	}
	for _, c := range cases {
		n, err := phone.Parse(c.in, c.region)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if n.E164 != c.e164 || n.Type != c.typ || n.Valid != c.valid || n.Region != c.country {
			t.Errorf("Parse(%q) = %+v, want %s %s valid=%v %s", c.in, n, c.e164, c.typ, c.valid, c.country)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct {
		in, region string
		want       error
	}{
		{"", "US", phone.ErrNotANumber},
		{"hello", "US", phone.ErrNotANumber},
		{"1-800-FLOWERS", "US", phone.ErrNotANumber},
		{"12", "US", phone.ErrNotANumber},
		{"+1 415 555 0123 4567 8901", "US", phone.ErrNotANumber},
		{"415 555 0123", "", phone.ErrNoCountry},
	} {
		if _, err := phone.Parse(c.in, c.region); !errors.Is(err, c.want) {
			t.Errorf("Parse(%q, %q) error = %v, want %v", c.in, c.region, err, c.want)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"+14155554567":  "+1 ••• ••• 4567",
		"+447911123456": "+44 ••• ••• 3456",
		"+33612345678":  "+33 ••• •• 5678",
	} {
		if got := phone.Mask(in); got != want {
			t.Errorf("Mask(%s) = %q, want %q", in, got, want)
		}
	}
	if got := phone.MaskOkta("+15554151337"); got != "+1 XXX-XXX-1337" {
		t.Errorf("MaskOkta = %q", got)
	}
}

func TestCountries(t *testing.T) {
	cs := phone.Countries()
	if len(cs) < 200 {
		t.Fatalf("only %d countries", len(cs))
	}
	us, ok := phone.CountryByRegion("us")
	if !ok || us.Name != "United States" || us.CallingCode != 1 || us.Label() != "United States (+1)" {
		t.Fatalf("US = %+v", us)
	}
	// Sorted by name the way an English reader expects (accents ignored).
	if cs[0].Name != "Afghanistan" || cs[1].Name != "Åland Islands" || cs[len(cs)-1].Name != "Zimbabwe" {
		t.Fatalf("order: %q, %q … %q", cs[0].Name, cs[1].Name, cs[len(cs)-1].Name)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"+1 415 555 0123", "07911 123456", "+882 1234", "00", "+"} {
		f.Add(s, "US")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		n, err := phone.Parse(s, region)
		if err != nil {
			return
		}
		if len(n.E164) < 3 || n.E164[0] != '+' || len(n.E164) > 17 {
			t.Fatalf("Parse(%q) gave %q", s, n.E164)
		}
		if again, err := phone.Parse(n.E164, ""); err != nil || again.E164 != n.E164 {
			t.Fatalf("E.164 %q does not parse back to itself: %+v %v", n.E164, again, err)
		}
	})
}
