package mfa

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"smsmfa/internal/fraud"
	"smsmfa/internal/phone"
)

var zeroTime time.Time

// Org holds the org-wide rules: settings, the number list, the system log,
// request limits, the purge and the console's overview.
type Org struct {
	*core
	leases requestLeases
}

// NewOrg returns the org service; c needs a CodeKey (for the ids of phone
// numbers in the system log).
func NewOrg(c Config) *Org {
	s := &Org{core: newCore(c)}
	s.require("Org", len(c.CodeKey) > 0)
	return s
}

// Settings returns the org's settings.
func (s *Org) Settings(ctx context.Context) (Settings, error) { return s.orgSettings(ctx) }

// orgSettings loads the org settings in a unit of work of its own.
func (s *core) orgSettings(ctx context.Context) (Settings, error) {
	return load(ctx, s, func(tx Tx) (Settings, error) { return s.settings(ctx, tx) })
}

// SettingValues returns every setting's canonical text, defaults filled in.
func (s *Org) SettingValues(ctx context.Context) (map[string]string, error) {
	var vals map[string]string
	err := s.view(ctx, func(tx Tx) error {
		stored, err := tx.LoadSettings(ctx)
		vals = SettingValues(stored)
		return err
	})
	return vals, err
}

// UpdateSettings validates and saves settings given as name → value. Either
// all are saved or none: a refusal (RSettingInvalid) names every bad one.
// Each change is recorded in the system log.
func (s *Org) UpdateSettings(ctx context.Context, changes map[string]string) error {
	var bad Phrases
	canon := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		def, ok := SettingByName(name)
		if !ok {
			bad = append(bad, Phrase{Format: "unknown setting %q", Args: []any{name}})
			continue
		}
		v, err := FieldSettingValue.Check(changes[name])
		if err != nil {
			bad = append(bad, Phrase{Format: "%s must be at most %d characters", Args: []any{name, FieldSettingValue.Max}})
			continue
		}
		v, err = def.Normalize(v)
		if err != nil {
			bad = append(bad, phraseOf(err))
			continue
		}
		canon[name] = v
	}
	if len(bad) > 0 {
		return Errorf(EInvalid, RSettingInvalid, "%s", bad)
	}
	return s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		old, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		oldVals := SettingValues(old)
		actor := ClientFrom(ctx).Actor
		for _, name := range slices.Sorted(maps.Keys(canon)) {
			if oldVals[name] == canon[name] {
				continue
			}
			if err := s.saveSetting(ctx, tx, name, oldVals[name], canon[name], actor.AlternateID, now, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// saveSetting stores one setting's canonical value and records the change
// (from old) in the system log, with details added to the event's.
func (s *core) saveSetting(ctx context.Context, tx Tx, name, old, value, by string, now time.Time, details map[string]string) error {
	if err := tx.SaveSetting(ctx, name, value, by, now); err != nil {
		return err
	}
	ev, msg := EvSettingsUpdate, "Setting "+name+" changed"
	if k, ok := FactorKindBySetting(name); ok {
		ev, msg = EvOrgFactorActivate, k.Label+" factor turned on for the org"
		if value == "false" {
			ev, msg = EvOrgFactorDisable, k.Label+" factor turned off for the org"
		}
	}
	d := map[string]string{"old": old, "new": value}
	maps.Copy(d, details)
	return s.record(ctx, tx, Event{Type: ev, Target: Party{ID: name, Type: "Setting", AlternateID: name}, Outcome: OutcomeSuccess, Message: msg, Details: d})
}

// SetSMSEnabled turns the org's SMS factor on or off.
func (s *Org) SetSMSEnabled(ctx context.Context, on bool) error {
	return s.UpdateSettings(ctx, map[string]string{"sms_enabled": boolText(on)})
}

// Events lists the system log. Refusal: RInvalidInput when f.Query is
// longer than FieldSearch allows.
func (s *Org) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	var err error
	if f.Query, err = FieldSearch.Check(f.Query); err != nil {
		return nil, err
	}
	return load(ctx, s.core, func(tx Tx) ([]Event, error) { return tx.ListEvents(ctx, f) })
}

// Numbers lists blocked and trusted numbers.
func (s *Org) Numbers(ctx context.Context) ([]Number, error) {
	return load(ctx, s.core, func(tx Tx) ([]Number, error) { return tx.ListNumbers(ctx) })
}

// SetNumberStatus records an admin's decision on a number: NumberTrusted
// (a known shared phone, never blocked for sharing), NumberCleared (unblock;
// sharing is counted afresh from now) or "" (forget any rule).
func (s *Org) SetNumberStatus(ctx context.Context, input string, status NumberStatus) error {
	set, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	n, err := phone.Parse(input, set.DefaultRegion)
	if err != nil {
		return Errorf(EInvalid, RPhoneInvalid, "Enter a phone number with its country code.")
	}
	return s.run(ctx, func(tx Tx) error {
		now := s.clock.Now()
		actor := ClientFrom(ctx).Actor.AlternateID
		ev := map[NumberStatus]string{NumberTrusted: EvNumberTrusted, NumberCleared: EvNumberUnblocked, "": EvNumberUnblocked}[status]
		if status == "" {
			if err := tx.DeleteNumber(ctx, n.E164); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		} else if err := tx.PutNumber(ctx, Number{Number: n.E164, Status: status, Updated: now, UpdatedBy: actor, Reason: "set by an administrator"}); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Type: ev, Target: s.phoneParty(n.E164), Outcome: OutcomeSuccess,
			Message: "Phone number " + map[NumberStatus]string{NumberTrusted: "trusted", NumberCleared: "unblocked", "": "rule removed"}[status]})
	})
}

