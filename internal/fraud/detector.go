package fraud

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Bucket is the traffic of one key in one time bucket: unproven codes sent,
// and how many of those codes were entered (counted in the bucket of their
// send, so Verified/Sends is the bucket's conversion).
type Bucket struct {
	Start    time.Time
	Sends    int
	Verified int
}

// Traffic is what the store knows of one key, as of a moment.
type Traffic struct {
	Key string
	// Minutes are the key's one-minute buckets of the last hour.
	Minutes []Bucket
	// Day sums the key's hourly buckets of the last 24 hours, the current
	// hour included.
	Day Bucket
	// Base sums the key's hourly buckets of the BaseDays days before Day:
	// the key's own history.
	Base Bucket
	// ParentRate is the conversion baseline of the key's parent (the
	// country of a range); negative when there is none.
	ParentRate float64
	// AllHour counts the unproven codes sent to every country in the last
	// hour (for a country key: its share of the traffic).
	AllHour int
	// OrgHistory counts the unproven codes of every country in the
	// history (the BaseDays before Day), for a country key: a country is
	// "new" only to an org that has a history elsewhere.
	OrgHistory int
	// Repeat is set when the key's last throttle ended less than 7 days
	// ago: it gets only ProbeSends codes (since Since) before it must show
	// that they are entered.
	Repeat bool
	// Since is when the evidence starts: buckets before it are left out
	// (the end of the key's last throttle, or when an admin lifted it), so
	// traffic already acted on is not judged again.
	Since time.Time
}

// BaseDays is the length of a key's history the detector compares with.
const BaseDays = 28

// Config holds the detector's thresholds (org settings).
type Config struct {
	// MinSends is the smallest number of judged codes (sent long enough ago
	// to have been entered) a window needs before the conversion test.
	MinSends int
	// MaxConversion is the share of codes entered under which a window's
	// traffic counts as unconverted (0.3: fewer than 30 % entered).
	MaxConversion float64
	// SpikeFactor is how many times the key's usual volume a window must
	// carry: a busy range with a bad hour is not pumping.
	SpikeFactor float64
	// Maturity is how old a code must be before its conversion is judged.
	Maturity time.Duration
	// NewCountrySends and NewCountryShare: a country with no history that
	// takes NewCountryShare of every unproven code in an hour, with at
	// least NewCountrySends of them judged and fewer than MaxConversion of
	// those entered, is throttled.
	NewCountrySends int
	NewCountryShare float64
	// ProbeSends is how many codes a key whose throttle ended recently
	// gets before a quarter of them... see Judge: before MaxConversion of
	// its judged codes must be entered.
	ProbeSends int
}

// DefaultConfig is the detector's configuration with the org defaults.
var DefaultConfig = Config{MinSends: 20, MaxConversion: 0.3, SpikeFactor: 5, Maturity: 2 * time.Minute, NewCountrySends: 5, NewCountryShare: 0.2, ProbeSends: 3}

// Rules a decision can name.
const (
	RuleConversion = "conversion"  // sends above baseline, conversion collapsed
	RuleNewCountry = "new_country" // a country with no history takes a large share
	RuleRepeat     = "repeat"      // a key throttled before is sent codes again that are not entered
)

// Statistical constants (tollfraud.md §3): the baseline shrinks a key's
// own conversion towards its parent's with weight priorWeight; a key with
// no parent starts from globalPrior; a window's conversion must be this
// unlikely under the baseline (binomial lower tail).
const (
	priorWeight   = 20
	globalPrior   = 0.7
	maxPValue     = 1e-4
	newCountryMax = 50 // a country with fewer codes in its history has none
	prefixFloor   = 0.1
	// countryEvidence is how many times MinSends a country's window needs.
	countryEvidence = 3
	countryFloor    = 0.5
)

// Decision is the detector's verdict on a key, with its evidence.
type Decision struct {
	Key      string
	Throttle bool
	Rule     string
	// Window is the window the evidence is from.
	Window time.Duration
	// Sends is every code of the window; Judged those old enough to have
	// been entered; Verified those of Judged that were.
	Sends, Judged, Verified int
	// Expected is the number of codes the key's history predicts for the
	// window; Baseline its usual conversion; History the codes of its
	// history (BaseDays) and their entered share.
	Expected        float64
	Baseline        float64
	History         int
	HistoryVerified int
	// P is how likely so few entries are under the baseline.
	P float64
	// Share is the key's share of every unproven code (new-country rule).
	Share float64
	// Probe is the ProbeSends of the repeat rule.
	Probe int
}

