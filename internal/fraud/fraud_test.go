package fraud_test

import (
	"math"
	"testing"
	"time"

	"smsmfa/internal/fraud"
)

func TestKeys(t *testing.T) {
	for _, c := range []struct{ number, country, prefix string }{
		{"+14155550123", "country:US", "prefix:+1415555"},
		{"+447911123456", "country:GG", "prefix:+44791112"},
		{"+447700900123", "country:GB", "prefix:+44770090"},
		{"+33612345678", "country:FR", "prefix:+3361234"},
		{"+996555123456", "country:KG", "prefix:+99655512"},
		{"+5491123456789", "country:AR", "prefix:+549112345"},
	} {
		country, prefix, ok := fraud.Keys(c.number)
		if !ok || country != c.country || prefix != c.prefix {
			t.Errorf("Keys(%s) = %s, %s, %v; want %s, %s", c.number, country, prefix, ok, c.country, c.prefix)
		}
	}
	if _, _, ok := fraud.Keys("not a number"); ok {
		t.Error("Keys accepted garbage")
	}
}

func TestParseKey(t *testing.T) {
	for in, want := range map[string]string{
		"gb": "country:GB", "+44 7911 12": "prefix:+44791112", "prefix:+3361234": "prefix:+3361234", "country:KG": "country:KG",
		"XX": "", "+": "", "+0123": "", "44791112": "", "+4479111234567890123": "", "<script>": "",
	} {
		got, ok := fraud.ParseKey(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseKey(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestBinomialCDF(t *testing.T) {
	// tollfraud.md §3: n=20, v=4, p=0.8 → 1.4e-8; v=10 → 2.6e-3.
	for _, c := range []struct {
		k, n    int
		p, want float64
	}{{4, 20, 0.8, 1.4e-8}, {10, 20, 0.8, 2.6e-3}, {20, 20, 0.8, 1}, {0, 10, 0.5, 1.0 / 1024}} {
		if got := fraud.BinomialCDF(c.k, c.n, c.p); math.Abs(got-c.want)/c.want > 0.05 {
			t.Errorf("BinomialCDF(%d, %d, %v) = %.3g, want %.3g", c.k, c.n, c.p, got, c.want)
		}
	}
}

var now = time.Date(2026, 12, 1, 12, 0, 30, 0, time.UTC)

// minutes spreads sends (verified of them) over the last n minutes.
func minutes(n, sends, verified int) []fraud.Bucket {
	var out []fraud.Bucket
	for i := range n {
		b := fraud.Bucket{Start: now.Truncate(time.Minute).Add(-time.Duration(i) * time.Minute)}
		b.Sends = sends / n
		if i < sends%n {
			b.Sends++
		}
		b.Verified = min(b.Sends, verified)
		verified -= b.Verified
		out = append(out, b)
	}
	return out
}

func TestJudge(t *testing.T) {
	c := fraud.DefaultConfig
	history := fraud.Bucket{Sends: 600, Verified: 480} // 80 %
	for _, tc := range []struct {
		name string
		t    fraud.Traffic
		want string
	}{
		{"pumped range", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(15, 30, 0), Base: history, ParentRate: -1}, fraud.RuleConversion},
		{"too few judged", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(15, 19, 0), Base: history, ParentRate: -1}, ""},
		{"entered", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(15, 40, 30), Base: history, ParentRate: -1}, ""},
		// A busy range with a bad quarter-hour: 30 codes is its usual
		// volume, not a spike.
		{"no spike", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(15, 30, 5), Base: fraud.Bucket{Sends: 28 * 24 * 100, Verified: 28 * 24 * 80}, ParentRate: -1}, ""},
		// A poor-delivery range: 20 % entered is its normal.
		{"low baseline", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(15, 30, 5), Base: fraud.Bucket{Sends: 600, Verified: 120}, ParentRate: 0.2}, ""},
		// Codes sent in the last two minutes are not judged yet.
		{"immature", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(2, 40, 0), Base: history, ParentRate: -1}, ""},
		{"one range is not a country", fraud.Traffic{Key: "country:FR", Minutes: minutes(15, 30, 0), Base: history, ParentRate: -1, AllHour: 40}, ""},
		{"country", fraud.Traffic{Key: "country:FR", Minutes: minutes(30, 70, 0), Base: history, ParentRate: -1, AllHour: 100}, fraud.RuleConversion},
		{"new country", fraud.Traffic{Key: "country:KG", Minutes: minutes(10, 8, 0), AllHour: 30, OrgHistory: 500, ParentRate: -1}, fraud.RuleNewCountry},
		{"new country, small share", fraud.Traffic{Key: "country:KG", Minutes: minutes(10, 8, 0), AllHour: 100, OrgHistory: 500, ParentRate: -1}, ""},
		{"new country, entered", fraud.Traffic{Key: "country:IS", Minutes: minutes(10, 8, 6), AllHour: 30, OrgHistory: 500, ParentRate: -1}, ""},
		// A new org has no history anywhere: no country is new to it.
		{"new org", fraud.Traffic{Key: "country:US", Minutes: minutes(10, 8, 0), AllHour: 8, ParentRate: -1}, ""},
		{"repeat", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(5, 3, 0), Base: history, ParentRate: -1, Repeat: true, Since: now.Add(-10 * time.Minute)}, fraud.RuleRepeat},
		{"repeat, entered", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(10, 10, 10)[5:8], Base: history, ParentRate: -1, Repeat: true, Since: now.Add(-10 * time.Minute)}, ""},
		{"evidence before since", fraud.Traffic{Key: "prefix:+3361234", Minutes: minutes(15, 30, 0), Base: history, ParentRate: -1, Since: now}, ""},
	} {
		d := fraud.Judge(tc.t, now, c)
		if d.Rule != tc.want || d.Throttle != (tc.want != "") {
			t.Errorf("%s: %+v, want rule %q", tc.name, d, tc.want)
		}
		if d.Throttle && d.Explain() == "" {
			t.Errorf("%s: no explanation", tc.name)
		}
	}
}
