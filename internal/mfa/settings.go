package mfa

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"smsmfa/internal/fraud"
)

// Settings are the org's settings: every default of DESIGN §2, editable in
// the console and with `smsmfa settings set`.
type Settings struct {
	OrgName         string
	SMSEnabled      bool
	CodeLength      int
	CodeLifetime    time.Duration
	CodeMaxAttempts int
	ResendCooldown  time.Duration
	MFALockFailures int
	MFALockDuration time.Duration
	// MFALocksToAdmin is how many MFA lockouts within 24 hours leave the
	// user locked until an administrator unlocks them (0: never); each
	// lockout before it lasts twice as long as the one before.
	MFALocksToAdmin   int
	PasswordFailures  int
	PasswordLockFor   time.Duration
	ActivationLimit   int // activation attempts per user per 5 minutes
	PhonePer15m       int
	PhonePerDay       int
	UserPerHour       int
	IPPerHour         int
	SharedMaxUsers    int // distinct users per number per 24 h before it is blocked
	BudgetDaily       int
	BudgetAlertPct    int
	PhoneTypes        []string // accepted number types (phone package names)
	CountriesAllow    []int    // calling codes; empty = all
	CountriesDeny     []int    // calling codes
	DefaultRegion     string   // region for numbers typed without +
	TxnLifetime       time.Duration
	TrustedOrigins    []string // origins allowed for CORS and as redirect targets
	AuthnPerMinute    int      // sign-in calls per client address per minute
	PasswordPerMinute int      // password checks per client address per minute
	APIPerMinute      int      // management API calls per token per minute
	// LogRetention is how long the system log keeps an event.
	LogRetention time.Duration
	// Fraud holds the SMS-pumping detector's thresholds (package fraud);
	// FraudDetection turns it on, FraudThrottle is the first throttle's
	// length, FraudLift how long a range an admin lifted is not judged.
	FraudDetection bool
	Fraud          fraud.Config
	FraudThrottle  time.Duration
	FraudLift      time.Duration
	// IPFailedPerHour is how many wrong codes a client address may send
	// per hour, over every user.
	IPFailedPerHour int
	// RangesDeny are E.164 prefixes that may not enroll.
	RangesDeny []string
	// CountryHourCaps caps the codes to new numbers per calling code and
	// hour; a country without one gets CountryHourFactor times its average
	// hour of the last 28 days, at least CountryHourMin.
	CountryHourCaps   map[int]int
	CountryHourFactor int
	CountryHourMin    int
	// CallEnabled turns the voice call factor on; VoiceBudgetDaily is the
	// calls the org may place per day (UTC), counted apart from texts;
	// CallPhoneTypes are the number types that may enroll for calls.
	CallEnabled      bool
	VoiceBudgetDaily int
	CallPhoneTypes   []string
	// TOTPEnabled turns on the authenticator app factor; FactorsSeveral
	// lets a user set up several factors (else one each).
	TOTPEnabled    bool
	FactorsSeveral bool
	// WebAuthnEnabled turns on the webauthn factor (passkeys).
	WebAuthnEnabled bool

	// templates are the org's message templates, read with the settings
	// by the unit of work that loads them (not a setting).
	templates []Template
}

// SettingDef describes one setting.
type SettingDef struct {
	Name    string
	Help    string
	Default string
	// normalize validates a value and returns its canonical text.
	normalize func(string) (string, error)
	apply     func(*Settings, string)
}

// Normalize validates v and returns its canonical text.
func (d SettingDef) Normalize(v string) (string, error) { return d.normalize(strings.TrimSpace(v)) }

func intSetting(name, help string, def, lo, hi int, set func(*Settings, int)) SettingDef {
	return SettingDef{Name: name, Help: help, Default: strconv.Itoa(def),
		normalize: func(v string) (string, error) {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				return "", phraseErrorf("%s must be a whole number from %d to %d", name, lo, hi)
			}
			return strconv.Itoa(n), nil
		},
		apply: func(s *Settings, v string) { n, _ := strconv.Atoi(v); set(s, n) }}
}

func durationSetting(name, help string, def, lo, hi time.Duration, set func(*Settings, time.Duration)) SettingDef {
	return SettingDef{Name: name, Help: help, Default: formatDuration(def),
		normalize: func(v string) (string, error) {
			d, err := parseDuration(v)
			if err != nil || d < lo || d > hi {
				return "", phraseErrorf("%s must be a duration from %s to %s (e.g. 300s, 5m, 1h)", name, formatDuration(lo), formatDuration(hi))
			}
			return formatDuration(d), nil
		},
		apply: func(s *Settings, v string) { d, _ := parseDuration(v); set(s, d) }}
}

