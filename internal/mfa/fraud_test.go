package mfa_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"smsmfa/internal/mfa"
)

// fraudEnv is an org with some history in France: 60 users enrolled (and
// entered their codes) over the past days, spread over many ranges.
func fraudEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	for i := range 60 {
		e.clock.Advance(47 * time.Minute)
		e.enrollFrom(t, fmt.Sprintf("hist%d@example.com", i), fmt.Sprintf("+3367%02d%05d", i, i*37), fmt.Sprintf("198.51.100.%d", i%200), true)
	}
	e.clock.Advance(24 * time.Hour) // the history is now older than the day window
	return e
}

// enrollFrom creates a user who enrolls number from client address ip and,
// when enter, types the code it got. It returns the enrollment's error.
func (e *env) enrollFrom(t *testing.T, login, number, ip string, enter bool) (*mfa.User, *mfa.Factor, error) {
	t.Helper()
	u := e.user(t, login)
	ctx := mfa.WithClient(e.ctx, mfa.Client{IP: ip})
	f, _, err := e.svc.Factors.EnrollSMS(ctx, u.ID, mfa.EnrollRequest{Phone: number})
	if err != nil || !enter {
		return u, f, err
	}
	f, err = e.svc.Factors.ActivateSMS(ctx, u.ID, f.ID, e.lastCode(t, number))
	if err != nil {
		t.Fatalf("activate %s: %v", number, err)
	}
	return u, f, nil
}

func TestPumpedRangeIsThrottled(t *testing.T) {
	e := fraudEnv(t)
	// A real user of the range +33 6 1234 xxxx, verified before the attack.
	alice, af, err := e.enrollFrom(t, "alice@example.com", "+33612340001", "203.0.113.1", true)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	// The bot: fresh accounts, fresh numbers in one range, one address
	// each, codes never entered, one every 20 seconds.
	sent, refusedAt := 0, -1
	for i := range 200 {
		e.clock.Advance(20 * time.Second)
		_, _, err := e.enrollFrom(t, fmt.Sprintf("bot%d@example.com", i), fmt.Sprintf("+3361234%04d", 1000+i*7), fmt.Sprintf("192.0.2.%d", i%250), false)
		if err == nil {
			sent++
			continue
		}
		wantReason(t, err, mfa.RRangeThrottled)
		refusedAt = i
		if !strings.Contains(err.Error(), "range") || mfa.ErrorOf(err).RetryAt.Sub(e.clock.Now()) != time.Hour {
			t.Fatalf("refusal %v, retry at %v", err, mfa.ErrorOf(err).RetryAt)
		}
		break
	}
	if refusedAt < 0 || sent > 30 {
		t.Fatalf("%d attack codes sent before the throttle (refused at %d), want at most 30", sent, refusedAt)
	}
	evs := e.events(t, mfa.EvFraudThrottle)
	if len(evs) != 1 || evs[0].Target.AlternateID != "+3361234" || evs[0].Details["rule"] != "conversion" || evs[0].Details["verified"] != "0" {
		t.Fatalf("throttle events: %+v", evs)
	}
	if !strings.Contains(evs[0].Message, "0 of") || evs[0].Details["judged"] == "" {
		t.Fatalf("the throttle does not explain itself: %q %v", evs[0].Message, evs[0].Details)
	}
	// Every later code to a new number in the range is refused and logged…
	_, _, err = e.enrollFrom(t, "bob@example.com", "+33612349999", "203.0.113.2", false)
	wantReason(t, err, mfa.RRangeThrottled)
	if evs := e.events(t, mfa.EvRateLimit); len(evs) < 2 || evs[0].Details["rule"] != "fraud_throttle" || evs[0].Details["throttled"] != "prefix:+3361234" {
		t.Fatalf("refusal events: %+v", evs[:min(len(evs), 2)])
	}
	// …codes to a number its user verified keep flowing…
	if _, err := e.svc.Factors.ChallengeSMS(mfa.WithClient(e.ctx, mfa.Client{IP: "203.0.113.1"}), alice.ID, af.ID); err != nil {
		t.Fatalf("alice's sign-in code: %v", err)
	}
	// …and other ranges are not touched.
	if _, _, err := e.enrollFrom(t, "carol@example.com", "+33698760001", "203.0.113.3", true); err != nil {
		t.Fatalf("another range: %v", err)
	}
	keys, err := e.svc.Org.FraudKeys(e.ctx)
	if err != nil || len(keys) != 1 || keys[0].Status != mfa.FraudThrottled || keys[0].Evidence == "" {
		t.Fatalf("fraud keys %+v, %v", keys, err)
	}

	// The admin lifts it: the next enrollment goes out, and the range is
	// not judged again for the lift's duration.
	admin := mfa.WithClient(e.ctx, mfa.Client{IP: "203.0.113.9", Actor: mfa.Party{ID: "admin", Type: "User", AlternateID: "admin@example.com"}})
	if err := e.svc.Org.SetFraudKey(admin, "+33 6 1234", mfa.FraudAllowed); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.enrollFrom(t, "bob2@example.com", "+33612349999", "203.0.113.2", true); err != nil {
		t.Fatalf("after the lift: %v", err)
	}
	if evs := e.events(t, mfa.EvFraudLift); len(evs) != 1 || evs[0].Actor.AlternateID != "admin@example.com" {
		t.Fatalf("lift events: %+v", evs)
	}
}

