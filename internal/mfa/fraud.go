package mfa

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"smsmfa/internal/fraud"
	"smsmfa/internal/phone"
)

// FraudStatus is the state of a destination key (package fraud).
type FraudStatus string

// Fraud statuses.
const (
	FraudThrottled FraudStatus = "throttled" // new-number codes refused until Until
	FraudAllowed   FraudStatus = "allowed"   // an admin lifted a throttle: not judged until Until
	FraudTrusted   FraudStatus = "trusted"   // an admin trusts it: never throttled
)

// FraudKey is the state of a number range or country the detector or an
// admin acted on, with the evidence of the last throttle.
type FraudKey struct {
	Key       string // fraud.Keys: "country:GB", "prefix:+44791112"
	Status    FraudStatus
	Since     time.Time
	Until     time.Time // zero: no end (trusted)
	Strikes   int       // throttles in a row, each less than 7 days after the one before
	Evidence  string    // the last throttle's explanation
	Details   map[string]string
	UpdatedBy string
}

// Label is the key as the console shows it ("+44791112", "GB").
func (k FraudKey) Label() string { return fraud.Label(k.Key) }

// Kind is "prefix" or "country".
func (k FraudKey) Kind() string { return fraud.KindOf(k.Key) }

// Active reports whether the key's status is in force at now.
func (k FraudKey) Active(now time.Time) bool { return k.Until.IsZero() || now.Before(k.Until) }

// maxThrottle caps a throttle's length however often it repeats.
const maxThrottle = 24 * time.Hour

// strikeMemory is how long a throttle makes the next one longer.
const strikeMemory = 7 * 24 * time.Hour

// checkFraud applies the SMS-pumping rules to an unproven code (to a number
// the user has not verified) about to be sent to number: a throttled range
// or country refuses it; otherwise, unless an admin trusts or lifted them,
// the detector judges the country and the range with the traffic so far,
// and throttles the first that looks pumped. A refusal is recorded in the
// system log and returned as *Error (ERateLimited, RRangeThrottled). It
// returns the keys the code is counted under once it is sent.
func (s *core) checkFraud(ctx context.Context, tx Tx, set Settings, u *User, number string, now time.Time) ([]string, error) {
	country, prefix, ok := fraud.Keys(number)
	if !ok {
		return nil, nil
	}
	keys := []string{country, prefix}
	states, err := tx.GetFraudKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if st, ok := states[k]; ok && st.Status == FraudTrusted {
			return keys, nil
		}
	}
	for _, k := range keys {
		if st, ok := states[k]; ok && st.Status == FraudThrottled && st.Active(now) {
			return nil, s.refuseThrottled(ctx, tx, u, number, st, now)
		}
	}
	ctr, err := s.fraudTraffic(ctx, tx, country, states[country], now)
	if err != nil {
		return nil, err
	}
	if err := s.checkCountryCap(ctx, tx, set, u, number, ctr, now); err != nil {
		return nil, err
	}
	if !set.FraudDetection {
		return keys, nil
	}
	if fraud.NeedsAllHour(ctr) {
		if ctr.AllHour, err = tx.FraudSendsSince(ctx, fraud.KindCountry, now.Add(-time.Hour)); err != nil {
			return nil, err
		}
		all, err := tx.FraudTotals(ctx, fraud.KindCountry, ctr.Base.Start, ctr.Base.Start.Add(fraud.BaseDays*24*time.Hour))
		if err != nil {
			return nil, err
		}
		for _, b := range all {
			ctr.OrgHistory += b.Sends
		}
	}
	pre, err := s.fraudTraffic(ctx, tx, prefix, states[prefix], now)
	if err != nil {
		return nil, err
	}
	pre.ParentRate = ctr.Baseline()
	for _, t := range []fraud.Traffic{pre, ctr} {
		if st, ok := states[t.Key]; ok && st.Status == FraudAllowed && st.Active(now) {
			continue
		}
		if d := fraud.Judge(t, now, set.Fraud); d.Throttle {
			if t.Key == prefix {
				// The range's codes are its own evidence: taken out of
				// the country's, so one pumped range throttles the range,
				// not the country (nor becomes the country's history).
				since := now.Add(-24 * time.Hour)
				if t.Since.After(since) {
					since = t.Since
				}
				if err := tx.SubtractFraudTraffic(ctx, prefix, country, since); err != nil {
					return nil, err
				}
			}
			return nil, s.throttle(ctx, tx, set, u, number, d, states[t.Key], now)
		}
	}
	return keys, nil
}