func boolSetting(name, help string, def bool, set func(*Settings, bool)) SettingDef {
	return SettingDef{Name: name, Help: help, Default: strconv.FormatBool(def),
		normalize: func(v string) (string, error) {
			switch strings.ToLower(v) {
			case "true", "on", "yes", "1":
				return "true", nil
			case "false", "off", "no", "0":
				return "false", nil
			}
			return "", phraseErrorf("%s must be true or false", name)
		},
		apply: func(s *Settings, v string) { set(s, v == "true") }}
}

func textSetting(name, help, def string, check func(string) (string, error), set func(*Settings, string)) SettingDef {
	return SettingDef{Name: name, Help: help, Default: def, normalize: check, apply: set}
}

// parseDuration accepts Go durations ("5m", "300s") and bare seconds ("300").
func parseDuration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(v)
}

// formatDuration prints whole seconds as "300s", the form settings use.
func formatDuration(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) + "s" }

func callingCodes(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		if v == "" {
			return "", nil
		}
		var out []string
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			n, err := strconv.Atoi(strings.TrimPrefix(f, "+"))
			if err != nil || n < 1 || n > 999 {
				return "", phraseErrorf("%s must be a list of calling codes such as 1,44,33 (got %q)", name, f)
			}
			out = append(out, strconv.Itoa(n))
		}
		slices.Sort(out)
		return strings.Join(slices.Compact(out), ","), nil
	}
}

func parseCodes(v string) []int {
	var out []int
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// origins validates a list of web origins (scheme://host[:port], no path).
func origins(v string) (string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return "", phraseErrorf("trusted_origins: %q is not an origin such as https://app.example.com", f)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ","), nil
}

// PhoneTypeNames are the number types an admin may accept (phone package names).
var PhoneTypeNames = []string{"mobile", "fixed_line_or_mobile", "voip", "fixed_line", "toll_free", "premium_rate", "shared_cost", "personal_number", "pager", "uan", "voicemail", "unknown"}

func phoneTypes(v string) (string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(PhoneTypeNames, f) {
			return "", phraseErrorf("phone_types: unknown type %q (known: %s)", f, strings.Join(PhoneTypeNames, ", "))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return "", phraseErrorf("phone_types must name at least one type")
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ","), nil
}

// defaultRangesDeny are international ranges with no legitimate MFA
// traffic: freephone (+800), shared cost (+808), Inmarsat (+870), UPT
// (+878), global mobile satellite (+881), international networks (+882,
// +883), OCHA (+888) and international premium rate (+979).
const defaultRangesDeny = "+800,+808,+870,+878,+881,+882,+883,+888,+979"

// rangeList validates a list of E.164 prefixes.
func rangeList(v string) (string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		d := strings.TrimPrefix(f, "+")
		if len(d) < 1 || len(d) > 14 || strings.Trim(d, "0123456789") != "" || d[0] == '0' {
			return "", phraseErrorf("ranges_deny must be a list of number prefixes such as +881,+4470 (got %q)", f)
		}
		out = append(out, "+"+d)
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ","), nil
}

// hourCaps validates a list of calling code=cap pairs.
func hourCaps(v string) (string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		cc, n, ok := strings.Cut(f, "=")
		c, err1 := strconv.Atoi(strings.TrimPrefix(cc, "+"))
		m, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || c < 1 || c > 999 || m < 0 || m > 1000000 {
			return "", phraseErrorf("country_hour_caps must be a list such as 44=200,234=10 (calling code=codes per hour; got %q)", f)
		}
		out = append(out, strconv.Itoa(c)+"="+strconv.Itoa(m))
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ","), nil
}

func parseHourCaps(v string) map[int]int {
	out := map[int]int{}
	for _, f := range splitList(v) {
		cc, n, _ := strings.Cut(f, "=")
		c, _ := strconv.Atoi(cc)
		m, _ := strconv.Atoi(n)
		out[c] = m
	}
	return out
}