func TestThrottleExpiresAndRepeatsLonger(t *testing.T) {
	e := fraudEnv(t)
	attack := func(from, n int) (sent int, err error) {
		for i := range n {
			e.clock.Advance(20 * time.Second)
			_, _, err = e.enrollFrom(t, fmt.Sprintf("bot%d@example.com", from+i), fmt.Sprintf("+3361234%04d", from+i), fmt.Sprintf("192.0.2.%d", (from+i)%250), false)
			if err != nil {
				return sent, err
			}
			sent++
		}
		return sent, nil
	}
	_, err := attack(0, 200)
	wantReason(t, err, mfa.RRangeThrottled)
	e.clock.Advance(time.Hour) // the throttle ends: the range gets fraud_probe_codes codes to show they are entered
	sent, err := attack(1000, 200)
	wantReason(t, err, mfa.RRangeThrottled)
	if sent != 3 {
		t.Fatalf("%d codes after the first throttle ended, want 3 (fraud_probe_codes)", sent)
	}
	if evs := e.events(t, mfa.EvFraudThrottle); len(evs) != 2 || evs[0].Details["rule"] != "repeat" {
		t.Fatalf("throttle events: %+v", evs)
	}
	if d := mfa.ErrorOf(err).RetryAt.Sub(e.clock.Now()); d != 2*time.Hour {
		t.Fatalf("second throttle lasts %v, want 2h", d)
	}
}

func TestNewCountryIsThrottled(t *testing.T) {
	e := fraudEnv(t)
	// Random mobiles in a country the org never texted (Kyrgyzstan, +996
	// 555), spread over ranges so that no range has enough to judge.
	sent := 0
	var err error
	for i := range 100 {
		e.clock.Advance(30 * time.Second)
		_, _, err = e.enrollFrom(t, fmt.Sprintf("kg%d@example.com", i), fmt.Sprintf("+996555%02d%04d", i, i*13), fmt.Sprintf("192.0.2.%d", i), false)
		if err != nil {
			break
		}
		sent++
	}
	wantReason(t, err, mfa.RRangeThrottled)
	if sent < 5 || sent > 12 {
		t.Fatalf("%d codes to a new country before its throttle, want 5 judged (fraud_new_country_codes) and those sent in the last 3 minutes", sent)
	}
	evs := e.events(t, mfa.EvFraudThrottle)
	if len(evs) != 1 || evs[0].Target.ID != "country:KG" || evs[0].Details["rule"] != "new_country" {
		t.Fatalf("throttle events: %+v", evs)
	}
	// France, with its history, is not affected.
	if _, _, err := e.enrollFrom(t, "dan@example.com", "+33698760002", "203.0.113.4", true); err != nil {
		t.Fatal(err)
	}
}