// Purge deletes what has outlived its use: challenges and transactions
// expired a day ago (when their codes were entered is copied onto their
// messages first), counters of windows that ended two days ago, system log
// events older than the org's log_retention, the pumping detector's
// minute buckets older than 2 hours and hour buckets older than 30 days,
// and its throttles and lifts that ended 7 days ago (trusted ranges stay).
// With several instances, only one purges at a time.
func (s *Org) Purge(ctx context.Context) (int64, error) {
	var n int64
	err := s.run(ctx, func(tx Tx) error {
		// One instance of a cluster purges at a time; the others skip.
		if ok, err := tx.TryLock(ctx, "smsmfa purge"); err != nil || !ok {
			return err
		}
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if _, err := tx.CopyVerifiedBefore(ctx, now.Add(-24*time.Hour)); err != nil { // the dashboard's entered codes outlive the challenges
			return err
		}
		a, err := tx.DeleteChallengesBefore(ctx, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		b, err := tx.DeleteTransactionsBefore(ctx, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		c, err := tx.DeleteCountsBefore(ctx, now.Add(-48*time.Hour))
		if err != nil {
			return err
		}
		d, err := tx.DeleteEventsBefore(ctx, now.Add(-set.LogRetention))
		if err != nil {
			return err
		}
		e, err := tx.DeleteRadiusRequestsBefore(ctx, now)
		if err != nil {
			return err
		}
		f, err := tx.DeleteFraudCountsBefore(ctx, now.Add(-2*time.Hour), now.Add(-(fraud.BaseDays+2)*24*time.Hour))
		if err != nil {
			return err
		}
		g, err := tx.DeleteFraudKeysBefore(ctx, now.Add(-strikeMemory))
		if err != nil {
			return err
		}
		h, err := purgeOIDC(ctx, tx, now)
		if err != nil {
			return err
		}
		i, err := tx.DeleteWebAuthnCeremoniesBefore(ctx, now)
		n = a + b + c + d + e + f + g + h + i
		return err
	})
	return n, err
}

// NumberUsers returns up to 100 users whose verified phone is the number
// typed (the users of a shared or blocked number), by login.
func (s *Org) NumberUsers(ctx context.Context, input string) ([]User, error) {
	set, err := s.orgSettings(ctx)
	if err != nil {
		return nil, err
	}
	n, err := phone.Parse(input, set.DefaultRegion)
	if err != nil {
		return nil, Errorf(EInvalid, RPhoneInvalid, "Enter a phone number with its country code.")
	}
	var us []User
	err = s.view(ctx, func(tx Tx) error {
		us, err = tx.NumberUsers(ctx, n.E164, 100)
		return err
	})
	return us, err
}

// Overview is the admin console's summary.
type Overview struct {
	SMSEnabled  bool
	SentToday   int
	Budget      int
	Blocked     int
	LockedUsers int
	// CallEnabled, CallsToday and VoiceBudget: Voice Call's switch, the
	// calls placed today (UTC) and the daily voice budget.
	CallEnabled bool
	CallsToday  int
	VoiceBudget int
}

// Overview returns the admin console's summary.
func (s *Org) Overview(ctx context.Context) (Overview, error) {
	var o Overview
	err := s.view(ctx, func(tx Tx) error {
		set, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		o.SMSEnabled, o.Budget = set.SMSEnabled, set.BudgetDaily
		if o.SentToday, err = tx.Count(ctx, "budget", windowStart(now, 24*time.Hour)); err != nil {
			return err
		}
		o.CallEnabled, o.VoiceBudget = set.CallEnabled, set.VoiceBudgetDaily
		if o.CallsToday, err = tx.Count(ctx, "budgetvoice", windowStart(now, 24*time.Hour)); err != nil {
			return err
		}
		ns, err := tx.ListNumbers(ctx)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if n.Status == NumberBlocked {
				o.Blocked++
			}
		}
		o.LockedUsers, err = tx.CountLockedUsers(ctx, now)
		return err
	})
	return o, err
}

// EventTypes lists the event types the system log records, for filters.
var EventTypes = []string{EvSignIn, EvSignOut, EvReauth, EvMFAVerify, EvAccountLock, EvAccountUnlock, EvFactorEnroll, EvFactorActivate,
	EvFactorUpdate, EvFactorDeactivate, EvFactorResetAll, EvSMSEnrollCode, EvSMSVerifyCode, EvSMSDelivery, EvRateLimit,
	EvBudgetWarning, EvBudgetExceeded, EvNumberBlocked, EvNumberTrusted, EvNumberUnblocked, EvPhoneRefused, EvNumberEnrolledByOther, EvOrgFactorActivate,
	EvOrgFactorDisable, EvSettingsUpdate, EvCallbackRefused, EvUserCreate, EvUserActivate, EvUserDeactivate, EvUserDelete, EvTokenCreate, EvTokenRevoke,
	EvSessionExchange, EvTokenRefused, EvAdminGrant, EvAdminRevoke, EvRequestBlocked, EvFraudThrottle, EvFraudLift, EvFraudTrust, EvFraudForget,
	EvCallEnrollCode, EvCallVerifyCode,
	EvProviderAdd, EvProviderUpdate, EvProviderRemove, EvProviderTest, EvTemplateUpdate, EvOptOut, EvOptIn, EvDeliveryReceipt,
	EvAppCreate, EvAppUpdate, EvAppDelete, EvOAuthAuthorize, EvOAuthSessionTok, EvOAuthCode, EvOAuthGrant, EvOAuthAccess, EvOAuthRefresh,
	EvOAuthRevoke, EvOAuthReuse, EvOAuthKeyRotate, EvRadiusClientAdd, EvRadiusClientUpdate, EvRadiusClientRemove, EvRadiusNoFactor,
	EvMasterKeyRotate, EvSetupCode, EvSetupRefused, EvSetupComplete}

// Limit is the state of one rate limit after a request was counted.
type Limit struct {
	Limit     int
	Remaining int
	Reset     time.Time
	OK        bool
}

// RequestKind names a per-minute request limit (org settings
// limit_authn_minute and limit_api_minute).
type RequestKind int

// Request kinds.
const (
	AuthnRequest RequestKind = iota // sign-in calls (web form and authn API), per client address
	APIRequest                      // management API calls, per token
)