// SettingDefs lists every setting, in the order the console shows them.
var SettingDefs = []SettingDef{
	textSetting("org_name", "Organisation name, shown on pages and in every SMS", "smsmfa", func(v string) (string, error) {
		if v == "" || len(v) > 40 {
			return "", phraseErrorf("org_name must be 1 to 40 characters")
		}
		return v, nil
	}, func(s *Settings, v string) { s.OrgName = v }),
	boolSetting("sms_enabled", "The SMS factor is on: every user must set it up and use it at sign-in", false, func(s *Settings, b bool) { s.SMSEnabled = b }),
	intSetting("code_length", "Digits in a code", 6, 6, 10, func(s *Settings, n int) { s.CodeLength = n }),
	durationSetting("code_lifetime", "How long a code can be used", 300*time.Second, 60*time.Second, 30*time.Minute, func(s *Settings, d time.Duration) { s.CodeLifetime = d }),
	intSetting("code_max_attempts", "Wrong tries before a code is dead", 5, 1, 10, func(s *Settings, n int) { s.CodeMaxAttempts = n }),
	durationSetting("resend_cooldown", "Wait before another code can be sent", 30*time.Second, 0, 10*time.Minute, func(s *Settings, d time.Duration) { s.ResendCooldown = d }),
	intSetting("mfa_lockout_failures", "Failed verifications in a row before the user is locked", 10, 3, 100, func(s *Settings, n int) { s.MFALockFailures = n }),
	durationSetting("mfa_lockout_duration", "How long a first MFA lockout lasts (each further lockout within 24 hours lasts twice as long)", 15*time.Minute, time.Minute, 24*time.Hour, func(s *Settings, d time.Duration) { s.MFALockDuration = d }),
	intSetting("mfa_lockouts_to_admin", "MFA lockouts within 24 hours after which the user stays locked until an administrator unlocks them (0: never)", 3, 0, 10, func(s *Settings, n int) { s.MFALocksToAdmin = n }),
	intSetting("password_lockout_failures", "Wrong passwords in a row before the user is locked", 10, 3, 100, func(s *Settings, n int) { s.PasswordFailures = n }),
	durationSetting("password_lockout_duration", "How long a password lockout lasts", 15*time.Minute, time.Minute, 24*time.Hour, func(s *Settings, d time.Duration) { s.PasswordLockFor = d }),
	intSetting("activation_limit", "Activation attempts per user per 5 minutes", 5, 1, 100, func(s *Settings, n int) { s.ActivationLimit = n }),
	intSetting("limit_phone_15m", "Codes to one number per 15 minutes", 5, 1, 1000, func(s *Settings, n int) { s.PhonePer15m = n }),
	intSetting("limit_phone_day", "Codes to one number per day", 20, 1, 10000, func(s *Settings, n int) { s.PhonePerDay = n }),
	intSetting("limit_user_hour", "Codes per user per hour", 10, 1, 1000, func(s *Settings, n int) { s.UserPerHour = n }),
	intSetting("limit_ip_hour", "Codes per client IP address per hour", 30, 1, 100000, func(s *Settings, n int) { s.IPPerHour = n }),
	intSetting("limit_ip_failed_hour", "Wrong codes per client address per hour, over every user: bounds guessing spread over many accounts (with 6-digit codes, 50 wrong codes give one address at best a 1 in 20,000 chance an hour)", 50, 1, 100000,
		func(s *Settings, n int) { s.IPFailedPerHour = n }),
	intSetting("limit_authn_minute", "Sign-in calls (web and authn API) per client address per minute", 600, 10, 1000000, func(s *Settings, n int) { s.AuthnPerMinute = n }),
	intSetting("limit_password_minute", "Password checks (each an argon2id hash) per client address per minute, on every front door", 60, 1, 100000, func(s *Settings, n int) { s.PasswordPerMinute = n }),
	intSetting("limit_api_minute", "Management API calls per API token per minute", 1200, 10, 1000000, func(s *Settings, n int) { s.APIPerMinute = n }),
	intSetting("shared_number_max_users", "Users who may verify one number in 24 hours before it is blocked for new enrollments (unless trusted)", 5, 1, 10000, func(s *Settings, n int) { s.SharedMaxUsers = n }),
	intSetting("budget_daily", "SMS the org may send per day (UTC)", 10000, 1, 100000000, func(s *Settings, n int) { s.BudgetDaily = n }),
	intSetting("budget_alert_percent", "Warn in the system log when this share of the daily budget is spent", 80, 1, 100, func(s *Settings, n int) { s.BudgetAlertPct = n }),
	textSetting("phone_types", "Number types that may enroll", "fixed_line_or_mobile,mobile", phoneTypes, func(s *Settings, v string) { s.PhoneTypes = strings.Split(v, ",") }),
	textSetting("countries_allow", "Calling codes that may enroll (empty: all)", "", callingCodes("countries_allow"), func(s *Settings, v string) { s.CountriesAllow = parseCodes(v) }),
	textSetting("countries_deny", "Calling codes that may not enroll", "", callingCodes("countries_deny"), func(s *Settings, v string) { s.CountriesDeny = parseCodes(v) }),
	textSetting("ranges_deny", "Number ranges (E.164 prefixes) that may not enroll: by default the international networks, satellite and premium services, which carry no legitimate MFA traffic and are a favourite of SMS pumping", defaultRangesDeny, rangeList,
		func(s *Settings, v string) { s.RangesDeny = splitList(v) }),
	textSetting("country_hour_caps", "Codes to new numbers per country and hour, as calling code=cap (e.g. 44=200,234=10); a country not listed gets the default below", "", hourCaps,
		func(s *Settings, v string) { s.CountryHourCaps = parseHourCaps(v) }),
	intSetting("country_hour_factor", "Default hourly cap of a country not in country_hour_caps: this many times its average hour of codes to new numbers over the last 28 days", 20, 1, 10000,
		func(s *Settings, n int) { s.CountryHourFactor = n }),
	intSetting("country_hour_min", "The default hourly cap of a country is never below this (raise it, or set country_hour_caps, before enrolling many users at once)", 100, 1, 1000000,
		func(s *Settings, n int) { s.CountryHourMin = n }),
	textSetting("default_region", "Country assumed for numbers typed without + (ISO code)", "US", func(v string) (string, error) {
		v = strings.ToUpper(v)
		if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
			return "", phraseErrorf("default_region must be a two-letter country code such as US")
		}
		return v, nil
	}, func(s *Settings, v string) { s.DefaultRegion = v }),
	textSetting("trusted_origins", "Web origins trusted for CORS on the authn API and for redirects after a session token exchange (comma-separated, e.g. https://app.example.com)", "", origins,
		func(s *Settings, v string) { s.TrustedOrigins = splitList(v) }),
	durationSetting("transaction_lifetime", "Idle time before a sign-in in progress expires", 5*time.Minute, time.Minute, time.Hour, func(s *Settings, d time.Duration) { s.TxnLifetime = d }),
	boolSetting("fraud_detection", "Detect SMS pumping: throttle a number range or country whose codes to new numbers rise well above its usual volume while few are entered (codes to numbers users already verified always go out)", true,
		func(s *Settings, b bool) { s.FraudDetection = b }),
	intSetting("fraud_min_codes", "Codes to new numbers a range needs in a window (15 min, 1 h, 24 h) before its conversion is judged (a country needs three times as many)", fraud.DefaultConfig.MinSends, 5, 10000,
		func(s *Settings, n int) { s.Fraud.MinSends = n }),
	intSetting("fraud_max_conversion_percent", "A range is throttled only when fewer than this share of its codes were entered (and far fewer than its usual share)", int(100*fraud.DefaultConfig.MaxConversion), 1, 95,
		func(s *Settings, n int) { s.Fraud.MaxConversion = float64(n) / 100 }),
	intSetting("fraud_spike_factor", "A range is throttled only when its codes in the window are at least this many times its usual volume (last 28 days)", int(fraud.DefaultConfig.SpikeFactor), 1, 1000,
		func(s *Settings, n int) { s.Fraud.SpikeFactor = float64(n) }),
	durationSetting("fraud_code_maturity", "How old a code must be before the detector counts it as not entered", fraud.DefaultConfig.Maturity, 30*time.Second, 30*time.Minute,
		func(s *Settings, d time.Duration) { s.Fraud.Maturity = d }),
	intSetting("fraud_new_country_codes", "Codes judged in an hour (sent long enough ago to be entered) to a country with no history (under 50 codes in 28 days) that, with the share below and few of them entered, throttle it", fraud.DefaultConfig.NewCountrySends, 1, 100000,
		func(s *Settings, n int) { s.Fraud.NewCountrySends = n }),
	intSetting("fraud_new_country_percent", "Share of all codes to new numbers in an hour that a country with no history may take before it is throttled", int(100*fraud.DefaultConfig.NewCountryShare), 1, 100,
		func(s *Settings, n int) { s.Fraud.NewCountryShare = float64(n) / 100 }),
	intSetting("fraud_probe_codes", "Codes a range or country gets after its throttle ended (within 7 days) before enough of them must be entered, or it is throttled again for twice as long", fraud.DefaultConfig.ProbeSends, 1, 1000,
		func(s *Settings, n int) { s.Fraud.ProbeSends = n }),
	durationSetting("fraud_throttle_duration", "How long a first throttle lasts; each repeat within 7 days lasts twice as long, at most 24 hours", time.Hour, 5*time.Minute, 24*time.Hour,
		func(s *Settings, d time.Duration) { s.FraudThrottle = d }),
	durationSetting("fraud_lift_duration", "How long a range or country an administrator lifted is not judged again", 24*time.Hour, time.Hour, 30*24*time.Hour,
		func(s *Settings, d time.Duration) { s.FraudLift = d }),
	durationSetting("log_retention", "How long the system log keeps an event before the purge deletes it (e.g. 2160h for 90 days)", 90*24*time.Hour, 24*time.Hour, 10*365*24*time.Hour,
		func(s *Settings, d time.Duration) { s.LogRetention = d }),
	boolSetting("call_enabled", "The Voice Call factor is on: users may set it up (a landline works) and get their code read out in a call; \"Call me instead\" appears on the text message pages", false,
		func(s *Settings, b bool) { s.CallEnabled = b }),
	intSetting("budget_voice_daily", "Voice calls the org may place per day (UTC), counted apart from budget_daily: a call costs several times a text, and toll fraud aims at calls too", 1000, 1, 100000000,
		func(s *Settings, n int) { s.VoiceBudgetDaily = n }),
	textSetting("call_phone_types", "Number types that may enroll for voice calls (a landline can take a call but not a text)", "fixed_line,fixed_line_or_mobile,mobile,voip", phoneTypes,
		func(s *Settings, v string) { s.CallPhoneTypes = strings.Split(v, ",") }),
	boolSetting("totp_enabled", "The authenticator app factor (Google Authenticator and other TOTP apps) is on: users may set it up instead of or beside SMS", false,
		func(s *Settings, b bool) { s.TOTPEnabled = b }),
	boolSetting("factors_several", "A user may set up several of the enabled factors (false: exactly one each)", true,
		func(s *Settings, b bool) { s.FactorsSeveral = b }),
	boolSetting("webauthn_enabled", "The Security Key or Biometric Authenticator factor (passkeys) is on: users may set it up and sign in with it", false,
		func(s *Settings, b bool) { s.WebAuthnEnabled = b }),
}