func TestTrustedRangeIsNeverThrottled(t *testing.T) {
	e := fraudEnv(t)
	if err := e.svc.Org.SetFraudKey(e.ctx, "+3361234", mfa.FraudTrusted); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		e.clock.Advance(20 * time.Second)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("bot%d@example.com", i), fmt.Sprintf("+3361234%04d", i), fmt.Sprintf("192.0.2.%d", i), false); err != nil {
			t.Fatalf("code %d to a trusted range: %v", i, err)
		}
	}
	if err := e.svc.Org.SetFraudKey(e.ctx, "not a range", mfa.FraudTrusted); mfa.ReasonOf(err) != mfa.RInvalidInput {
		t.Fatalf("bad key: %v", err)
	}
}

// Real users of a range that was throttled get through once they show
// that they enter their codes.
func TestRangeRecoversAfterThrottleWhenCodesAreEntered(t *testing.T) {
	e := fraudEnv(t)
	for i := range 200 {
		e.clock.Advance(20 * time.Second)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("bot%d@example.com", i), fmt.Sprintf("+3361234%04d", i), fmt.Sprintf("192.0.2.%d", i%250), false); err != nil {
			break
		}
	}
	e.clock.Advance(time.Hour)
	for i := range 10 {
		e.clock.Advance(10 * time.Minute)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("real%d@example.com", i), fmt.Sprintf("+3361234%04d", 5000+i), fmt.Sprintf("203.0.113.%d", i), true); err != nil {
			t.Fatalf("real user %d after the throttle: %v", i, err)
		}
	}
}

func TestDashboardCountsTextsAndEnteredCodes(t *testing.T) {
	e := newEnv(t)
	for i, enter := range []bool{true, true, false} {
		e.clock.Advance(time.Minute)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("d%d@example.com", i), fmt.Sprintf("+3361234%04d", i), "203.0.113.5", enter); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Minute)
	e.enrollFrom(t, "us@example.com", "+14155550177", "203.0.113.5", true)
	d, err := e.svc.Telephony.Dashboard(e.ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d.Total.Texts != 4 || d.Total.Verified != 3 || d.Total.Sent != 4 || len(d.Series) != 24 || d.Budget != 10000 || d.SentToday != 4 {
		t.Fatalf("dashboard total %+v, %d points, budget %d/%d", d.Total, len(d.Series), d.SentToday, d.Budget)
	}
	if len(d.Countries) != 2 || d.Countries[0].Name != "FR" || d.Countries[0].Texts != 3 || d.Countries[0].Verified != 2 || d.Countries[1].Name != "US" {
		t.Fatalf("by country: %+v", d.Countries)
	}
	if len(d.Providers) != 1 || d.Providers[0].Name != "dev" || d.Providers[0].SendP95 < 0 {
		t.Fatalf("by provider: %+v", d.Providers)
	}
	if sum := d.Series[len(d.Series)-1].Texts; sum != 4 {
		t.Fatalf("the current hour holds %d texts, want 4", sum)
	}
	week, err := e.svc.Telephony.Dashboard(e.ctx, 7*24*time.Hour)
	if err != nil || len(week.Series) != 7 || week.Total.Texts != 4 {
		t.Fatalf("week: %d points, %+v, %v", len(week.Series), week.Total, err)
	}
}

// Guessing codes spread over many accounts from one address is bounded by
// limit_ip_failed_hour; other addresses, and the users themselves, are not
// affected.
func TestWrongCodesPerAddressAcrossUsers(t *testing.T) {
	e := newEnv(t)
	e.relaxLimits(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"limit_ip_failed_hour": "6"}); err != nil {
		t.Fatal(err)
	}
	guesser := mfa.WithClient(e.ctx, mfa.Client{IP: "198.51.100.66"})
	var users []*mfa.User
	var factors []*mfa.Factor
	for i := range 4 {
		u := e.user(t, fmt.Sprintf("g%d@example.com", i))
		users, factors = append(users, u), append(factors, e.activeFactor(t, u, fmt.Sprintf("+1415555020%d", i)))
	}
	guesses := 0
	for _, i := range []int{0, 1, 2, 3} {
		e.clock.Advance(31 * time.Second)
		if _, err := e.svc.Factors.ChallengeSMS(e.ctx, users[i].ID, factors[i].ID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			err := e.svc.Factors.VerifySMS(guesser, users[i].ID, factors[i].ID, "000000")
			if reason(err) == mfa.RGuessLimit {
				if guesses != 6 {
					t.Fatalf("refused after %d wrong codes, want 6", guesses)
				}
				if mfa.ErrorOf(err).Code != mfa.ERateLimited {
					t.Fatalf("refusal %v", err)
				}
				goto limited
			}
			wantReason(t, err, mfa.RCodeWrong)
			guesses++
		}
	}
	t.Fatalf("%d wrong codes from one address, never refused", guesses)