// fraudTraffic reads key's traffic, leaving out what came before the end
// of its last throttle or the admin's lift.
func (s *core) fraudTraffic(ctx context.Context, tx Tx, key string, st FraudKey, now time.Time) (fraud.Traffic, error) {
	var since time.Time
	switch st.Status {
	case FraudThrottled:
		since = st.Until
	case FraudAllowed:
		since = st.Since
	}
	t, err := tx.FraudTraffic(ctx, key, now, since)
	t.Repeat = st.Status == FraudThrottled && st.Strikes > 0 && now.Sub(st.Until) < strikeMemory
	return t, err
}

// throttle throttles the key of decision d and refuses the code to number.
func (s *core) throttle(ctx context.Context, tx Tx, set Settings, u *User, number string, d fraud.Decision, prev FraudKey, now time.Time) error {
	strikes := 1
	if prev.Strikes > 0 && now.Sub(prev.Since) < strikeMemory {
		strikes = min(prev.Strikes+1, 10)
	}
	length := min(set.FraudThrottle<<(strikes-1), maxThrottle)
	k := FraudKey{Key: d.Key, Status: FraudThrottled, Since: now, Until: now.Add(length), Strikes: strikes,
		Evidence: d.Explain(), Details: decisionDetails(d), UpdatedBy: "system"}
	k.Details["until"] = k.Until.Format(time.RFC3339)
	k.Details["strikes"] = strconv.Itoa(strikes)
	if err := tx.PutFraudKey(ctx, k); err != nil {
		return err
	}
	what := "range"
	if k.Kind() == fraud.KindCountry {
		what = "country"
	}
	msg := fmt.Sprintf("SMS pumping suspected: %s %s throttled until %s: %s", what, k.Label(), k.Until.Format("2006-01-02 15:04 MST"), k.Evidence)
	if err := s.record(ctx, tx, Event{Type: EvFraudThrottle, Severity: SeverityWarn, Target: fraudParty(k.Key), Outcome: OutcomeDeny,
		Reason: d.Rule, Message: msg, Details: k.Details}); err != nil {
		return err
	}
	return s.refuseThrottled(ctx, tx, u, number, k, now)
}

// decisionDetails are a decision's figures for the system log.
func decisionDetails(d fraud.Decision) map[string]string {
	out := map[string]string{
		"rule": d.Rule, "window": d.Window.String(), "sends": strconv.Itoa(d.Sends), "judged": strconv.Itoa(d.Judged),
		"verified": strconv.Itoa(d.Verified), "expected": strconv.FormatFloat(d.Expected, 'f', 1, 64),
		"baseline_conversion": strconv.FormatFloat(d.Baseline, 'f', 3, 64), "history_sends": strconv.Itoa(d.History),
		"history_verified": strconv.Itoa(d.HistoryVerified),
	}
	switch d.Rule {
	case fraud.RuleConversion:
		out["p_value"] = strconv.FormatFloat(d.P, 'e', 1, 64)
	case fraud.RuleNewCountry:
		out["share"] = strconv.FormatFloat(d.Share, 'f', 3, 64)
	case fraud.RuleRepeat:
		out["probe"] = strconv.Itoa(d.Probe)
	}
	return out
}

// fraudParty describes a number range or country as an event party.
func fraudParty(key string) Party {
	t := "PhoneRange"
	if fraud.KindOf(key) == fraud.KindCountry {
		t = "Country"
	}
	return Party{ID: key, Type: t, AlternateID: fraud.Label(key)}
}

// refuseThrottled records and returns the refusal of a code to number
// because its range or country k is throttled.
func (s *core) refuseThrottled(ctx context.Context, tx Tx, u *User, number string, k FraudKey, now time.Time) error {
	what := Phrase{Format: "phone numbers in this range"}
	if k.Kind() == fraud.KindCountry {
		what = Phrase{Format: "phone numbers in this country"}
	}
	e := Errorf(ERateLimited, RRangeThrottled, "Codes to %s cannot be sent right now because of unusual activity. Try again in %s, use another phone number, or contact your administrator.",
		what, Duration(max(k.Until.Sub(now).Round(time.Minute), time.Minute)))
	e.RetryAt = k.Until
	err := s.record(ctx, tx, Event{Type: EvRateLimit, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(RRangeThrottled), Message: e.Message,
		Details: map[string]string{"rule": "fraud_throttle", "phone": phone.Mask(number), "throttled": k.Key, "until": k.Until.Format(time.RFC3339)}})
	if err != nil {
		return err
	}
	return e
}

// noteCodeEntered counts the code of challenge ch, entered, under its
// number's range and country (in the bucket of its send) when it was an
// unproven one (sendCode counted it). A code to the user's own number
// costs nothing here: the dashboard reads entered codes from the
// challenges (and from their messages once the purge copied them there).
func (s *core) noteCodeEntered(ctx context.Context, tx Tx, u *User, f *Factor, purpose Purpose, ch *Challenge) error {
	own, err := s.ownNumber(ctx, tx, u, f, purpose, ch.PhoneNumber)
	if err != nil || own {
		return err
	}
	country, prefix, ok := fraud.Keys(ch.PhoneNumber)
	if !ok {
		return nil
	}
	return tx.AddFraudTraffic(ctx, []string{country, prefix}, ch.Created, 0, 1)
}