// SettingByName returns the definition of a setting.
func SettingByName(name string) (SettingDef, bool) {
	for _, d := range SettingDefs {
		if d.Name == name {
			return d, true
		}
	}
	return SettingDef{}, false
}

// DefaultSettings returns the settings of a new org.
func DefaultSettings() Settings {
	s, _ := ParseSettings(nil)
	return s
}

// ParseSettings builds Settings from stored name → value pairs; missing
// names take their defaults. A stored value that no longer validates is
// replaced by the default and reported in the error (the rest still apply).
func ParseSettings(stored map[string]string) (Settings, error) {
	var s Settings
	var bad []string
	for _, d := range SettingDefs {
		v, ok := stored[d.Name]
		if ok {
			if n, err := d.normalize(v); err == nil {
				v = n
			} else {
				bad = append(bad, d.Name)
				ok = false
			}
		}
		if !ok {
			v = d.Default
		}
		d.apply(&s, v)
	}
	if len(bad) > 0 {
		return s, fmt.Errorf("stored settings not valid, defaults used: %s", strings.Join(bad, ", "))
	}
	return s, nil
}

// SettingValues returns the canonical text of every setting, defaults
// filled in.
func SettingValues(stored map[string]string) map[string]string {
	out := make(map[string]string, len(SettingDefs))
	for _, d := range SettingDefs {
		v := d.Default
		if sv, ok := stored[d.Name]; ok {
			if n, err := d.normalize(sv); err == nil {
				v = n
			}
		}
		out[d.Name] = v
	}
	return out
}

// clone returns a copy of s that shares no slice with it, so a cached value
// handed out cannot be changed through the copy.
func (s Settings) clone() Settings {
	s.PhoneTypes = slices.Clone(s.PhoneTypes)
	s.CountriesAllow = slices.Clone(s.CountriesAllow)
	s.CountriesDeny = slices.Clone(s.CountriesDeny)
	s.RangesDeny = slices.Clone(s.RangesDeny)
	s.CountryHourCaps = maps.Clone(s.CountryHourCaps)
	s.TrustedOrigins = slices.Clone(s.TrustedOrigins)
	s.templates = slices.Clone(s.templates)
	return s
}