limited:
	// Even the right code is refused from that address this hour…
	code := e.lastCode(t, "+14155550203")
	wantReason(t, e.svc.Factors.VerifySMS(guesser, users[3].ID, factors[3].ID, code), mfa.RGuessLimit)
	// …the user, elsewhere, signs in…
	if err := e.svc.Factors.VerifySMS(e.ctx, users[3].ID, factors[3].ID, code); err != nil {
		t.Fatalf("the user from their own address: %v", err)
	}
	if evs := e.events(t, mfa.EvRateLimit); len(evs) != 1 || evs[0].Details["rule"] != "guess_limit" {
		t.Fatalf("rate-limit events: %+v", evs)
	}
	// …and the next hour the address may try again.
	e.clock.Advance(time.Hour)
	e.clock.Advance(31 * time.Second)
	if _, err := e.svc.Factors.ChallengeSMS(e.ctx, users[0].ID, factors[0].ID); err != nil {
		t.Fatal(err)
	}
	wantReason(t, e.svc.Factors.VerifySMS(guesser, users[0].ID, factors[0].ID, "000000"), mfa.RCodeWrong)
}

// One pumped range is throttled on its own: its codes are taken out of its
// country's evidence, so a fast burst that leaks more codes than the
// country's sample does not throttle the country.
func TestBurstOnOneRangeLeavesItsCountryAlone(t *testing.T) {
	e := fraudEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"fraud_min_codes": "5"}); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for i := range 300 {
		e.clock.Advance(4 * time.Second)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("bot%d@example.com", i), fmt.Sprintf("+3361234%04d", i), fmt.Sprintf("192.0.2.%d", i%250), false); err != nil {
			wantReason(t, err, mfa.RRangeThrottled)
			break
		}
		sent++
	}
	if sent <= 15 {
		t.Fatalf("only %d codes leaked: the test needs more than the country's sample (15)", sent)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.enrollFrom(t, "real@example.com", "+33698760009", "203.0.113.7", true); err != nil {
		t.Fatalf("another range of the country: %v", err)
	}
	if evs := e.events(t, mfa.EvFraudThrottle); len(evs) != 1 || evs[0].Target.ID != "prefix:+3361234" {
		t.Fatalf("throttles: %+v", evs)
	}
}

// The purge deletes challenges a day after they expire; the dashboard
// still counts their entered codes.
func TestDashboardKeepsEnteredCodesAfterThePurge(t *testing.T) {
	e := newEnv(t)
	e.enrollFrom(t, "a@example.com", "+33612340001", "203.0.113.5", true)
	e.enrollFrom(t, "b@example.com", "+33612340002", "203.0.113.5", false)
	e.clock.Advance(30 * time.Hour)
	if _, err := e.svc.Org.Purge(e.ctx); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Telephony.Dashboard(e.ctx, 7*24*time.Hour)
	if err != nil || d.Total.Texts != 2 || d.Total.Verified != 1 {
		t.Fatalf("after the purge: %+v, %v", d.Total, err)
	}
}