// Explain says in one sentence why the key was throttled.
func (d Decision) Explain() string {
	if !d.Throttle {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d codes in %s", d.Sends, windowName(d.Window))
	if d.Rule == RuleRepeat {
		fmt.Fprintf(&b, " since its last throttle ended (%d allowed before they are entered)", d.Probe)
	} else if d.Rule == RuleNewCountry {
		fmt.Fprintf(&b, " (%.0f%% of all new-number codes) to a country with %d codes in %d days", 100*d.Share, d.History, BaseDays)
	} else {
		fmt.Fprintf(&b, " (expected %.2f)", d.Expected)
	}
	if d.Judged > 0 {
		fmt.Fprintf(&b, "; %d of %d entered = %.0f%%", d.Verified, d.Judged, 100*float64(d.Verified)/float64(d.Judged))
	}
	if d.Rule == RuleConversion {
		fmt.Fprintf(&b, " vs %.0f%% baseline (%d codes in %d days, p = %.1e)", 100*d.Baseline, d.History, BaseDays, d.P)
	}
	return b.String()
}

func windowName(w time.Duration) string {
	switch {
	case w >= time.Hour && w%time.Hour == 0:
		return fmt.Sprintf("%d h", w/time.Hour)
	}
	return fmt.Sprintf("%d min", w/time.Minute)
}

// Baseline returns the key's usual conversion: its history shrunk towards
// its parent's (or the global prior), so a key with little history is
// judged by its parent's.
func (t Traffic) Baseline() float64 {
	parent := t.ParentRate
	if parent < 0 {
		parent = globalPrior
	}
	return (float64(t.Base.Verified) + priorWeight*parent) / (float64(t.Base.Sends) + priorWeight)
}

// windows are the sliding windows judged.
var windows = []time.Duration{15 * time.Minute, time.Hour, 24 * time.Hour}

// Judge decides whether the key's traffic at now is pumping. A key is
// throttled when, in one window, its codes exceed SpikeFactor times its
// usual volume, at least MinSends of them are old enough to judge (and
// three quarters of those not entered; three times as many for a
// country), fewer than MaxConversion of them
// were entered, and so few entries are unlikely (p ≤ 1e-4) under the key's
// baseline. A country with no history, in an org with a history
// elsewhere, is throttled when it takes a large share of the traffic
// without converting.
func Judge(t Traffic, now time.Time, c Config) Decision {
	d := Decision{Key: t.Key, Baseline: t.Baseline(), History: t.Base.Sends, HistoryVerified: t.Base.Verified}
	floor, minSends := prefixFloor, c.MinSends
	if KindOf(t.Key) == KindCountry {
		// A country needs the evidence of three ranges: one pumped range
		// is throttled on its own, and its codes before the throttle must
		// not take the whole country down.
		floor, minSends = countryFloor, c.MinSends*countryEvidence
	}
	perHour := max(float64(t.Base.Sends)/(BaseDays*24), floor)
	matureBefore := now.Add(-c.Maturity)
	type sums struct{ all, judged, verified int }
	var hourImmature sums
	win := map[time.Duration]*sums{15 * time.Minute: {}, time.Hour: {}}
	for _, b := range t.Minutes {
		if b.Start.Before(t.Since) || !b.Start.After(now.Add(-time.Hour)) {
			continue
		}
		mature := !b.Start.Add(time.Minute).After(matureBefore)
		for w, s := range win {
			if b.Start.After(now.Add(-w)) {
				s.all += b.Sends
				if mature {
					s.judged += b.Sends
					s.verified += b.Verified
				}
			}
		}
		if !mature {
			hourImmature.all += b.Sends
			hourImmature.verified += b.Verified
		}
	}
	win[24*time.Hour] = &sums{all: t.Day.Sends, judged: t.Day.Sends - hourImmature.all, verified: t.Day.Verified - hourImmature.verified}
	if t.Repeat {
		s := win[time.Hour]
		d.Window = time.Hour
		if now.Sub(t.Since) > time.Hour {
			s, d.Window = win[24*time.Hour], 24*time.Hour
		}
		if s.all >= c.ProbeSends && (s.judged < c.ProbeSends || float64(s.verified) < c.MaxConversion*float64(s.judged)) {
			d.Sends, d.Judged, d.Verified, d.Expected = s.all, s.judged, s.verified, perHour*d.Window.Hours()
			d.Throttle, d.Rule, d.Probe = true, RuleRepeat, c.ProbeSends
			return d
		}
	}
	for _, w := range windows {
		s := win[w]
		d.Window, d.Sends, d.Judged, d.Verified = w, s.all, s.judged, s.verified
		d.Expected = perHour * w.Hours()
		if s.judged < minSends || s.judged-s.verified < minSends*3/4 {
			continue
		}
		if float64(s.verified) >= c.MaxConversion*float64(s.judged) {
			continue
		}
		if float64(s.all) < c.SpikeFactor*d.Expected {
			continue
		}
		d.P = BinomialCDF(s.verified, s.judged, d.Baseline)
		if d.P > maxPValue {
			continue
		}
		d.Throttle, d.Rule = true, RuleConversion
		return d
	}
	if NeedsAllHour(t) && t.OrgHistory >= newCountryMax {
		h := win[time.Hour]
		share := float64(h.all) / float64(max(t.AllHour, 1))
		// Judged codes are needed, not just codes: a new org, or one
		// rolling out to a new office, sends its first codes to countries
		// with no history, and its users enter them.
		unconverted := h.judged >= c.NewCountrySends && float64(h.verified) < c.MaxConversion*float64(h.judged)
		if share >= c.NewCountryShare && unconverted {
			d.Window, d.Sends, d.Judged, d.Verified = time.Hour, h.all, h.judged, h.verified
			d.Expected, d.Share, d.P = perHour, share, 0
			d.Throttle, d.Rule = true, RuleNewCountry
			return d
		}
	}
	d.Window, d.Sends, d.Judged, d.Verified, d.Expected, d.P = 0, 0, 0, 0, 0, 0
	return d
}

// BinomialCDF is P(X ≤ k) for X ~ Binomial(n, p).
func BinomialCDF(k, n int, p float64) float64 {
	if k >= n || p <= 0 {
		return 1
	}
	if p >= 1 {
		return 0
	}
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	sum := 0.0
	for i := 0; i <= k; i++ {
		sum += math.Exp(lg(n) - lg(i) - lg(n-i) + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return min(sum, 1)
}

// NeedsAllHour reports whether Judge needs t.AllHour and t.OrgHistory:
// for a country with no history, whose share of the traffic it weighs.
func NeedsAllHour(t Traffic) bool {
	return KindOf(t.Key) == KindCountry && t.Base.Sends < newCountryMax
}