// FraudKeys lists the ranges and countries the detector or an admin acted on,
// newest first.
func (s *Org) FraudKeys(ctx context.Context) ([]FraudKey, error) {
	return load(ctx, s.core, func(tx Tx) ([]FraudKey, error) { return tx.ListFraudKeys(ctx) })
}

// SetFraudKey records an admin's decision about a range or country typed
// as input ("+44791112", "GB"): FraudAllowed lifts a throttle (the key is
// not judged for the org's fraud_lift_duration), FraudTrusted trusts it
// for good, "" forgets the key (the detector judges it again). Refusal:
// RInvalidInput for a key that is not a range or country, or an unknown
// status.
func (s *Org) SetFraudKey(ctx context.Context, input string, status FraudStatus) error {
	key, ok := fraud.ParseKey(input)
	if !ok {
		return Errorf(EInvalid, RInvalidInput, "Enter a number range with its country code (such as +44791112) or a two-letter country code (such as GB).")
	}
	ev, msg := map[FraudStatus]string{FraudAllowed: EvFraudLift, FraudTrusted: EvFraudTrust, "": EvFraudForget}[status],
		map[FraudStatus]string{FraudAllowed: "Throttle lifted", FraudTrusted: "Trusted: never throttled", "": "Rule removed: judged again"}[status]
	if ev == "" {
		return Errorf(EInvalid, RInvalidInput, "Unknown status.")
	}
	return s.run(ctx, func(tx Tx) error {
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		actor := ClientFrom(ctx).Actor.AlternateID
		old, err := tx.GetFraudKeys(ctx, []string{key})
		if err != nil {
			return err
		}
		prev := old[key]
		details := map[string]string{"previous": string(prev.Status)}
		switch status {
		case "":
			if err := tx.DeleteFraudKey(ctx, key); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		default:
			k := FraudKey{Key: key, Status: status, Since: now, Strikes: prev.Strikes, Evidence: prev.Evidence, Details: prev.Details, UpdatedBy: actor}
			if status == FraudAllowed {
				k.Until = now.Add(set.FraudLift)
				details["until"] = k.Until.Format(time.RFC3339)
			}
			if err := tx.PutFraudKey(ctx, k); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, Event{Type: ev, Target: fraudParty(key), Outcome: OutcomeSuccess, Message: msg + ": " + fraud.Label(key), Details: details})
	})
}

// CountryHourCap is the org's cap on codes to new numbers of calling code
// cc per hour: the org's country_hour_caps entry, else
// country_hour_factor times the country's average hour (history, its
// last 28 days of codes to new numbers), at least country_hour_min.
func CountryHourCap(set Settings, cc int, history int) int {
	if n, ok := set.CountryHourCaps[cc]; ok {
		return n
	}
	avg := float64(history) / (fraud.BaseDays * 24)
	return max(set.CountryHourMin, int(math.Ceil(float64(set.CountryHourFactor)*avg)))
}

// checkCountryCap refuses a code to a new number when its country had its
// hourly cap of such codes in the last hour (RCountryCap); the refusal is
// recorded in the system log.
func (s *core) checkCountryCap(ctx context.Context, tx Tx, set Settings, u *User, number string, ctr fraud.Traffic, now time.Time) error {
	cc := phone.CallingCodeOf(number)
	capN := CountryHourCap(set, cc, ctr.Base.Sends)
	sent, oldest := 0, now
	for _, b := range ctr.Minutes {
		if b.Start.After(now.Add(-time.Hour)) {
			sent += b.Sends
			if b.Sends > 0 && b.Start.Before(oldest) {
				oldest = b.Start
			}
		}
	}
	if sent < capN {
		return nil
	}
	retry := oldest.Add(time.Hour + time.Minute)
	e := Errorf(ERateLimited, RCountryCap, "Your organisation's hourly limit of codes to new phone numbers in this country is reached. Try again in %s or contact your administrator.",
		Duration(max(retry.Sub(now).Round(time.Minute), time.Minute)))
	e.RetryAt, e.Limit = retry, capN
	err := s.record(ctx, tx, Event{Type: EvRateLimit, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(RCountryCap), Message: e.Message,
		Details: map[string]string{"rule": "country_hour_cap", "phone": phone.Mask(number), "country": fraud.Label(ctr.Key), "cap": strconv.Itoa(capN), "sent_last_hour": strconv.Itoa(sent)}})
	if err != nil {
		return err
	}
	return e
}