func TestCountryHourCap(t *testing.T) {
	e := fraudEnv(t) // France: 60 codes in the history, an average hour of 0.09: the default cap is country_hour_min
	if got := mfa.CountryHourCap(mfa.DefaultSettings(), 33, 60); got != 100 {
		t.Fatalf("default cap %d, want 100", got)
	}
	if got := mfa.CountryHourCap(mfa.DefaultSettings(), 1, 28*24*10); got != 200 {
		t.Fatalf("cap of a country with 10 an hour: %d, want 200", got)
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"country_hour_caps": "33=4", "fraud_detection": "false"}); err != nil {
		t.Fatal(err)
	}
	// A real user verified before keeps getting codes.
	alice, af, err := e.enrollFrom(t, "alice@example.com", "+33698760001", "203.0.113.1", true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e.clock.Advance(time.Minute)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("n%d@example.com", i), fmt.Sprintf("+336%08d", 20000000+i*7919), "203.0.113.2", true); err != nil {
			t.Fatalf("code %d: %v", i+2, err)
		}
	}
	e.clock.Advance(time.Minute)
	_, _, err = e.enrollFrom(t, "n9@example.com", "+33698760099", "203.0.113.2", false)
	wantReason(t, err, mfa.RCountryCap)
	if r := mfa.ErrorOf(err).RetryAt.Sub(e.clock.Now()); r <= 0 || r > time.Hour+time.Minute {
		t.Fatalf("retry in %v", r)
	}
	if evs := e.events(t, mfa.EvRateLimit); len(evs) != 1 || evs[0].Details["rule"] != "country_hour_cap" || evs[0].Details["cap"] != "4" {
		t.Fatalf("events: %+v", evs)
	}
	e.clock.Advance(31 * time.Second)
	if _, err := e.svc.Factors.ChallengeSMS(mfa.WithClient(e.ctx, mfa.Client{IP: "203.0.113.1"}), alice.ID, af.ID); err != nil {
		t.Fatalf("a verified user's code: %v", err)
	}
	// Another country is not affected, and an hour later France gets codes again.
	if _, _, err := e.enrollFrom(t, "us@example.com", "+14155550177", "203.0.113.3", true); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, _, err := e.enrollFrom(t, "n10@example.com", "+33698760098", "203.0.113.2", true); err != nil {
		t.Fatal(err)
	}
}

func TestDeniedRanges(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"phone_types": "mobile,fixed_line_or_mobile,unknown,voip"}); err != nil {
		t.Fatal(err)
	}
	u := e.user(t, "sat@example.com")
	_, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+881612345678"})
	// Even with every type accepted, the default list refuses it.
	if reason(err) != mfa.RPhoneCountry || !strings.Contains(err.Error(), "+881") {
		t.Fatalf("a satellite number: %v", err)
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"ranges_deny": "+3361234, +881"}); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+33612345678"})
	wantReason(t, err, mfa.RPhoneCountry)
	if !strings.Contains(err.Error(), "+3361234") {
		t.Fatalf("refusal: %v", err)
	}
	if evs := e.events(t, mfa.EvPhoneRefused); len(evs) != 2 || evs[0].Reason != string(mfa.RPhoneCountry) {
		t.Fatalf("refusals in the system log: %+v", evs)
	}
	if _, _, err := e.svc.Factors.EnrollSMS(e.ctx, u.ID, mfa.EnrollRequest{Phone: "+33698765432"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"+", "+0", "abc", "+12a"} {
		if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"ranges_deny": bad}); reason(err) != mfa.RSettingInvalid {
			t.Errorf("ranges_deny %q: %v", bad, err)
		}
	}
	if err := e.svc.Org.UpdateSettings(e.ctx, map[string]string{"country_hour_caps": "44=x"}); reason(err) != mfa.RSettingInvalid {
		t.Errorf("country_hour_caps 44=x: %v", err)
	}
}

// The purge forgets throttles and lifts that ended more than 7 days ago
// (they no longer make a repeat longer); trusted keys stay.
func TestPurgeForgetsOldThrottles(t *testing.T) {
	e := fraudEnv(t)
	for i := range 200 {
		e.clock.Advance(20 * time.Second)
		if _, _, err := e.enrollFrom(t, fmt.Sprintf("bot%d@example.com", i), fmt.Sprintf("+3361234%04d", i), fmt.Sprintf("192.0.2.%d", i%250), false); err != nil {
			break
		}
	}
	if err := e.svc.Org.SetFraudKey(e.ctx, "GB", mfa.FraudTrusted); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(6 * 24 * time.Hour)
	e.svc.Org.Purge(e.ctx)
	if keys, _ := e.svc.Org.FraudKeys(e.ctx); len(keys) != 2 {
		t.Fatalf("after 6 days: %+v", keys)
	}
	e.clock.Advance(2 * 24 * time.Hour)
	if _, err := e.svc.Org.Purge(e.ctx); err != nil {
		t.Fatal(err)
	}
	if keys, _ := e.svc.Org.FraudKeys(e.ctx); len(keys) != 1 || keys[0].Key != "country:GB" {
		t.Fatalf("after 8 days: %+v", keys)
	}
}
