package mfa

import (
	"context"
	"slices"
	"time"
)

// FactorKind is a kind of factor the org may offer. FactorKinds is the
// one list that the enrollment page, "Verify another way", the console,
// `smsmfa factor` and the org factors API read: a new factor type plugs in
// by adding its entry here (and its own pages and API shapes).
type FactorKind struct {
	// Type is the Okta factorType (FactorTypeSMS, FactorTypeTOTP, …).
	Type string
	// Setting is the org setting that turns the kind on ("sms_enabled").
	Setting string
	// Name is the short name `smsmfa factor enable NAME` accepts.
	Name string
	// Label names the kind in the system log ("SMS factor turned on").
	Label string
	// OrgFactors are the kind's entries in Okta's org factors API: their
	// ids and providers (all switch Setting).
	OrgFactors []OrgFactor
	// Enabled reports whether the kind is on in set.
	Enabled func(Settings) bool
}

// OrgFactor is one entry of Okta's org factors API.
type OrgFactor struct {
	ID       string
	Provider string
}

// FactorKinds lists the factor kinds, in the order they are offered.
var FactorKinds = []FactorKind{
	{Type: FactorTypeSMS, Setting: "sms_enabled", Name: "sms", Label: "SMS", OrgFactors: []OrgFactor{{"okta_sms", FactorProvider}},
		Enabled: func(s Settings) bool { return s.SMSEnabled }},
	{Type: FactorTypeTOTP, Setting: "totp_enabled", Name: "totp", Label: "Authenticator app", OrgFactors: []OrgFactor{{"google_otp", TOTPProviderGoogle}, {"okta_otp", FactorProvider}},
		Enabled: func(s Settings) bool { return s.TOTPEnabled }},
	{Type: FactorTypeCall, Setting: "call_enabled", Name: "call", Label: "Voice call", OrgFactors: []OrgFactor{{"okta_call", FactorProvider}},
		Enabled: func(s Settings) bool { return s.CallEnabled }},
	{Type: FactorTypeWebAuthn, Setting: "webauthn_enabled", Name: "webauthn", Label: "Security key or biometric authenticator", OrgFactors: []OrgFactor{{"fido_webauthn", FactorProviderFIDO}},
		Enabled: func(s Settings) bool { return s.WebAuthnEnabled }},
}

// FactorKindByName finds a kind by its short name or its factor type.
func FactorKindByName(name string) (FactorKind, bool) {
	for _, k := range FactorKinds {
		if k.Name == name || k.Type == name {
			return k, true
		}
	}
	return FactorKind{}, false
}

// KindLabel is the label of the kind of factor type typ ("SMS", "Voice
// call", …), or typ itself for a type no kind has.
func KindLabel(typ string) string {
	if k, ok := FactorKindByName(typ); ok {
		return k.Label
	}
	return typ
}

// FactorKindBySetting finds the kind a setting turns on.
func FactorKindBySetting(setting string) (FactorKind, bool) {
	for _, k := range FactorKinds {
		if k.Setting == setting {
			return k, true
		}
	}
	return FactorKind{}, false
}

// EnabledKinds returns the kinds the org offers.
func EnabledKinds(set Settings) []FactorKind {
	var out []FactorKind
	for _, k := range FactorKinds {
		if k.Enabled(set) {
			out = append(out, k)
		}
	}
	return out
}

// MFARequired reports whether sign-ins need a second factor: whether any
// kind is on.
func MFARequired(set Settings) bool { return len(EnabledKinds(set)) > 0 }

// TypeEnabled reports whether the factor type typ is on in set.
func TypeEnabled(set Settings, typ string) bool {
	k, ok := FactorKindByName(typ)
	return ok && k.Enabled(set)
}

// usableFactors returns the factors a sign-in may verify, the most
// recently set up, changed or used first (the order sign-in offers them):
// the user's active factors of enabled kinds. A user stranded by a switch
// (every active factor of a kind the org turned off) keeps those until an
// enabled kind is set up: they prove the sign-in, which then continues to
// MFA_ENROLL (see verified). Sending such a user straight to MFA_ENROLL
// would let whoever knows the password set up their own factor.
func usableFactors(set Settings, fs []Factor) []Factor {
	var on, off []Factor
	for _, f := range fs {
		switch {
		case f.Status != FactorActive:
		case TypeEnabled(set, f.Type):
			on = append(on, f)
		default:
			off = append(off, f)
		}
	}
	if len(on) == 0 && MFARequired(set) {
		on = off
	}
	slices.SortStableFunc(on, func(a, b Factor) int { return recent(b).Compare(recent(a)) })
	return on
}

// factorUsable refuses a sign-in step on f when it is not one of the
// user's usable factors: a kind the org turned off, while the user has a
// factor of a kind it offers (logged: someone holding that old factor, a
// SIM swapper say, tries it). Refusal: RFactorDisabled.
func (s *core) factorUsable(ctx context.Context, tx Tx, set Settings, u *User, f *Factor) error {
	if TypeEnabled(set, f.Type) {
		return nil
	}
	fs, err := tx.ListFactors(ctx, u.ID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(usableFactors(set, fs), func(o Factor) bool { return o.ID == f.ID }) {
		return nil
	}
	// The label is worded by the UI: the kinds' labels are catalogue keys.
	e := Errorf(EForbidden, RFactorDisabled, "%s is not enabled for this organization.", Phrase{Format: KindLabel(f.Type)})
	if err := s.record(ctx, tx, Event{Type: EvMFAVerify, Target: userParty(u), Outcome: OutcomeDeny, Reason: string(RFactorDisabled),
		Message: "Factor of a kind the org turned off refused", Details: map[string]string{"factor_id": f.ID, "factor_type": f.Type}}); err != nil {
		return err
	}
	return e
}

// verified ends a sign-in step that proved the user with a factor of type
// typ: SUCCESS, or MFA_ENROLL when typ is a kind the org turned off (the
// user was stranded by the switch and sets up an enabled kind next).
func (s *Signin) verified(set Settings, t *Transaction, u *User, typ string) {
	if typ != "" && !TypeEnabled(set, typ) && MFARequired(set) {
		t.Status, t.FactorID = TxnMFAEnroll, ""
		return
	}
	s.succeed(t, u, s.clock.Now())
}

// recent is when f was last set up, changed or used.
func recent(f Factor) time.Time {
	if f.LastUsed.After(f.LastUpdated) {
		return f.LastUsed
	}
	return f.LastUpdated
}

// checkSeveral refuses setting up a factor of type typ when the org
// allows one factor per user and the user has another active one of an
// enabled kind.
func checkSeveral(ctx context.Context, tx Tx, set Settings, u *User, typ string) error {
	if set.FactorsSeveral {
		return nil
	}
	fs, err := tx.ListFactors(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, f := range fs {
		// Factors of kinds turned off do not count: a user stranded by
		// the switch must be able to set up an enabled kind.
		if f.Status == FactorActive && TypeEnabled(set, f.Type) && f.Type != typ {
			return Errorf(EConflict, RFactorExists, "Your organisation allows one factor per user, and you have one set up already. Remove it first.")
		}
	}
	return nil
}

// FactorKindsView is the org's factor policy: every kind with whether it
// is on, and whether users may set up several.
type FactorKindsView struct {
	Kinds   []FactorKind
	Enabled map[string]bool // by Type
	Several bool
}

// FactorPolicy returns the org's factor policy.
func (s *Org) FactorPolicy(ctx context.Context) (FactorKindsView, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return FactorKindsView{}, err
	}
	v := FactorKindsView{Kinds: FactorKinds, Enabled: map[string]bool{}, Several: set.FactorsSeveral}
	for _, k := range FactorKinds {
		v.Enabled[k.Type] = k.Enabled(set)
	}
	return v, nil
}

// SetFactorEnabled turns a factor kind on or off for the org (named by
// short name or type). Turning every kind off turns MFA off, as
// sms_enabled=false did before there were several kinds; users whose
// only factors are turned off set up an enabled one at their next
// sign-in (their factors stay stored).
func (s *Org) SetFactorEnabled(ctx context.Context, name string, on bool) error {
	k, ok := FactorKindByName(name)
	if !ok {
		return Errorf(ENotFound, RFactorNotFound, "Unknown factor %q.", name)
	}
	return s.UpdateSettings(ctx, map[string]string{k.Setting: boolText(on)})
}
